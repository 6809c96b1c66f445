"""Decode request elements into plain values, driven by the types of ``wire/mktows.py``.

Children are matched by local name in the order-free way real clients need; unknown
children are ignored, as Marketo does. Values convert by their schema type.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from leadsync import ns
from leadsync.errors import AuthenticationFailed, BadParameter
from leadsync.model import Attribute, Credentials, LeadRecord
from leadsync.wire import mktows
from leadsync.wire.envelope import Envelope, children, local
from leadsync.wire.xsd import ComplexType, Element

_NIL = f"{{{ns.XSI}}}nil"
_BOOLEANS = {"true": True, "1": True, "True": True, "false": False, "0": False, "False": False}
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


class DecodeError(ValueError):
    """A value does not fit its schema type; ``str()`` says which and why."""


def is_nil(element: etree._Element) -> bool:
    return element.get(_NIL) in ("true", "1")


def _elements_of(type_name: str) -> dict[str, Element]:
    complex_type: ComplexType | None = mktows.COMPLEX_BY_NAME[type_name]
    found: dict[str, Element] = {}
    while complex_type is not None:
        found = {el.name: el for el in complex_type.elements} | found
        base = complex_type.base
        complex_type = mktows.COMPLEX_BY_NAME[base[4:]] if base else None
    return found


_ELEMENTS: dict[str, dict[str, Element]] = {
    t.name: _elements_of(t.name) for t in mktows.COMPLEX_TYPES
}


def scalar(element: etree._Element, xsd_type: str) -> Any:
    """The value of a simple-typed element: str, int or bool."""
    text = element.text or ""
    if xsd_type == "xs:int":
        try:
            value = int(text.strip())
        except ValueError:
            raise DecodeError(f"{local(element)} must be an integer, not {text!r}") from None
        if not _INT_MIN <= value <= _INT_MAX:
            raise DecodeError(f"{local(element)} is out of range for xs:int: {text!r}")
        return value
    if xsd_type == "xs:boolean":
        try:
            return _BOOLEANS[text.strip()]
        except KeyError:
            raise DecodeError(f"{local(element)} must be true or false, not {text!r}") from None
    return text


def decode(element: etree._Element, type_name: str) -> dict[str, Any]:
    """A complex-typed element as a dict by element name; repeated elements give lists.

    A nil or absent optional element is left out; unknown children are ignored.
    """
    known = _ELEMENTS[type_name]
    values: dict[str, Any] = {}
    for child in children(element):
        spec = known.get(local(child))
        if spec is None:
            continue
        if is_nil(child):
            value: Any = None
        elif spec.type.startswith("tns:") and spec.type[4:] in _ELEMENTS:
            value = decode(child, spec.type[4:])
        else:
            value = scalar(child, spec.type)
        if spec.repeated:
            values.setdefault(spec.name, []).append(value)
        else:
            values[spec.name] = value
    return values


def credentials(envelope: Envelope) -> Credentials | None:
    """The AuthenticationHeader's fields, or None when the header is absent."""
    header = envelope.headers.get("AuthenticationHeader")
    if header is None:
        return None
    fields = decode(header, "AuthenticationHeaderInfo")
    try:
        return Credentials(
            fields["mktowsUserId"], fields["requestSignature"], fields["requestTimestamp"]
        )
    except (KeyError, TypeError):
        raise AuthenticationFailed(
            "Authentication failed: AuthenticationHeader needs mktowsUserId, "
            "requestSignature and requestTimestamp"
        ) from None


def _attributes(attribute_list: dict[str, Any] | None) -> tuple[Attribute, ...]:
    found = []
    for item in (attribute_list or {}).get("attribute", ()):
        name = (item or {}).get("attrName")
        if not name:
            raise DecodeError("an attribute has no attrName")
        found.append(Attribute(name, item.get("attrValue")))
    return tuple(found)


def lead_record(element: etree._Element) -> LeadRecord:
    """One leadRecord; a malformed one comes back with ``problem`` set, not raised."""
    try:
        fields = decode(element, "LeadRecord")
        email = fields.get("Email")
        if email is None:
            # Savon's gyoku turns the Ruby sample's :email into <email>.
            email = next(
                (c.text for c in children(element) if local(c) == "email" and not is_nil(c)),
                None,
            )
        return LeadRecord(
            id=fields.get("Id"),
            email=email or None,
            foreign_sys_person_id=fields.get("ForeignSysPersonId") or None,
            foreign_sys_type=fields.get("ForeignSysType") or None,
            attributes=_attributes(fields.get("leadAttributeList")),
        )
    except DecodeError as exc:
        return LeadRecord(problem=str(exc))


def sync_multiple_leads(body: etree._Element, max_batch: int) -> tuple[list[LeadRecord], bool]:
    """The records and the dedup flag of a paramsSyncMultipleLeads element."""
    record_list = None
    dedup = True
    for child in children(body):
        name = local(child)
        if name == "leadRecordList":
            record_list = child
        elif name == "dedupEnabled" and not is_nil(child):
            try:
                dedup = scalar(child, "xs:boolean")
            except DecodeError as exc:
                raise BadParameter(f"Bad parameter: {exc}") from None
    if record_list is None:
        raise BadParameter("Bad parameter: leadRecordList is required")
    elements = [c for c in children(record_list) if local(c) == "leadRecord"]
    if len(elements) > max_batch:
        raise BadParameter(
            f"Bad parameter: {len(elements)} lead records in one call; at most {max_batch}"
        )
    return [lead_record(element) for element in elements], dedup
