"""Stored values as REST's JSON: leads by REST field names with JSON types, times in
Marketo's ``2015-05-07T11:47:30Z`` form, and the fields a call names."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from leadsync.errors import BadParameter, FieldNotFound
from leadsync.fields import Catalog, FieldDef, FieldType
from leadsync.model import Lead
from leadsync.service.upsert import rest_fields
from leadsync.words import quoted

# What a lead read gives when the call names no fields (rest-api/leads.md).
DEFAULT_FIELDS = ("id", "updatedAt", "lastName", "email", "createdAt", "firstName")
# Names every lead has beside the catalog's fields.
SYSTEM_FIELDS = ("id", "createdAt", "updatedAt")


def iso(microseconds: int) -> str:
    """A time as Marketo's REST API writes it (UTC, to the second)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(microseconds // 1_000_000))


def parse_time(name: str, text: str) -> int:
    """An ISO 8601 date or datetime (a time zone, or UTC) in microseconds; 1003 if not."""
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise BadParameter(
            f"Invalid value {quoted(text)} for {name}: not an ISO 8601 time"
        ) from None
    if moment.tzinfo is None:  # no time zone: UTC (docs/compatibility.md)
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1_000_000)


def typed(text: str | None, field_type: FieldType) -> Any:
    """A stored attribute's text as the JSON value REST gives for its type."""
    if text is None:
        return None
    try:
        if field_type is FieldType.INTEGER:
            return int(text)
        if field_type is FieldType.FLOAT:
            return float(text)
    except ValueError:
        return text
    if field_type is FieldType.BOOLEAN:
        return text.lower() in ("true", "1")
    return text


class LeadFields:
    """The fields a lead read answers: those the call names (REST names, any case) or
    the default six; an unknown name is 1006."""

    def __init__(self, catalog: Catalog, names: Sequence[str] = ()) -> None:
        by_rest = rest_fields(catalog)
        self.chosen: list[tuple[str, FieldDef | None]] = []
        for name in names or DEFAULT_FIELDS:
            folded = name.casefold()
            system = next((s for s in SYSTEM_FIELDS if s.casefold() == folded), None)
            if system is not None:
                self.chosen.append((system, None))
            elif folded in by_rest:
                self.chosen.append((by_rest[folded].rest, by_rest[folded]))
            else:
                raise FieldNotFound(f"Field {quoted(name)} not found")

    def of(self, lead: Lead) -> dict[str, Any]:
        record: dict[str, Any] = {}
        attributes = lead.attributes
        for name, field in self.chosen:
            if field is None:
                record[name] = (
                    lead.id
                    if name == "id"
                    else iso(lead.created_at if name == "createdAt" else lead.updated_at)
                )
            elif field.name == "Email":
                record[name] = lead.email
            else:
                record[name] = typed(attributes.get(field.name), field.type)
        return record


def lead_json(leads: Sequence[Lead], fields: LeadFields) -> list[dict[str, Any]]:
    return [fields.of(lead) for lead in leads]


def input_objects(items: Sequence[Any]) -> list[Mapping[str, Any]]:
    """The ``input`` records that must be objects, or 1003."""
    if not all(isinstance(item, dict) for item in items):
        raise BadParameter("Invalid data: each input record must be a JSON object")
    return list(items)
