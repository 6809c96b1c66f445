"""Decode request elements into plain values, driven by the types of ``wire/mktows.py``.

Children are matched by local name in the order-free way real clients need; unknown
children are ignored, as Marketo does. Values convert by their schema type.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from leadsync import ns
from leadsync.errors import AuthenticationFailed
from leadsync.model import Credentials
from leadsync.wire import mktows
from leadsync.wire.envelope import Envelope, children, local
from leadsync.wire.xsd import ComplexType, Element
from leadsync.words import quoted

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


ELEMENTS: dict[str, dict[str, Element]] = {
    t.name: _elements_of(t.name) for t in mktows.COMPLEX_TYPES
}


def scalar(element: etree._Element, xsd_type: str) -> Any:
    """The value of a simple-typed element: str, int or bool."""
    text = element.text or ""
    if xsd_type == "xs:int":
        try:
            value = int(text.strip())
        except ValueError:
            raise DecodeError(f"{local(element)} must be an integer, not {quoted(text)}") from None
        if not _INT_MIN <= value <= _INT_MAX:
            raise DecodeError(f"{local(element)} is out of range for xs:int: {quoted(text)}")
        return value
    if xsd_type == "xs:boolean":
        try:
            return _BOOLEANS[text.strip()]
        except KeyError:
            raise DecodeError(
                f"{local(element)} must be true or false, not {quoted(text)}"
            ) from None
    return text


TYPE_KEY = "@type"  # where decode() records an xsi:type that chose a derived type
_XSI_TYPE = f"{{{ns.XSI}}}type"


def _derived(element: etree._Element, type_name: str) -> str:
    """The type named by the element's xsi:type when it derives from ``type_name``
    (LeadSelector -> LeadKeySelector, ...), else ``type_name``."""
    named = element.get(_XSI_TYPE)
    if not named:
        return type_name
    candidate = mktows.COMPLEX_BY_NAME.get(named.rpartition(":")[2])
    if candidate is not None and candidate.base == f"tns:{type_name}":
        return candidate.name
    return type_name


def decode(element: etree._Element, type_name: str) -> dict[str, Any]:
    """A complex-typed element as a dict by element name; repeated elements give lists.

    A nil or absent optional element is left out; unknown children are ignored. An
    ``xsi:type`` naming a type derived from ``type_name`` is followed, and recorded
    under TYPE_KEY.
    """
    actual = _derived(element, type_name)
    known = ELEMENTS[actual]
    values: dict[str, Any] = {} if actual == type_name else {TYPE_KEY: actual}
    for child in children(element):
        spec = known.get(local(child))
        if spec is None:
            continue
        if is_nil(child):
            value: Any = None
        elif spec.type.startswith("tns:") and spec.type[4:] in ELEMENTS:
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
