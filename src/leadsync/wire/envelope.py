"""Safe, namespace-tolerant parsing of a SOAP 1.1 request envelope.

Never resolves entities, loads a DTD or touches the network, and refuses any document
that has a DOCTYPE. Children are found by local name, whatever their namespace or prefix,
because real clients qualify (or don't) as they please.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree

from leadsync import ns
from leadsync.errors import RequestNotUnderstood
from leadsync.safexml import SAFE_PARSER


@dataclass(frozen=True, slots=True)
class Envelope:
    headers: dict[str, etree._Element]  # header entries by local name
    body: etree._Element  # the body's first element: the operation's params
    source: bytes  # the request as received


def local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def children(element: etree._Element) -> list[etree._Element]:
    """Element children only (no comments or processing instructions)."""
    return [child for child in element if isinstance(child.tag, str)]


def parse_envelope(body: bytes) -> Envelope:
    if not body.strip():
        raise RequestNotUnderstood("Request not understood: empty request body")
    try:
        root = etree.fromstring(body, SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise RequestNotUnderstood(f"Request not understood: malformed XML ({exc.msg})") from None
    tree = root.getroottree()
    docinfo: Any = tree.docinfo  # lxml-stubs lack DocInfo.doctype
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise RequestNotUnderstood("Request not understood: DOCTYPE and entities are not allowed")
    if root.tag != f"{{{ns.SOAP_ENV}}}Envelope":
        raise RequestNotUnderstood("Request not understood: not a SOAP 1.1 Envelope")
    headers: dict[str, etree._Element] = {}
    body_element: etree._Element | None = None
    for part in children(root):
        name = local(part)
        if name == "Header":
            for entry in children(part):
                headers.setdefault(local(entry), entry)
        elif name == "Body":
            entries = children(part)
            if not entries:
                raise RequestNotUnderstood("Request not understood: empty SOAP Body")
            body_element = entries[0]
    if body_element is None:
        raise RequestNotUnderstood("Request not understood: no SOAP Body")
    return Envelope(headers, body_element, body)
