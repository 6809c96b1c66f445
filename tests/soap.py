"""Test helpers: build signed requests the way clients do, and read answers canonically."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from lxml import etree
from starlette.testclient import TestClient

from leadsync.auth import sign

DEMO_USER = "demo17_1_809934544BFABAE58E5D27"
DEMO_SECRET = "27272727aa"
SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "seeds" / "000_d059cece67f5a35b.txt"
REFERENCE_WSDL = SHARED / "reference" / "marketo.wsdl"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
MKTOWS = "http://www.marketo.com/mktows/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def shared(path: Path) -> Path:
    """A file of ../shared (the spec, the reference WSDL, Marketo's docs): a clone without
    it skips the test that needs it, except in CI (CI=true), where that is a failure."""
    if path.exists():
        return path
    reason = f"needs {path} (../shared beside the clone)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def yesterday() -> str:
    """An xs:dateTime a day ago: a LastUpdateAtSelector window within Marketo's 30 days."""
    return (datetime.now(UTC) - timedelta(days=1)).isoformat(timespec="seconds")


def now_timestamp() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def auth_header(
    user: str = DEMO_USER, secret: str = DEMO_SECRET, timestamp: str | None = None
) -> str:
    ts = timestamp or now_timestamp()
    return (
        "<ns1:AuthenticationHeader>"
        f"<mktowsUserId>{escape(user)}</mktowsUserId>"
        f"<requestSignature>{sign(secret, ts, user)}</requestSignature>"
        f"<requestTimestamp>{escape(ts)}</requestTimestamp>"
        "</ns1:AuthenticationHeader>"
    )


def envelope(body: str, header: str | None = None) -> bytes:
    head = auth_header() if header is None else header
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}" xmlns:ns1="{MKTOWS}"'
        f' xmlns:xsi="{XSI}">'
        f"<SOAP-ENV:Header>{head}</SOAP-ENV:Header>"
        f"<SOAP-ENV:Body>{body}</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ).encode()


def record_xml(record: Mapping[str, Any]) -> str:
    """A leadRecord from a dict: keys Id/Email/ForeignSysPersonId/ForeignSysType, attrs."""
    parts = []
    for key in ("Id", "Email", "ForeignSysPersonId", "ForeignSysType"):
        if key in record:
            parts.append(f"<{key}>{escape(str(record[key]))}</{key}>")
    attrs = record.get("attrs", {})
    if attrs:
        items = "".join(
            f"<attribute><attrName>{escape(name)}</attrName>"
            + (
                '<attrValue xsi:nil="true"/>'
                if value is None
                else f"<attrValue>{escape(value)}</attrValue>"
            )
            + "</attribute>"
            for name, value in attrs.items()
        )
        parts.append(f"<leadAttributeList>{items}</leadAttributeList>")
    return f"<leadRecord>{''.join(parts)}</leadRecord>"


def sync_body(records: Iterable[Mapping[str, Any]], dedup: str | None = None) -> str:
    items = "".join(record_xml(r) for r in records)
    flag = "" if dedup is None else f"<dedupEnabled>{dedup}</dedupEnabled>"
    return (
        f"<ns1:paramsSyncMultipleLeads><leadRecordList>{items}</leadRecordList>{flag}"
        "</ns1:paramsSyncMultipleLeads>"
    )


def sync_request(records: Iterable[Mapping[str, Any]], dedup: str | None = None) -> bytes:
    return envelope(sync_body(records, dedup))


@dataclass(frozen=True)
class Fault:
    faultcode: str
    faultstring: str
    name: str
    message: str
    code: int


def read_fault(body: bytes) -> Fault:
    root = etree.fromstring(body)
    fault = root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault is not None, body
    exc = fault.find(f"detail/{{{MKTOWS}}}serviceException")
    assert exc is not None, body
    return Fault(
        fault.findtext("faultcode") or "",
        fault.findtext("faultstring") or "",
        exc.findtext("name") or "",
        exc.findtext("message") or "",
        int(exc.findtext("code") or "0"),
    )


def read_statuses(body: bytes) -> list[tuple[int, str, str | None]]:
    root = etree.fromstring(body)
    found = []
    for status in root.iter("syncStatus"):
        error = status.find("error")
        assert error is not None
        nil = error.get(f"{{{XSI}}}nil") == "true"
        found.append(
            (
                int(status.findtext("leadId") or "-1"),
                status.findtext("status") or "",
                None if nil else (error.text or ""),
            )
        )
    return found


def canonical(xml: bytes | str) -> bytes:
    """C14N of the document with whitespace-only text dropped: compare shapes, not bytes."""
    parser = etree.XMLParser(remove_blank_text=True)
    data = xml.encode() if isinstance(xml, str) else xml
    root = etree.fromstring(data, parser)
    return etree.tostring(root, method="c14n")


def seed_xml(which: str) -> str:
    """The request or response XML of the seed page, verbatim."""
    text = shared(SEED).read_text(encoding="utf-8")
    marker = {"request": "Request XML", "response": "Response XML"}[which]
    start = text.index("<?xml", text.index(marker))
    end = text.index("</SOAP-ENV:Envelope>", start) + len("</SOAP-ENV:Envelope>")
    return text[start:end]


def resign(xml: str, timestamp: str) -> str:
    """The seed request with a fresh timestamp and its signature (everything else verbatim)."""
    old_ts = "2013-08-01T18:22:30-07:00"
    old_sig = "b5e21953ae9f1b263e644da5eccce9ff33802513"
    assert old_ts in xml and old_sig in xml
    return xml.replace(old_ts, timestamp).replace(old_sig, sign(DEMO_SECRET, timestamp, DEMO_USER))


def statuses_of(statuses: Sequence[Any]) -> list[tuple[int, str, str | None]]:
    return [(s.lead_id, s.status.value, s.error) for s in statuses]


URL_2_2 = "/soap/mktows/2_2"


def answer_of(client: TestClient, body: str, url: str = URL_2_2) -> etree._Element:
    """POST the params ``body`` in a signed envelope; the answer's tree (HTTP 200)."""
    response = client.post(url, content=envelope(body))
    assert response.status_code == 200, response.text
    return etree.fromstring(response.content)


def fault_code(client: TestClient, body: str, url: str = URL_2_2) -> tuple[int, str]:
    """POST the params ``body`` in a signed envelope; the fault's (code, message)."""
    response = client.post(url, content=envelope(body))
    assert response.status_code == 500, response.text
    fault = read_fault(response.content)
    return fault.code, fault.message
