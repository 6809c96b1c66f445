"""The lead fields as Describe Leads gives them: each with its REST and SOAP names and
a number (the lead's own fields 1 to 3, the standard ones from 10, custom ones from
1000 in the order they were added)."""

from __future__ import annotations

from typing import Any

from leadsync.fields import STRING_MAX_CHARS, Catalog, FieldType


def describe(catalog: Catalog) -> list[dict[str, Any]]:
    """Every lead field with its REST and SOAP names: the lead's own (id, createdAt,
    updatedAt), the standard fields, then the custom ones (ids from 1000)."""
    rows: list[dict[str, Any]] = [
        _field(1, "Id", "id", "Id", "integer", None, True),
        _field(2, "Created At", "createdAt", None, "datetime", None, True),
        _field(3, "Updated At", "updatedAt", None, "datetime", None, True),
    ]
    standard = [f for f in catalog.fields if not f.custom]
    custom = sorted((f for f in catalog.fields if f.custom), key=lambda f: (f.added_at, f.name))
    for number, f in enumerate(standard, start=10):
        rows.append(
            _field(number, f.display, f.rest, f.name, _data_type(f.name, f.type), f.type, False)
        )
    for number, f in enumerate(custom, start=1000):
        rows.append(
            _field(number, f.display, f.rest, f.name, _data_type(f.name, f.type), f.type, False)
        )
    return rows


def _data_type(name: str, field_type: FieldType) -> str:
    return "email" if name == "Email" else str(field_type)


def _field(
    number: int,
    display: str,
    rest: str,
    soap: str | None,
    data_type: str,
    field_type: FieldType | None,
    read_only: bool,
) -> dict[str, Any]:
    row: dict[str, Any] = {"id": number, "displayName": display, "dataType": data_type}
    if field_type is FieldType.STRING:
        row["length"] = STRING_MAX_CHARS
    row["rest"] = {"name": rest, "readOnly": read_only}
    if soap is not None:
        row["soap"] = {"name": soap, "readOnly": read_only}
    return row
