"""How a mktows client reads answers: the body's first element of a success, a fault as
``RemoteFault``, statuses, leads and field metadata, all by local name (any prefixes),
with a parser that never resolves entities or touches the network."""

from __future__ import annotations

import re
from typing import Final

import httpx
from lxml import etree

from leadsync import ns
from leadsync.client.types import (
    ConnectionFailed,
    FieldMetadata,
    ProtocolError,
    RemoteFault,
    RemoteLead,
    SyncResult,
)
from leadsync.model import SyncStatusCode
from leadsync.safexml import SAFE_PARSER

_RETRYABLE_HTTP: Final = frozenset({429, 502, 503, 504})
_FAULT_CODE = re.compile(r"\s*(\d+)")
_XSI_NIL = f"{{{ns.XSI}}}nil"


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _child(element: etree._Element, name: str) -> etree._Element | None:
    for child in element:
        if _local(child) == name:
            return child
    return None


def answer(response: httpx.Response, operation: str) -> etree._Element:
    """The body's first element of a success; raises RemoteFault for a fault."""
    try:
        root = etree.fromstring(response.content, SAFE_PARSER)
    except etree.XMLSyntaxError:
        root = None
    body = _child(root, "Body") if root is not None and _local(root) == "Envelope" else None
    entries = [] if body is None else [child for child in body if isinstance(child.tag, str)]
    first = entries[0] if entries else None
    if first is not None and _local(first) == "Fault":
        raise _fault(first)
    if first is not None and response.status_code == 200:
        return first
    if response.status_code in _RETRYABLE_HTTP:
        raise ConnectionFailed(
            f"{operation}: HTTP {response.status_code} without a SOAP answer",
            maybe_applied=response.status_code in (502, 504),  # a gateway lost the answer
        )
    raise ProtocolError(
        f"{operation}: HTTP {response.status_code} and no SOAP answer "
        f"(is {response.request.url} a mktows endpoint?)"
    )


def _fault(fault: etree._Element) -> RemoteFault:
    faultcode = (_child_text(fault, "faultcode") or "").strip()
    faultstring = (_child_text(fault, "faultstring") or "").strip()
    message, code_text = "", ""
    detail = _child(fault, "detail")
    exception = _child(detail, "serviceException") if detail is not None else None
    if exception is not None:
        message = (_child_text(exception, "message") or "").strip()
        code_text = (_child_text(exception, "code") or "").strip()
    if not code_text.isdigit():
        leading = _FAULT_CODE.match(faultstring)
        code_text = leading[1] if leading else "0"
    return RemoteFault(int(code_text), message, faultstring, faultcode)


def _child_text(element: etree._Element, name: str) -> str | None:
    found = _child(element, name)
    return None if found is None else found.text


def sync_statuses(answer: etree._Element, expected: int) -> list[SyncResult]:
    found = []
    for item in answer.iter():
        if _local(item) != "syncStatus":
            continue
        lead_id = (_child_text(item, "leadId") or "0").strip()
        status = (_child_text(item, "status") or "").strip()
        error = _child(item, "error")
        message = None if error is None or error.get(_XSI_NIL) in ("true", "1") else error.text
        try:
            found.append(SyncResult(int(lead_id), SyncStatusCode(status), message or None))
        except ValueError:
            raise ProtocolError(f"syncStatus not understood: {lead_id!r}, {status!r}") from None
    if len(found) != expected:
        raise ProtocolError(f"{len(found)} syncStatus for {expected} lead records")
    return found


def descendant_text(element: etree._Element, name: str) -> str | None:
    for item in element.iter():
        if _local(item) == name:
            return item.text
    return None


def leads(answer: etree._Element) -> list[RemoteLead]:
    """Every leadRecord of an answer (nil ones skipped)."""
    found = []
    for item in answer.iter():
        if _local(item) != "leadRecord" or item.get(_XSI_NIL) in ("true", "1"):
            continue
        values = {
            _local(child): child.text for child in item if _local(child) != "leadAttributeList"
        }
        attributes: dict[str, str] = {}
        attribute_list = _child(item, "leadAttributeList")
        for attribute in [] if attribute_list is None else attribute_list:
            name = _child_text(attribute, "attrName")
            if name:
                attributes[name] = _child_text(attribute, "attrValue") or ""
        lead_id = (values.get("Id") or "").strip()
        if not lead_id.isdigit():
            continue  # a nil record (syncLead without returnLead)
        found.append(
            RemoteLead(
                int(lead_id),
                values.get("Email"),
                values.get("ForeignSysPersonId"),
                values.get("ForeignSysType"),
                attributes,
            )
        )
    return found


def field_metadata(answer: etree._Element) -> list[FieldMetadata]:
    found = []
    for item in answer.iter():
        if _local(item) != "field":
            continue
        values = {_local(child): (child.text or "").strip() for child in item}
        size = values.get("size", "")
        found.append(
            FieldMetadata(
                name=values.get("name", ""),
                data_type=values.get("dataType", ""),
                display_name=values.get("displayName") or None,
                size=int(size) if size.isdigit() else None,
                read_only=values.get("isReadonly", "").lower() in ("true", "1"),
            )
        )
    return found
