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

# Marketo's standard lead fields: SOAP name (FACTS.md 6.4; the odd casings DateofBirth,
# SICCode are Marketo's own), REST name and display name (rest-api/list-of-standard-fields.md,
# in the same order), type.
STANDARD: tuple[tuple[str, str, str, FieldType], ...] = (
    ("Address", "address", "Address", _T),
    ("AnnualRevenue", "annualRevenue", "Annual Revenue", _F),
    ("AnonymousIP", "anonymousIP", "Anonymous IP", _S),
    ("BillingCity", "billingCity", "Billing City", _S),
    ("BillingCountry", "billingCountry", "Billing Country", _S),
    ("BillingPostalCode", "billingPostalCode", "Billing Postal Code", _S),
    ("BillingState", "billingState", "Billing State", _S),
    ("BillingStreet", "billingStreet", "Billing Address", _T),
    ("City", "city", "City", _S),
    ("Company", "company", "Company Name", _S),
    ("Country", "country", "Country", _S),
    ("DateofBirth", "dateOfBirth", "Date of Birth", _D),
    ("Department", "department", "Department", _S),
    ("DoNotCall", "doNotCall", "Do Not Call", _B),
    ("DoNotCallReason", "doNotCallReason", "Do Not Call Reason", _S),
    ("Email", "email", "Email Address", _S),
    ("Fax", "fax", "Fax Number", _S),
    ("FirstName", "firstName", "First Name", _S),
    ("Industry", "industry", "Industry", _S),
    ("InferredCompany", "inferredCompany", "Inferred Company", _S),
    ("InferredCountry", "inferredCountry", "Inferred Country", _S),
    ("LastName", "lastName", "Last Name", _S),
    ("LeadRole", "leadRole", "Role", _S),
    ("LeadScore", "leadScore", "Lead Score", _I),
    ("LeadSource", "leadSource", "Lead Source", _S),
    ("LeadStatus", "leadStatus", "Lead Status", _S),
    ("MainPhone", "mainPhone", "Main Phone", _S),
    ("Marketo Jigsaw Contact Id", "jigsawContactId", "Marketo Data.com ID", _S),
    ("Marketo Jigsaw Contact Status", "jigsawContactStatus", "Marketo Data.com Status", _S),
    ("MiddleName", "middleName", "Middle Name", _S),
    ("MobilePhone", "mobilePhone", "Mobile Phone Number", _S),
    ("NumberOfEmployees", "numberOfEmployees", "Num Employees", _I),
    ("Phone", "phone", "Phone Number", _S),
    ("PostalCode", "postalCode", "Postal Code", _S),
    ("Rating", "rating", "Lead Rating", _S),
    ("Salutation", "salutation", "Salutation", _S),
    ("SICCode", "sicCode", "SIC Code", _S),
    ("Site", "site", "Site", _S),
    ("State", "state", "State", _S),
    ("Title", "title", "Job Title", _S),
    ("Unsubscribed", "unsubscribed", "Unsubscribed", _B),
    ("UnsubscribedReason", "unsubscribedReason", "Unsubscribed Reason", _T),
    ("Website", "website", "Website", _S),
)
STANDARD_FIELDS: dict[str, FieldType] = {soap: kind for soap, _, _, kind in STANDARD}
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def rest_name(name: str) -> str:
    """A custom field's REST name when none is given: its SOAP name in lower camel case
    (``LoyaltyTier`` -> ``loyaltyTier``, ``URLField`` -> ``urlField``)."""
    capitals = len(name) - len(name.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    if 1 < capitals < len(name) and name[capitals].islower():
        capitals -= 1  # the last capital starts the next word
    return name[:capitals].lower() + name[capitals:]


def display_name(name: str) -> str:
    """A custom field's display name when none is given: its words, spaced
    (``LoyaltyTier`` -> ``Loyalty Tier``, ``NPS_score`` -> ``NPS score``)."""
    words = [word for part in name.split("_") for word in _WORD.findall(part)]
    return " ".join(words) or name


@dataclass(frozen=True, slots=True)
class FieldDef:
    """One field a lead attribute may name, by its three names: SOAP (``name``, what
    attributes carry), REST and display (what activities show). ``added_at`` in
    microseconds since the epoch (a standard field's is when the store was made)."""

    name: str
    type: FieldType
    custom: bool = False
    added_at: int = 0
    rest: str = ""
    display: str = ""


class Catalog:
    """Every field of one instance: Marketo's standard ones, then its custom ones."""

    __slots__ = ("_created_at", "_custom", "_displays", "types")

    def __init__(self, custom: Iterable[FieldDef] = (), created_at: int = 0) -> None:
        self._custom = sorted(custom, key=lambda f: f.name)
        self._created_at = created_at
        self.types: dict[str, FieldType] = {
            **STANDARD_FIELDS,
            **{f.name: f.type for f in self._custom},
        }
        self._displays: dict[str, str] | None = None

    @property
    def created_at(self) -> int:
        """When the store was made (microseconds): the standard fields' ``added_at``."""
        return self._created_at

    @property
    def fields(self) -> list[FieldDef]:
        """The standard fields by name, then the custom ones by name."""
        standard = [
            FieldDef(soap, kind, False, self._created_at, rest, display)
            for soap, rest, display, kind in sorted(STANDARD)
        ]
        return standard + self._custom

    def type_of(self, name: str) -> FieldType:
        """The type of ``name``; a name the catalog lost (a removed field) reads as text."""
        return self.types.get(name, FieldType.STRING)

    def display_of(self, name: str) -> str:
        """The display name of the field ``name`` (``name`` itself for one it lost)."""
        return self.displays.get(name, name)

    @property
    def displays(self) -> dict[str, str]:
        """Every field's display name by its SOAP name (made once; do not change it)."""
        if self._displays is None:
            self._displays = {f.name: f.display for f in self.fields}
        return self._displays


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


# The lead keys, and the columns `leads export` writes beside the attributes.
_LEAD_KEYS = frozenset(
    {"id", "foreignsyspersonid", "foreignsystype", "instance", "createdat", "updatedat"}
)


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
