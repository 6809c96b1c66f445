"""The REST API's lead writes (Sync Leads, ``POST /rest/v1/leads.json``, and Push Lead):
records named by REST field names, an ``action`` and a ``lookupField``, one outcome per
record in input order, applied in one transaction through the same view as
syncMultipleLeads (service/sync.py), so both APIs write the same rows and history.

The rules, where Marketo documents them (rest-api/leads.md, error-codes.md):
``createOrUpdate`` (the default) updates the one lead the lookup value names or creates
one; ``createOnly`` skips a record whose lead exists (1005); ``updateOnly`` skips one whose
lead does not (1004); ``createDuplicate`` always creates. A lookup value more than one lead
holds is 1007; ``id`` is a lookup field for ``updateOnly`` only and may not be sent with
the other actions (1003); an unknown field is 1006, a field that cannot be a lookup field
1011, a second record of the call with the same lookup value 1036 (docs/compatibility.md).
The ForeignSysPersonId, a SOAP key REST has no name for, is never touched.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from leadsync.activities import REST_API, Origin
from leadsync.faults import magic_code
from leadsync.fields import Catalog, FieldDef, FieldType, check_value
from leadsync.model import Lead, LeadRecord, email_key
from leadsync.service.sync import MAX_ATTEMPTS, View, apply_changes
from leadsync.store.base import Store, TransientStoreError
from leadsync.words import quoted

MAX_RECORDS = 300
# The lookup fields besides email and id: a custom field of one of these types.
_KEY_TYPES = frozenset({FieldType.STRING, FieldType.INTEGER})
_READ_ONLY = frozenset({"createdAt", "updatedAt"})


class Action(StrEnum):
    CREATE_OR_UPDATE = "createOrUpdate"
    CREATE_ONLY = "createOnly"
    UPDATE_ONLY = "updateOnly"
    CREATE_DUPLICATE = "createDuplicate"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One record's result: ``status`` created, updated or skipped (with a 1xxx code)."""

    status: str
    lead_id: int | None = None
    code: int = 0
    message: str = ""


class _Skip(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class _Record:
    key: str | None  # the lookup value (an id's digits, an email, a field's value)
    changes: dict[str, str | None]  # SOAP field name -> new value (None clears)


def rest_fields(catalog: Catalog) -> dict[str, FieldDef]:
    """The instance's fields by REST name, case-folded (REST names match in any case)."""
    return {f.rest.casefold(): f for f in catalog.fields if f.rest}


def json_text(value: object, field: FieldDef) -> str | None:
    """A JSON value as the text the store keeps, or _Skip naming what is wrong."""
    if value is None:
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = repr(value) if isinstance(value, float) else str(value)
    elif isinstance(value, str):
        text = value
    else:
        raise _Skip(1003, f"Invalid value for field {quoted(field.rest)}: not a scalar")
    if text == "" and field.type not in (FieldType.STRING, FieldType.TEXT):
        return None
    wrong = check_value(field.type, text)
    if wrong:
        shown = text if len(text) <= 80 else text[:80] + "..."
        raise _Skip(1003, f"Invalid value {quoted(shown)} for field {quoted(field.rest)}: {wrong}")
    return text


class Lookup:
    """The ``lookupField`` of a call: email, id or a custom field, checked once."""

    def __init__(self, name: str, action: Action, fields: Mapping[str, FieldDef]) -> None:
        folded = name.casefold()
        self.name = name
        self.field: FieldDef | None = fields.get(folded)
        self.problem: tuple[int, str] | None = None
        if folded == "id":
            if action is not Action.UPDATE_ONLY:
                self.problem = (1003, "lookupField id is allowed with action updateOnly only")
        elif self.field is None:
            self.problem = (1006, f"Field {quoted(name)} not found")
        elif folded != "email" and not (self.field.custom and self.field.type in _KEY_TYPES):
            self.problem = (1011, f"Field {quoted(name)} not supported as a lookupField")

    @property
    def is_id(self) -> bool:
        return self.field is None and self.problem is None

    @property
    def is_email(self) -> bool:
        return self.field is not None and self.field.name == "Email"


def upsert_leads(
    store: Store,
    instance: str,
    inputs: Sequence[object],
    action: Action = Action.CREATE_OR_UPDATE,
    lookup_field: str = "email",
    *,
    origin: Origin = REST_API,
    now_us: int | None = None,
) -> list[Outcome]:
    """Apply ``inputs`` (JSON objects by REST field name) in order; one outcome each,
    committed before returning."""
    catalog = store.catalog(instance)
    fields = rest_fields(catalog)
    lookup = Lookup(lookup_field, action, fields)
    checked = [_checked(item, action, lookup, fields) for item in inputs]
    attempt = 1
    while True:
        try:
            return _upsert_once(store, instance, checked, action, lookup, catalog, origin, now_us)
        except TransientStoreError:
            if attempt == MAX_ATTEMPTS:
                raise
            attempt += 1


def _checked(
    item: object, action: Action, lookup: Lookup, fields: Mapping[str, FieldDef]
) -> _Record | _Skip:
    try:
        return _record(item, action, lookup, fields)
    except _Skip as skip:
        return skip


def _record(
    item: object, action: Action, lookup: Lookup, fields: Mapping[str, FieldDef]
) -> _Record:
    if lookup.problem is not None:
        raise _Skip(*lookup.problem)
    if not isinstance(item, dict):
        raise _Skip(1003, "Invalid data: each input record must be a JSON object")
    unknown = sorted(
        name
        for name in item
        if name.casefold() not in fields and name.casefold() != "id" and name not in _READ_ONLY
    )
    if unknown:
        raise _Skip(1006, f"Field {quoted(unknown[0])} not found")
    changes: dict[str, str | None] = {}
    key: str | None = None
    for name, value in item.items():
        folded = name.casefold()
        if folded == "id":
            if action is not Action.UPDATE_ONLY:
                raise _Skip(1003, "Invalid data: id may be sent with action updateOnly only")
            if (
                isinstance(value, bool)
                or not isinstance(value, int | str)
                or not str(value).isdigit()
            ):
                raise _Skip(1003, f"Invalid value {quoted(str(value))} for field 'id': not an id")
            key = str(int(value))
            continue
        if name in _READ_ONLY:
            raise _Skip(1003, f"Invalid data: field {quoted(name)} is read-only")
        field = fields[folded]
        text = json_text(value, field)
        changes[field.name] = text
        if lookup.field is field:
            key = text
    injected = magic_code(changes.get("Email"))
    if injected is not None:  # the test kit's magic emails (leadsync/faults.py)
        raise _Skip(injected, f"Injected failure {injected}: the email asks for it")
    if key is not None and lookup.is_email:
        key = key.strip() or None
    if key is None and action in (Action.CREATE_OR_UPDATE, Action.UPDATE_ONLY):
        raise _Skip(1003, f"Invalid data: no value for the lookupField {quoted(lookup.name)}")
    if lookup.is_email and "Email" in changes and changes["Email"] is not None:
        changes["Email"] = changes["Email"].strip() or None
    return _Record(key, changes)


def _upsert_once(
    store: Store,
    instance: str,
    checked: Sequence[_Record | _Skip],
    action: Action,
    lookup: Lookup,
    catalog: Catalog,
    origin: Origin,
    now_us: int | None,
) -> list[Outcome]:
    base = time.time_ns() // 1000 if now_us is None else now_us
    records = [r for r in checked if isinstance(r, _Record)]
    # What the view loads and locks: the leads the ids name, or those with the emails.
    keys = [
        LeadRecord(
            id=int(r.key) if lookup.is_id and r.key is not None else None,
            email=r.changes.get("Email"),
        )
        for r in records
    ]
    outcomes: list[Outcome] = []
    with store.write(instance) as writer:
        view = View(writer, instance, keys, catalog, origin)
        by_value: dict[str, list[Lead]] = defaultdict(list)
        custom = lookup.field if lookup.field is not None and not lookup.is_email else None
        if custom is not None:
            values = {r.key for r in records if r.key is not None}
            for lead in writer.find_by_field(custom.name, values):
                by_value[lead.attributes.get(custom.name, "")].append(lead)
        seen: set[str] = set()
        created: list[tuple[int, Lead]] = []
        for index, record in enumerate(checked):
            if isinstance(record, _Skip):
                outcomes.append(Outcome("skipped", None, record.code, record.message))
                continue
            stamp = base + index
            try:
                outcomes.append(
                    _apply_one(view, record, action, lookup, custom, by_value, seen, stamp)
                )
            except _Skip as skip:
                outcomes.append(Outcome("skipped", None, skip.code, skip.message))
                continue
            if outcomes[-1].status == "created":
                created.append((index, view.created[outcomes[-1].lead_id or 0]))
        view.flush()
    for index, lead in created:  # the temporary ids of new leads, now real
        outcomes[index] = Outcome("created", lead.id)
    return outcomes


def _apply_one(
    view: View,
    record: _Record,
    action: Action,
    lookup: Lookup,
    custom: FieldDef | None,
    by_value: dict[str, list[Lead]],
    seen: set[str],
    stamp: int,
) -> Outcome:
    holders: list[Lead] = []
    if action is not Action.CREATE_DUPLICATE and record.key is not None:
        seen_key = email_key(record.key) if lookup.is_email else record.key
        if seen_key in seen:
            raise _Skip(
                1036,
                f"Duplicate object found in input: an earlier record has the same {lookup.name}",
            )
        seen.add(seen_key)
        if lookup.is_id:
            found = view.by_id.get(int(record.key))
            holders = [found] if found is not None else []
        elif lookup.is_email:
            holders = list(view.by_email.get(email_key(record.key), ()))
        else:
            holders = by_value.get(record.key, [])
    if len(holders) > 1 and action is not Action.CREATE_DUPLICATE:
        raise _Skip(1007, "Multiple leads match the lookup criteria")
    if holders:
        if action is Action.CREATE_ONLY:
            raise _Skip(1005, "Lead already exists")
        lead = holders[0]
        apply_changes(view, lead, record.changes, stamp)
        view.touch(lead)
        return Outcome("updated", lead.id)
    if action is Action.UPDATE_ONLY:
        raise _Skip(1004, "Lead not found")
    lead = view.create(record.changes.get("Email"), stamp)
    apply_changes(view, lead, record.changes, stamp)
    if custom is not None and record.key is not None:
        by_value[record.key].append(lead)
    return Outcome("created", lead.id)
