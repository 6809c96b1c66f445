"""The one renderer: results and faults as SOAP 1.1 text, shaped exactly like Marketo's.

Responses are written as text, not built as trees: the shapes are fixed and small, and
text is an order of magnitude cheaper to produce.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from leadsync import ns
from leadsync.errors import MktowsError
from leadsync.model import SyncStatus

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{ns.SOAP_ENV}" xmlns:xsi="{ns.XSI}"'
    f' xmlns:ns1="{ns.MKTOWS}">\n'
    "  <SOAP-ENV:Body>\n"
)
_TAIL = "  </SOAP-ENV:Body>\n</SOAP-ENV:Envelope>\n"


def _success(operation_element: str, result: str) -> bytes:
    text = (
        f"{_HEAD}    <ns1:{operation_element}>\n      <result>\n{result}"
        f"      </result>\n    </ns1:{operation_element}>\n{_TAIL}"
    )
    return text.encode("utf-8")


def _sync_status(status: SyncStatus, indent: str) -> str:
    error = (
        '<error xsi:nil="true" />'
        if status.error is None
        else f"<error>{escape(status.error)}</error>"
    )
    return (
        f"{indent}<syncStatus>\n"
        f"{indent}  <leadId>{status.lead_id}</leadId>\n"
        f"{indent}  <status>{status.status.value}</status>\n"
        f"{indent}  {error}\n"
        f"{indent}</syncStatus>\n"
    )


def sync_multiple_leads(statuses: Sequence[SyncStatus]) -> bytes:
    items = "".join(_sync_status(s, "          ") for s in statuses)
    result = f"        <syncStatusList>\n{items}        </syncStatusList>\n"
    return _success("successSyncMultipleLeads", result)


def fault(error: MktowsError) -> bytes:
    """A SOAP 1.1 Fault in Marketo's shape: ``<code> - <short>`` and a serviceException."""
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{ns.SOAP_ENV}">\n'
        "  <SOAP-ENV:Body>\n"
        "    <SOAP-ENV:Fault>\n"
        f"      <faultcode>{error.faultcode}</faultcode>\n"
        f"      <faultstring>{error.code} - {escape(error.short)}</faultstring>\n"
        "      <detail>\n"
        f'        <ns1:serviceException xmlns:ns1="{ns.MKTOWS}">\n'
        "          <name>mktServiceException</name>\n"
        f"          <message>{escape(error.message)} ({error.code})</message>\n"
        f"          <code>{error.code}</code>\n"
        "        </ns1:serviceException>\n"
        "      </detail>\n"
        "    </SOAP-ENV:Fault>\n"
        f"  </SOAP-ENV:Body>\n"
        "</SOAP-ENV:Envelope>\n"
    )
    return text.encode("utf-8")
