"""The one renderer: results and faults as SOAP 1.1 text, shaped exactly like Marketo's.

Responses are written as text, not built as trees: the shapes are fixed and small, and
text is an order of magnitude cheaper to produce.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from xml.sax import saxutils

from leadsync import ns
from leadsync.errors import MktowsError
from leadsync.fields import STRING_MAX_CHARS, TEXT_MAX_BYTES, FieldDef, FieldType
from leadsync.model import Lead, SyncStatus

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{ns.SOAP_ENV}" xmlns:xsi="{ns.XSI}"'
    f' xmlns:ns1="{ns.MKTOWS}">\n'
    "  <SOAP-ENV:Body>\n"
)
_TAIL = "  </SOAP-ENV:Body>\n</SOAP-ENV:Envelope>\n"
# A parser reads a raw CR (and CR LF) in text as LF: a stored CR goes out as a reference.
# Tabs and LFs in element text arrive as sent; nothing else XML allows is normalised.
_ESCAPES = {"\r": "&#13;"}


def escape(text: str) -> str:
    """Element text for ``text``: &, < and > escaped, CR as a character reference."""
    return saxutils.escape(text, _ESCAPES)


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


def _nil_or(tag: str, value: object) -> str:
    if value is None:
        return f'<{tag} xsi:nil="true" />'
    return f"<{tag}>{escape(str(value))}</{tag}>"


def lead_record(
    lead: Lead, types: Mapping[str, FieldType], include: Collection[str] | None = None
) -> str:
    """One LeadRecord as Marketo returns it: keys (nil when empty), then the attributes
    with their types; empty strings are left out, as Marketo does."""
    attributes = "".join(
        f"<attribute><attrName>{escape(name)}</attrName>"
        f"<attrType>{types.get(name, FieldType.STRING).value}</attrType>"
        f"<attrValue>{escape(value)}</attrValue></attribute>"
        for name, value in sorted(lead.attributes.items())
        if value != "" and (include is None or name in include)
    )
    return (
        f"<leadRecord><Id>{lead.id}</Id>{_nil_or('Email', lead.email)}"
        f"{_nil_or('ForeignSysPersonId', lead.foreign_sys_person_id)}"
        f"{_nil_or('ForeignSysType', lead.foreign_sys_type)}"
        f"<leadAttributeList>{attributes}</leadAttributeList></leadRecord>"
    )


def _compact(operation_element: str, result: str) -> bytes:
    text = (
        f"{_HEAD}    <ns1:{operation_element}><result>{result}</result>"
        f"</ns1:{operation_element}>\n{_TAIL}"
    )
    return text.encode("utf-8")


def get_lead(leads: Sequence[Lead], types: Mapping[str, FieldType]) -> bytes:
    records = "".join(lead_record(lead, types) for lead in leads)
    return _compact(
        "successGetLead", f"<count>{len(leads)}</count><leadRecordList>{records}</leadRecordList>"
    )


def sync_lead(status: SyncStatus, lead: Lead | None, types: Mapping[str, FieldType]) -> bytes:
    record = '<leadRecord xsi:nil="true" />' if lead is None else lead_record(lead, types)
    return _compact(
        "successSyncLead",
        f"<leadId>{status.lead_id}</leadId><syncStatus><leadId>{status.lead_id}</leadId>"
        f"<status>{status.status.value}</status>{_nil_or('error', status.error)}</syncStatus>"
        f"{record}",
    )


def get_multiple_leads(
    leads: Sequence[Lead],
    remaining: int,
    position: str,
    types: Mapping[str, FieldType],
    include: Collection[str] | None,
) -> bytes:
    records = "".join(lead_record(lead, types, include) for lead in leads)
    stream = (
        "<newStreamPosition />"
        if not position
        else (f"<newStreamPosition>{position}</newStreamPosition>")
    )
    return _compact(
        "successGetMultipleLeads",
        f"<returnCount>{len(leads)}</returnCount><remainingCount>{remaining}</remainingCount>"
        f"{stream}<leadRecordList>{records}</leadRecordList>",
    )


_DATA_TYPES = {  # describeMObject's dataType and size of each field type
    FieldType.STRING: ("string", STRING_MAX_CHARS),
    FieldType.TEXT: ("text", TEXT_MAX_BYTES),
    FieldType.INTEGER: ("integer", 10),
    FieldType.FLOAT: ("float", None),
    FieldType.BOOLEAN: ("boolean", None),
    FieldType.DATE: ("date", None),
    FieldType.DATETIME: ("dateTime", None),
}


def xs_datetime(microseconds: int) -> str:
    """An xs:dateTime in UTC, as Marketo writes them: ``2010-01-01T00:00:00+00:00``."""
    moment = datetime.fromtimestamp(microseconds // 1_000_000, UTC)
    return moment.isoformat(timespec="seconds")


def describe_lead(fields: Sequence[FieldDef]) -> bytes:
    """describeMObject for LeadRecord (a virtual object): the field catalog, every
    element the schema asks for."""
    items = []
    for field in fields:
        data_type, size = _DATA_TYPES[field.type]
        name = escape(field.name)
        items.append(
            f"<field><name>{name}</name>{_nil_or('description', None)}"
            f"<displayName>{name}</displayName>{_nil_or('sourceObject', None)}"
            f"<dataType>{data_type}</dataType>{_nil_or('size', size)}"
            "<isReadonly>false</isReadonly><isUpdateBlocked>false</isUpdateBlocked>"
            f"{_nil_or('isName', None)}<isPrimaryKey>false</isPrimaryKey>"
            f"<isCustom>{'true' if field.custom else 'false'}</isCustom>"
            f"<isDynamic>false</isDynamic>{_nil_or('dynamicFieldRef', None)}"
            f"<updatedAt>{xs_datetime(field.added_at)}</updatedAt></field>"
        )
    updated_at = xs_datetime(max((field.added_at for field in fields), default=0))
    metadata = (
        f"<metadata><name>LeadRecord</name>{_nil_or('description', None)}"
        "<isCustom>false</isCustom><isVirtual>true</isVirtual>"
        f"<fieldList>{''.join(items)}</fieldList><updatedAt>{updated_at}</updatedAt></metadata>"
    )
    return _compact("successDescribeMObject", metadata)
