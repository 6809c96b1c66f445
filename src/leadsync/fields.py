"""The lead field catalog: Marketo's standard SOAP fields, custom fields, value checks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class FieldType(StrEnum):
    STRING = "string"
    TEXT = "text"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"


STRING_MAX_CHARS = 255
TEXT_MAX_BYTES = 30_000  # Marketo's text area (rest-api/field-types.md)
_INT_RE = re.compile(r"[+-]?[0-9]+")
_FLOAT_RE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_BOOLEANS = frozenset({"true", "false", "1", "0"})
_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,99}")

_S, _T, _I, _F, _B, _D = (
    FieldType.STRING,
    FieldType.TEXT,
    FieldType.INTEGER,
    FieldType.FLOAT,
    FieldType.BOOLEAN,
    FieldType.DATE,
)

# Marketo's standard lead fields by SOAP API name (FACTS.md 6.4); the odd casings
# (DateofBirth, SICCode) are Marketo's own.
STANDARD_FIELDS: dict[str, FieldType] = {
    "Address": _T, "AnnualRevenue": _F, "AnonymousIP": _S, "BillingCity": _S,
    "BillingCountry": _S, "BillingPostalCode": _S, "BillingState": _S, "BillingStreet": _T,
    "City": _S, "Company": _S, "Country": _S, "DateofBirth": _D, "Department": _S,
    "DoNotCall": _B, "DoNotCallReason": _S, "Email": _S, "Fax": _S, "FirstName": _S,
    "Industry": _S, "InferredCompany": _S, "InferredCountry": _S, "LastName": _S,
    "LeadRole": _S, "LeadScore": _I, "LeadSource": _S, "LeadStatus": _S, "MainPhone": _S,
    "Marketo Jigsaw Contact Id": _S, "Marketo Jigsaw Contact Status": _S, "MiddleName": _S,
    "MobilePhone": _S, "NumberOfEmployees": _I, "Phone": _S, "PostalCode": _S, "Rating": _S,
    "Salutation": _S, "SICCode": _S, "Site": _S, "State": _S, "Title": _S,
    "Unsubscribed": _B, "UnsubscribedReason": _T, "Website": _S,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One field a lead attribute may name; ``added_at`` in microseconds since the epoch
    (a standard field's is when the store was made)."""

    name: str
    type: FieldType
    custom: bool = False
    added_at: int = 0


class Catalog:
    """Every field of one store: Marketo's standard ones, then the custom ones."""

    __slots__ = ("_created_at", "_custom", "types")

    def __init__(self, custom: Iterable[FieldDef] = (), created_at: int = 0) -> None:
        self._custom = sorted(custom, key=lambda f: f.name)
        self._created_at = created_at
        self.types: dict[str, FieldType] = {
            **STANDARD_FIELDS,
            **{f.name: f.type for f in self._custom},
        }

    @property
    def created_at(self) -> int:
        """When the store was made (microseconds): the standard fields' ``added_at``."""
        return self._created_at

    @property
    def fields(self) -> list[FieldDef]:
        """The standard fields by name, then the custom ones by name."""
        standard = [
            FieldDef(name, kind, False, self._created_at)
            for name, kind in sorted(STANDARD_FIELDS.items())
        ]
        return standard + self._custom

    def type_of(self, name: str) -> FieldType:
        """The type of ``name``; a name the catalog lost (a removed field) reads as text."""
        return self.types.get(name, FieldType.STRING)


def check_value(field_type: FieldType, value: str) -> str | None:
    """None when ``value`` fits ``field_type``, else what is wrong with it."""
    if field_type is FieldType.STRING:
        ok = len(value) <= STRING_MAX_CHARS
        return None if ok else f"longer than {STRING_MAX_CHARS} characters"
    if field_type is FieldType.TEXT:
        ok = len(value.encode("utf-8")) <= TEXT_MAX_BYTES
        return None if ok else f"longer than {TEXT_MAX_BYTES} bytes"
    if field_type is FieldType.INTEGER:
        ok = bool(_INT_RE.fullmatch(value)) and -(2**31) <= int(value) < 2**31
    elif field_type is FieldType.FLOAT:
        ok = bool(_FLOAT_RE.fullmatch(value))
    elif field_type is FieldType.BOOLEAN:
        ok = value.lower() in _BOOLEANS
    elif field_type is FieldType.DATE:
        ok = _parses(date.fromisoformat, value) and len(value) == 10
    else:
        ok = "T" in value and _parses(datetime.fromisoformat, value.replace("Z", "+00:00"))
    return None if ok else f"not a valid {field_type}"


def _parses(parse: Callable[[str], object], value: str) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True


_LEAD_KEYS = frozenset({"id", "foreignsyspersonid", "foreignsystype"})


def check_custom_field(name: str, custom: Iterable[str] = ()) -> None:
    """Raise ValueError when ``name`` cannot be a new custom field beside ``custom``."""
    if not _NAME_RE.fullmatch(name):
        raise ValueError(
            f"field name {name!r} must start with a letter and hold only letters, digits "
            "and underscores (at most 100)"
        )
    lowered = name.lower()
    if lowered in {n.lower() for n in STANDARD_FIELDS} or lowered in _LEAD_KEYS:
        raise ValueError(f"{name} is a standard field or lead key of Marketo's")
    clash = next((n for n in custom if n.lower() == lowered), None)
    if clash == name:
        raise ValueError(f"the custom field {name} exists already")
    if clash is not None:
        raise ValueError(f"{name} differs from the custom field {clash} only in case")
