"""syncMObjects, getMObjects and deleteMObjects (the model: leadsync/mobjects.py).

Opportunities and roles are stored; a Program is one of ``leadsync programs add``:
syncMObjects UPDATE (or UPSERT) of a Program adds Tag and Cost typeAttribs, as
Marketo's sample does; a Program is never inserted nor deleted through the API (it
fails per object, as Marketo's UI owned programs). Attributes are checked against the
type's describeMObject fields (service/objects.py), values against their types.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from leadsync.errors import BadParameter, BadStreamPosition, ParameterRequired
from leadsync.fields import FieldType, check_value
from leadsync.lists import Program
from leadsync.mobjects import (
    EXTERNAL_KEY,
    MAX_OBJECTS,
    OPPORTUNITY,
    PROGRAM,
    ROLE,
    TYPE_NAMES,
    MObject,
)
from leadsync.service.objects import _FIXED_FIELDS
from leadsync.service.reads import seal, unseal
from leadsync.store.base import LeadWriter, Store

OPERATIONS = ("UPSERT", "INSERT", "UPDATE")
COMPARISONS = ("EQ", "NE", "LT", "LE", "GT", "GE")
# describeMObject data types -> the value check of a lead field type
_CHECKS = {
    "integer": FieldType.INTEGER,
    "currency": FieldType.FLOAT,
    "boolean": FieldType.BOOLEAN,
    "date": FieldType.DATE,
    "dateTime": FieldType.DATETIME,
}
_LINKS = {"PersonId", "OpportunityId"}  # a role's links, stored as columns


@dataclass(frozen=True, slots=True)
class Sent:
    """One mObject of a request."""

    type: str | None
    id: int | None = None
    external_key: tuple[str, str] | None = None  # (name, value)
    attributes: Sequence[tuple[str, str | None]] = ()
    type_attributes: Sequence[tuple[str, Sequence[tuple[str, str]]]] = ()


@dataclass(frozen=True, slots=True)
class Status:
    id: int
    external_key: tuple[str, str] | None
    status: str
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Found:
    """One object of getMObjects' answer."""

    type: str
    id: int
    external_key: tuple[str, str] | None
    created_at: int | None
    updated_at: int | None
    attributes: list[tuple[str, str]]
    type_attributes: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)


class _Failed(Exception):
    pass


def type_name(name: str | None) -> str:
    """The canonical name of an MObject type; 20110 for one the WSDL does not list."""
    found = TYPE_NAMES.get((name or "").strip().casefold())
    if found is None:
        raise BadParameter(f"Bad parameter: {name!r} is not an MObject type (Opportunity, "
                           "OpportunityPersonRole, Program)")  # fmt: skip
    return found


def _types(name: str) -> dict[str, str]:
    """Field name -> describeMObject data type."""
    return {f.name: f.data_type for f in _FIXED_FIELDS[name]}


def _checked(kind: str, attributes: Sequence[tuple[str, str | None]]) -> dict[str, str | None]:
    types = _types(kind)
    values: dict[str, str | None] = {}
    for name, value in attributes:
        data_type = types.get(name)
        if data_type is None or name in ("Id", "CreatedAt", "UpdatedAt"):
            raise _Failed(f"Unknown attribute {name} of {kind}")
        check = _CHECKS.get(data_type, FieldType.STRING)
        if value not in (None, ""):
            wrong = check_value(check, value)
            if wrong:
                raise _Failed(f"bad value for {name}: {value!r} is {wrong}")
        values[name] = value or None
    return values


class MObjectService:
    def __init__(self, store: Store) -> None:
        self._store = store

    def sync(
        self,
        instance: str,
        objects: Sequence[Sent],
        operation: str | None,
        now_us: int | None = None,
    ) -> list[Status]:
        operation = operation or ""
        if operation not in OPERATIONS:
            raise BadParameter(
                f"Bad parameter: operation {operation!r} is not UPSERT, INSERT or UPDATE"
            )
        _bounded(objects)
        stamp = time.time_ns() // 1000 if now_us is None else now_us
        statuses = []
        with self._store.write(instance) as writer:
            for sent in objects:
                try:
                    statuses.append(self._sync_one(writer, instance, sent, operation, stamp))
                except _Failed as failure:
                    statuses.append(Status(sent.id or 0, sent.external_key, "FAILED", str(failure)))
        return statuses

    def _sync_one(
        self, writer: LeadWriter, instance: str, sent: Sent, operation: str, stamp: int
    ) -> Status:
        kind = type_name(sent.type)
        if kind == PROGRAM:
            return self._sync_program(writer, instance, sent, operation)
        key = sent.external_key[1] if sent.external_key else None
        found = writer.find_mobject(instance, kind, sent.id, key)
        if sent.id is not None and found is None and operation != "INSERT":
            raise _Failed(f"{kind} {sent.id} not found")
        values = _checked(kind, sent.attributes)
        if found is None:
            if operation == "UPDATE":
                raise _Failed(f"{kind} not found: UPDATE changes only objects that exist")
            new = MObject(0, kind, None, None, None, {}, stamp, stamp)
            new = self._apply(writer, instance, kind, new, values, key)
            new_id = writer.insert_mobject(instance, new)
            return Status(new_id, sent.external_key, "CREATED")
        if operation == "INSERT":
            return Status(
                found.id, sent.external_key, "SKIPPED", "it exists already: INSERT skips it"
            )
        changed = self._apply(writer, instance, kind, found, values, key)
        if changed == found:
            return Status(found.id, sent.external_key, "UNCHANGED")
        writer.update_mobject(replace(changed, updated_at=stamp))
        return Status(found.id, sent.external_key, "UPDATED")

    def _apply(
        self,
        writer: LeadWriter,
        instance: str,
        kind: str,
        obj: MObject,
        values: dict[str, str | None],
        key: str | None,
    ) -> MObject:
        attributes = dict(obj.attributes)
        lead_id, parent_id = obj.lead_id, obj.parent_id
        for name, value in values.items():
            if kind == ROLE and name == "PersonId":
                lead_id = int(value) if value else None
                if lead_id is None or not writer.find_leads([lead_id], (), ()):
                    raise _Failed(f"lead not found: no lead has id {value}")
            elif kind == ROLE and name == "OpportunityId":
                parent_id = int(value) if value else None
                if (
                    parent_id is None
                    or writer.find_mobject(instance, OPPORTUNITY, parent_id, None) is None
                ):
                    raise _Failed(f"Opportunity {value} not found")
            elif value is None:
                attributes.pop(name, None)
            else:
                attributes[name] = value
        if kind == ROLE and (lead_id is None or parent_id is None):
            raise _Failed("a role needs OpportunityId and PersonId")
        external = obj.external_key
        if kind in EXTERNAL_KEY:
            external = attributes.get(EXTERNAL_KEY[kind]) or key or external
            if external:
                attributes[EXTERNAL_KEY[kind]] = external
        return replace(
            obj, external_key=external, lead_id=lead_id, parent_id=parent_id, attributes=attributes
        )

    def _sync_program(
        self, writer: LeadWriter, instance: str, sent: Sent, operation: str
    ) -> Status:
        if operation == "INSERT":
            raise _Failed("a Program is made with leadsync programs add, not inserted")
        program = next((p for p in self._store.list_programs(instance) if p.id == sent.id), None)
        if program is None:
            raise _Failed(f"Program {sent.id} not found")
        if sent.attributes:
            raise _Failed("a Program's attributes cannot be changed: send typeAttribList")
        tags = list(program.tags)
        costs = self._store.program_costs(program.id)
        for attr_type, pairs in sent.type_attributes:
            given = dict(pairs)
            if attr_type == "Tag":
                if not given.get("Type") or not given.get("Value"):
                    raise _Failed("a Tag needs Type and Value")
                tag = (given["Type"], given["Value"])
                tags = [t for t in tags if t[0] != tag[0]] + [tag]
            elif attr_type == "Cost":
                month, amount = given.get("Month", ""), given.get("Amount", "")
                if not _is_date(month) or check_value(FieldType.FLOAT, amount):
                    raise _Failed("a Cost needs Month (YYYY-MM-DD) and Amount (a number)")
                costs.append([month, amount, given.get("Note", "")])
            else:
                raise _Failed(f"typeAttrib {attr_type} is not Tag or Cost")
        writer.update_program(program.id, tags, costs)
        return Status(program.id, None, "UPDATED")

    def delete(self, instance: str, objects: Sequence[Sent]) -> list[Status]:
        _bounded(objects)
        statuses = []
        with self._store.write(instance) as writer:
            for sent in objects:
                try:
                    kind = type_name(sent.type)
                    if kind == PROGRAM:
                        raise _Failed("a Program is not deleted through the API")
                    key = sent.external_key[1] if sent.external_key else None
                    found = writer.find_mobject(instance, kind, sent.id, key)
                    if found is None:
                        raise _Failed(f"{kind} not found")
                    writer.delete_mobject(found.id)
                    statuses.append(Status(found.id, sent.external_key, "DELETED"))
                except _Failed as failure:
                    statuses.append(Status(sent.id or 0, sent.external_key, "FAILED", str(failure)))
        return statuses

    def get(
        self,
        instance: str,
        kind_name: str | None,
        object_id: int | None,
        external_key: tuple[str, str] | None,
        criteria: Sequence[tuple[str, str, str]],
        associations: Sequence[tuple[str, int | None]],
        details: bool,
        position: str | None,
    ) -> tuple[list[Found], bool, str]:
        kind = type_name(kind_name)
        key = self._store.stream_key()
        after = 0
        if position:
            data = unseal(key, position)
            if data.get("i") != instance or data.get("k") != kind or "o" not in data:
                raise BadStreamPosition("Bad stream position: not one this server issued")
            after = int(data["o"])
        for _, comparison, _ in criteria:
            if comparison not in COMPARISONS:
                raise BadParameter(
                    f"Bad parameter: comparison {comparison} is not one of {', '.join(COMPARISONS)}"
                )
        found = (
            self._programs(instance, details, after)
            if kind == PROGRAM
            else self._stored(instance, kind, after)
        )
        types = {"Id": "integer", "Name": "string"} if kind == PROGRAM else _types(kind)
        wanted_key = None if external_key is None else external_key[1]
        # An Opportunity's association with a lead goes through its roles: read once.
        roles = self._store.mobjects(instance, ROLE) if kind == OPPORTUNITY and associations else []
        kept = [
            f
            for f in found
            if (object_id is None or f.id == object_id)
            and (wanted_key is None or (f.external_key or ("", ""))[1] == wanted_key)
            and all(_matches(f, name, op, value, types) for name, op, value in criteria)
            and all(_associated(kind, f, assoc, roles) for assoc in associations)
        ]
        page = kept[:MAX_OBJECTS]
        more = len(kept) > MAX_OBJECTS
        next_position = seal(key, {"i": instance, "k": kind, "o": page[-1].id}) if more else ""
        return page, more, next_position

    def _stored(self, instance: str, kind: str, after: int) -> list[Found]:
        found = []
        for obj in self._store.mobjects(instance, kind, after):
            attributes = sorted(obj.attributes.items())
            if kind == ROLE:
                attributes += [
                    ("OpportunityId", str(obj.parent_id)),
                    ("PersonId", str(obj.lead_id)),
                ]
            key = (
                (EXTERNAL_KEY[kind], obj.external_key)
                if kind in EXTERNAL_KEY and obj.external_key
                else None
            )
            found.append(Found(kind, obj.id, key, obj.created_at, obj.updated_at, attributes))
        return found

    def _programs(self, instance: str, details: bool, after: int) -> list[Found]:
        found = []
        for program in self._store.list_programs(instance):
            if program.id <= after:
                continue
            attributes = [("Name", program.name), ("Type", "Marketing Program")]
            type_attributes: list[tuple[str, list[tuple[str, str]]]] = []
            if details:
                type_attributes = _program_details(program, self._store.program_costs(program.id))
            found.append(Found(PROGRAM, program.id, None, None, None, attributes, type_attributes))
        return found


def _associated(
    kind: str, found: Found, association: tuple[str, int | None], roles: Sequence[MObject]
) -> bool:
    other, other_id = association
    other_kind = other.strip().casefold()
    values = dict(found.attributes)
    if kind == ROLE and other_kind == "lead":
        return values.get("PersonId") == str(other_id)
    if kind == ROLE and other_kind == "opportunity":
        return values.get("OpportunityId") == str(other_id)
    if kind == OPPORTUNITY and other_kind == "lead":
        return any(r.parent_id == found.id and r.lead_id == other_id for r in roles)
    raise BadParameter(f"Bad parameter: {kind} has no association with {other}")


def _program_details(
    program: Program, costs: list[list[str]]
) -> list[tuple[str, list[tuple[str, str]]]]:
    details: list[tuple[str, list[tuple[str, str]]]] = []
    if program.channel:
        details.append(("Tag", [("Type", "Channel"), ("Value", program.channel)]))
    details += [("Tag", [("Type", t), ("Value", v)]) for t, v in program.tags]
    details += [("Cost", [("Month", m), ("Amount", a), ("Note", n)]) for m, a, n in costs]
    details += [("Token", [("Name", n), ("Value", v)]) for n, v in program.tokens]
    return details


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _bounded(objects: Sequence[object]) -> None:
    if not objects:
        raise ParameterRequired("Parameter required: mObjectList needs an mObject")
    if len(objects) > MAX_OBJECTS:
        raise BadParameter(f"Bad parameter: {len(objects)} objects; at most {MAX_OBJECTS} a call")


def _value(text: str, data_type: str) -> Any:
    if data_type in ("integer", "currency"):
        return float(text)
    if data_type == "boolean":
        return text.lower() in ("true", "1")
    if data_type == "dateTime":
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    return text


def _matches(found: Found, name: str, comparison: str, value: str, types: dict[str, str]) -> bool:
    values = dict(found.attributes)
    values["Id"] = str(found.id)
    have = values.get(name)
    if have is None:
        return comparison == "NE"
    data_type = types.get(name, "string")
    try:
        left, right = _value(have, data_type), _value(value, data_type)
    except ValueError:
        raise BadParameter(f"Bad parameter: {value!r} is no {data_type} for {name}") from None
    outcome: bool = {
        "EQ": left == right,
        "NE": left != right,
        "LT": left < right,
        "LE": left <= right,
        "GT": left > right,
        "GE": left >= right,
    }[comparison]
    return outcome
