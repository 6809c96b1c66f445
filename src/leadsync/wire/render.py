"""The one renderer: results and faults as SOAP 1.1 text, shaped exactly like Marketo's.

``success(operation, value)`` writes any operation's answer from the interface
description (``wire/mktows.py``), the mirror of ``decode.decode``: a complex type's value
is a mapping by element name or a tuple in the type's element order (a list stands for
an "ArrayOf" type's one repeated element), and each element is written by its schema
type. None is ``xsi:nil`` where the element is nillable and left out where it is
optional; "" is an empty element (``<newStreamPosition />``). syncMultipleLeads, the hot
path, keeps a hand-written template of the same shape, laid out as Marketo's sample.

Answers are written as text, not built as trees: an order of magnitude cheaper. Every
shape is checked against the reference WSDL's schema by tests/test_render.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any
from xml.sax import saxutils

from leadsync import ns
from leadsync.activities import Activity
from leadsync.errors import MktowsError
from leadsync.model import SyncStatus
from leadsync.wire import mktows
from leadsync.wire.xsd import ComplexType, Element

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


def xs_datetime(moment: datetime | int) -> str:
    """An xs:dateTime as Marketo writes them: ``2010-01-01T00:00:00+00:00``; an int is
    microseconds since the epoch, in UTC."""
    if isinstance(moment, int):
        moment = datetime.fromtimestamp(moment // 1_000_000, UTC)
    return moment.isoformat(timespec="seconds")


class Raw(str):
    """Text already rendered in its shape (the records of a hot path): written as it is
    as the content of the "ArrayOf" element due there."""


class RenderError(Exception):
    """A value that does not fit its shape: a bug in the caller, never the client's."""


def _text(value: Any) -> str:
    return escape(value.value if isinstance(value, Enum) else str(value))


def _datetime(value: Any) -> str:
    return xs_datetime(value) if isinstance(value, datetime | int) else escape(str(value))


def _date(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else escape(str(value))


_SCALARS: dict[str, Callable[[Any], str]] = {
    "xs:boolean": lambda value: "true" if value else "false",
    "xs:int": lambda value: str(int(value)),
    "xs:integer": lambda value: str(int(value)),
    "xs:long": lambda value: str(int(value)),
    "xs:dateTime": _datetime,
    "xs:date": _date,
}


@dataclass(slots=True)
class _Part:
    """One element of a complex type, with its tags written once."""

    name: str
    open: str
    close: str
    empty: str
    nil: str
    repeated: bool
    required: bool
    nillable: bool
    scalar: Callable[[Any], str]  # a simple type's text
    shape: _Shape | None  # a complex type's elements (then ``scalar`` is unused)


class _Shape:
    """A complex type's elements in order, base type's first."""

    def __init__(self, complex_type: ComplexType) -> None:
        self.name = complex_type.name
        self.type = complex_type
        self.parts: list[_Part] = []
        self.array: bool = False  # one repeated element: a list may stand for the value

    def compile(self, shapes: Mapping[str, _Shape]) -> None:
        elements: list[Element] = []
        chain: ComplexType | None = self.type
        while chain is not None:
            elements = [*chain.elements, *elements]
            chain = mktows.COMPLEX_BY_NAME[chain.base[4:]] if chain.base else None
        for element in elements:
            named = element.type[4:] if element.type.startswith("tns:") else None
            shape = shapes.get(named) if named else None
            self.parts.append(
                _Part(
                    element.name,
                    f"<{element.name}>",
                    f"</{element.name}>",
                    f"<{element.name} />",
                    f'<{element.name} xsi:nil="true" />',
                    element.repeated,
                    element.min_occurs > 0,
                    element.nillable,
                    _SCALARS.get(element.type, _text),
                    shape,
                )
            )
        self.array = len(self.parts) == 1 and self.parts[0].repeated

    def write(self, value: Any, out: list[str]) -> None:
        if isinstance(value, Raw):  # an ArrayOf type's items, rendered already
            out.append(value)
            return
        if isinstance(value, list) and self.array:
            value = (value,)
        if isinstance(value, tuple):
            if len(value) != len(self.parts):
                raise RenderError(f"{self.name}: {len(value)} values for {len(self.parts)}")
            pairs: Any = zip(self.parts, value, strict=True)
        elif isinstance(value, Mapping):
            pairs = ((part, value.get(part.name)) for part in self.parts)
        else:
            raise RenderError(f"{self.name}: a {type(value).__name__} is not a {self.name}")
        for part, item in pairs:
            if part.repeated:
                for one in item or ():
                    _write_one(part, one, out)
            elif item is None:
                if part.nillable:
                    out.append(part.nil)
                elif part.required:
                    raise RenderError(f"{self.name}.{part.name} is required")
            else:
                _write_one(part, item, out)


def _write_one(part: _Part, value: Any, out: list[str]) -> None:
    if part.shape is not None:
        out.append(part.open)
        part.shape.write(value, out)
        out.append(part.close)
        return
    text = part.scalar(value)
    if text:
        out.append(part.open)
        out.append(text)
        out.append(part.close)
    else:
        out.append(part.empty)


def _compile() -> dict[str, _Shape]:
    shapes = {t.name: _Shape(t) for t in mktows.COMPLEX_TYPES}
    for shape in shapes.values():
        shape.compile(shapes)
    return shapes


_SHAPES = _compile()
_SUCCESS_TYPE = {
    element.name: element.type[4:]
    for element in mktows.GLOBAL_ELEMENTS
    if element.name.startswith("success")
}


def success(operation: str, value: Any) -> bytes:
    """The answer to ``operation``: its success element, of its type, holding ``value``."""
    element = mktows.OPERATION_BY_NAME[operation].output_element
    out = [_HEAD, f"    <ns1:{element}>"]
    _SHAPES[_SUCCESS_TYPE[element]].write(value, out)
    out.append(f"</ns1:{element}>\n{_TAIL}")
    return "".join(out).encode("utf-8")


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
    """syncMultipleLeads' answer, hand-written (the hot path), laid out as the seed's."""
    items = "".join(_sync_status(s, "          ") for s in statuses)
    text = (
        f"{_HEAD}    <ns1:successSyncMultipleLeads>\n      <result>\n"
        f"        <syncStatusList>\n{items}        </syncStatusList>\n"
        f"      </result>\n    </ns1:successSyncMultipleLeads>\n{_TAIL}"
    )
    return text.encode("utf-8")


_NIL_TYPE = '<attrType xsi:nil="true" />'


def _escaped(text: str) -> str:
    if "&" in text or "<" in text or ">" in text or "\r" in text:
        return escape(text)
    return text


def activity_records(activities: Sequence[Activity], changes: bool) -> Raw:
    """getLeadActivity's activityRecords (``changes``: getLeadChanges' leadChangeRecords),
    hand-written for speed (a page holds up to 1,000), in the shape ``success`` gives
    them (tests/test_render.py compares the two)."""
    tag = "leadChangeRecord" if changes else "activityRecord"
    moments: dict[int, str] = {}
    out: list[str] = []
    for activity in activities:
        second = activity.created_at // 1_000_000
        moment = moments.get(second)
        if moment is None:
            moment = moments[second] = xs_datetime(activity.created_at)
        asset = activity.asset
        if asset is not None:
            asset_xml = (
                f"<mktgAssetName>{_escaped(asset)}</mktgAssetName>"
                if asset
                else "<mktgAssetName />"
            )
        else:
            asset_xml = '<mktgAssetName xsi:nil="true" />' if changes else ""
        out.append(
            f"<{tag}><id>{activity.id}</id><activityDateTime>{moment}</activityDateTime>"
            f"<activityType>{_escaped(activity.kind_info.name)}</activityType>{asset_xml}"
            "<activityAttributes>"
        )
        for name, value in activity.attributes():
            text = f"<attrValue>{_escaped(value)}</attrValue>" if value else "<attrValue />"
            out.append(
                f"<attribute><attrName>{_escaped(name)}</attrName>{_NIL_TYPE}{text}</attribute>"
            )
        campaign = activity.campaign
        lead = activity.lead_id
        if changes:
            tail = "" if campaign is None else _optional("campaign", campaign)
            out.append(f"</activityAttributes>{tail}<mktPersonId>{lead}</mktPersonId></{tag}>")
        else:
            out.append(
                f"</activityAttributes>{_optional('campaign', campaign or '')}"
                f'<personName xsi:nil="true" /><mktPersonId>{lead}</mktPersonId>'
                '<foreignSysId xsi:nil="true" /><orgName xsi:nil="true" />'
                f'<foreignSysOrgId xsi:nil="true" /></{tag}>'
            )
    return Raw("".join(out))


def lead_records(records: Sequence[tuple[Any, ...]]) -> Raw:
    """getMultipleLeads' leadRecords from ``wire/ops/leads.lead_record`` tuples,
    hand-written for speed (a page holds up to 1,000), in the shape ``success`` gives
    them (tests/test_render.py compares the two)."""
    out: list[str] = []
    for lead_id, email, foreign_id, foreign_type, attributes in records:
        out.append(
            f"<leadRecord><Id>{lead_id}</Id>{_nillable('Email', email)}"
            f"{_nillable('ForeignSysPersonId', foreign_id)}"
            f"{_nillable('ForeignSysType', foreign_type)}<leadAttributeList>"
        )
        for name, kind, value in attributes:
            out.append(
                f"<attribute><attrName>{_escaped(name)}</attrName><attrType>{kind}</attrType>"
                f"<attrValue>{_escaped(value)}</attrValue></attribute>"
            )
        out.append("</leadAttributeList></leadRecord>")
    return Raw("".join(out))


def _nillable(name: str, text: str | None) -> str:
    if text is None:
        return f'<{name} xsi:nil="true" />'
    return f"<{name}>{_escaped(text)}</{name}>" if text else f"<{name} />"


def _optional(name: str, text: str) -> str:
    return f"<{name}>{_escaped(text)}</{name}>" if text else f"<{name} />"


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
