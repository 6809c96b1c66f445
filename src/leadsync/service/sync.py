"""syncMultipleLeads: Marketo's upsert rules, applied in order within one transaction.

Keys resolve with one query per key kind for the whole call; records then apply in input
order against an in-memory view of the touched leads, so that a later record sees what an
earlier one did (the same new email twice gives CREATED, then UPDATED of that lead). The
view is written back in two batch statements and committed before the caller answers.
"""

from __future__ import annotations

import functools
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence

import orjson

from leadsync.activities import CHANGE_DATA_VALUE, NEW_LEAD, SOAP_API, Origin
from leadsync.errors import UnknownLeadField
from leadsync.faults import magic_code
from leadsync.fields import STRING_MAX_CHARS, Catalog, FieldType, check_value
from leadsync.model import (
    DEFAULT_INSTANCE,
    FOREIGN_SYS_TYPES,
    Lead,
    LeadRecord,
    SyncStatus,
    SyncStatusCode,
    blank,
    creation_order,
    email_key,
)
from leadsync.store.base import RUN_MAX, ActivityRow, LeadWriter, Store, TransientStoreError
from leadsync.words import quoted

_KEY_MAX_CHARS = 255


class _RecordFailed(Exception):
    """One record cannot apply; the others still do."""


class View:
    """The leads this call can touch, indexed by each key, and what the call changed:
    the leads, and the activities that record each change."""

    def __init__(
        self,
        writer: LeadWriter,
        instance: str,
        records: Sequence[LeadRecord],
        catalog: Catalog,
        origin: Origin,
    ) -> None:
        self.writer = writer
        self.instance = instance
        self.catalog = catalog
        self.origin = origin
        # Runs of activities (lead, kind id, time, [asset, campaign, values] each), as
        # the store keeps them: lead ids are final only after assign_ids.
        self.runs: list[tuple[Lead, int, int, list[tuple[object, ...]]]] = []
        self.by_id: dict[int, Lead] = {}
        self.by_foreign: dict[str, Lead] = {}
        self.by_email: dict[str, list[Lead]] = defaultdict(list)
        self.by_cookie: dict[str, Lead] = {}
        self.created: dict[int, Lead] = {}
        self.updated: dict[int, Lead] = {}
        self.released: set[int] = set()
        self.rekeyed: set[int] = set()  # updated leads whose email or foreign id changed
        ids = {r.id for r in records if r.id is not None}
        foreign_ids = {r.foreign_sys_person_id for r in records if r.foreign_sys_person_id}
        emails = {email_key(r.email) for r in records if r.email}
        emails.update(
            email_key(a.value)
            for r in records
            for a in r.attributes
            if a.name == "Email" and a.value and not a.value.isspace()
        )
        cookies = {r.cookie for r in records if r.cookie}
        for lead in writer.find_leads(ids, foreign_ids, emails, cookies):
            if lead.id not in self.by_id:
                self._index(lead)
        self._next_temporary_id = -1

    def _index(self, lead: Lead) -> None:
        self.by_id[lead.id] = lead
        if lead.foreign_sys_person_id is not None:
            self.by_foreign[lead.foreign_sys_person_id] = lead
        if lead.email:
            self.by_email[email_key(lead.email)].append(lead)
        if lead.cookie is not None:
            self.by_cookie[lead.cookie] = lead

    def set_cookie(self, lead: Lead, cookie: str) -> None:
        """Give the lead this Munchkin cookie, unless another lead holds it already."""
        if lead.cookie == cookie or cookie in self.by_cookie:
            return
        self._rekey(lead)
        if lead.cookie is not None:
            del self.by_cookie[lead.cookie]
        lead.cookie = cookie
        self.by_cookie[cookie] = lead

    def find_email(self, email: str) -> Lead | None:
        """The lead dedup picks for ``email``: the most recently created one (Marketo
        "uses the most recently added object", marketo-objects.md)."""
        holders = self.by_email.get(email_key(email), ())
        return max(holders, key=creation_order, default=None)

    def create(self, email: str | None, stamp: int) -> Lead:
        """A new lead with a temporary (negative) id until ``assign_ids``."""
        lead = Lead(
            self._next_temporary_id, None, None, None, {}, stamp, stamp, None, self.instance
        )
        self._next_temporary_id -= 1
        self.created[lead.id] = lead
        origin = self.origin
        day = _day(stamp)
        self._append(
            lead, NEW_LEAD.id, stamp, (None, None, (origin.source_type, origin.source_type, day))
        )
        self._index(lead)
        self.set_email(lead, email, stamp)
        return lead

    def changed(self, lead: Lead, name: str, old: str | None, new: str | None, stamp: int) -> None:
        """Record that the field ``name`` of ``lead`` changed (None and "" are no value)."""
        if (old or None) == (new or None):
            return
        shown = self.catalog.display_of(name)
        origin = self.origin
        item = (shown, None, (shown, old, new, origin.reason, origin.source))
        self._append(lead, CHANGE_DATA_VALUE.id, stamp, item)

    def _append(self, lead: Lead, kind: int, stamp: int, item: tuple[object, ...]) -> None:
        self.run_of(lead, kind, stamp).append(item)

    def run_of(self, lead: Lead, kind: int, stamp: int) -> list[tuple[object, ...]]:
        """The run new activities of this lead, kind and time go to: the last one if it
        is theirs, else a new one."""
        runs = self.runs
        if runs:
            last = runs[-1]
            if last[0] is lead and last[1] == kind and last[2] == stamp:
                return last[3]
        items: list[tuple[object, ...]] = []
        runs.append((lead, kind, stamp, items))
        return items

    def flush(self) -> None:
        """Write what the call did: the new leads (given their ids), the changed ones,
        the activities."""
        self.assign_ids()
        self.writer.insert_leads(list(self.created.values()))
        self.writer.update_leads(list(self.updated.values()), self.released, self.rekeyed)
        self.writer.insert_activities(self.activity_rows())

    def assign_ids(self) -> None:
        """Give the created leads real ids, in creation order, from one allocation."""
        fresh = self.writer.allocate_ids(len(self.created))
        for lead, lead_id in zip(self.created.values(), fresh, strict=True):
            lead.id = lead_id

    def activity_rows(self) -> list[ActivityRow]:
        """The call's runs of activities, in the order the changes were made (ids follow
        it)."""
        instance = self.instance
        dumps = orjson.dumps
        rows: list[ActivityRow] = []
        for lead, kind, stamp, items in self.runs:
            for start in range(0, len(items), RUN_MAX):
                chunk = items[start : start + RUN_MAX] if len(items) > RUN_MAX else items
                rows.append((instance, lead.id, kind, stamp, len(chunk), dumps(chunk).decode()))
        return rows

    def touch(self, lead: Lead) -> None:
        if lead.id not in self.created:
            self.updated[lead.id] = lead

    def _rekey(self, lead: Lead) -> None:
        if lead.id not in self.created:
            self.rekeyed.add(lead.id)

    def set_email(self, lead: Lead, email: str | None, stamp: int) -> None:
        if email == lead.email:
            return
        self.changed(lead, "Email", lead.email, email, stamp)
        self._rekey(lead)
        if lead.email:
            self.by_email[email_key(lead.email)].remove(lead)
        lead.email = email
        if email:
            self.by_email[email_key(email)].append(lead)

    def set_foreign_id(self, lead: Lead, foreign_id: str, foreign_type: str | None) -> None:
        holder = self.by_foreign.get(foreign_id)
        if holder is not None and holder is not lead:
            # A ForeignSysPersonId belongs to one lead: it moves to this one, with its type.
            holder.foreign_sys_person_id = None
            holder.foreign_sys_type = None
            self.touch(holder)
            self._rekey(holder)
            if holder.id not in self.created:
                self.released.add(holder.id)
        old = lead.foreign_sys_person_id
        if old is not None and old != foreign_id:
            del self.by_foreign[old]
            if lead.id not in self.created:
                self.released.add(lead.id)
        if (lead.foreign_sys_person_id, lead.foreign_sys_type) != (foreign_id, foreign_type):
            self._rekey(lead)
        lead.foreign_sys_person_id = foreign_id
        lead.foreign_sys_type = foreign_type
        self.by_foreign[foreign_id] = lead


Changes = dict[str, str | None]  # attribute name -> new value (None clears)


def _validate(record: LeadRecord, catalog: Mapping[str, FieldType]) -> Changes:
    """The record's attribute changes, or _RecordFailed naming what is wrong."""
    if record.problem:
        raise _RecordFailed(record.problem)
    injected = magic_code(record.email) or magic_code(
        next((a.value for a in record.attributes if a.name == "Email"), None)
    )
    if injected is not None:  # the test kit's magic emails (leadsync/faults.py)
        raise _RecordFailed(f"injected failure ({injected}): the email asks for it")
    if record.id is None and not (record.foreign_sys_person_id or record.email or record.cookie):
        raise _RecordFailed("lead record has no key: give Id, ForeignSysPersonId or Email")
    for key_name, key in (
        ("Email", record.email),
        ("ForeignSysPersonId", record.foreign_sys_person_id),
    ):
        if key is not None and len(key) > _KEY_MAX_CHARS:
            raise _RecordFailed(f"{key_name} is longer than {_KEY_MAX_CHARS} characters")
    if record.foreign_sys_type is not None and record.foreign_sys_type not in FOREIGN_SYS_TYPES:
        raise _RecordFailed(
            f"bad ForeignSysType {quoted(record.foreign_sys_type)}: use CUSTOM, SFDC or NETSUITE"
        )
    changes: dict[str, str | None] = {}
    for attribute in record.attributes:
        field_type = catalog.get(attribute.name)
        if field_type is None:
            _fail_on_unknown(record, catalog)
            continue  # unreachable: the name is unknown
        value = attribute.value
        if value == "" and field_type not in (FieldType.STRING, FieldType.TEXT):
            value = None  # an empty number, date or boolean clears the field
        elif attribute.name == "Email" and blank(value):
            value = None  # a blank Email clears it: no lead holds a blank email key
        if value is not None and not (  # a short string needs no further check
            field_type is FieldType.STRING and len(value) <= STRING_MAX_CHARS
        ):
            wrong = check_value(field_type, value)
            if wrong:
                _fail_on_unknown(record, catalog)  # unknown names are reported first
                raise _RecordFailed(
                    f"bad value for field {attribute.name}: {quoted(_shorten(value))} is {wrong}"
                )
        changes[attribute.name] = value
    return changes


def _fail_on_unknown(record: LeadRecord, catalog: Mapping[str, FieldType]) -> None:
    unknown = sorted({a.name for a in record.attributes if a.name not in catalog})
    if unknown:
        raise _RecordFailed(f"unknown fields for import: {', '.join(unknown)}")


def _shorten(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[:limit] + "..."


@functools.lru_cache(maxsize=4)
def _day_of(day_number: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(day_number * 86_400))


def _day(stamp: int) -> str:
    """The UTC date (YYYY-MM-DD) of a time in microseconds."""
    return _day_of(stamp // 86_400_000_000)


def apply_changes(view: View, lead: Lead, changes: Mapping[str, str | None], stamp: int) -> None:
    # The hot loop of a sync: a Change Data Value is appended here, not through
    # view.changed, which does the same for one field.
    attributes = lead.attributes
    displays = view.catalog.displays
    reason, source = view.origin.reason, view.origin.source
    run: list[tuple[object, ...]] | None = None
    for name, value in changes.items():
        if name == "Email":
            view.set_email(lead, value, stamp)
            run = None
            continue
        old = attributes.get(name)
        if old == value:
            continue
        if (old or None) != (value or None):
            if run is None:
                run = view.run_of(lead, CHANGE_DATA_VALUE.id, stamp)
            shown = displays.get(name, name)
            run.append((shown, None, (shown, old, value, reason, source)))
        if value is None:
            del attributes[name]
        else:
            attributes[name] = value
    lead.updated_at = stamp


def _sync_one(
    view: View,
    record: LeadRecord,
    changes: Mapping[str, str | None],
    dedup: bool,
    stamp: int,
    email_follows_foreign_id: bool,
) -> tuple[Lead, SyncStatusCode]:
    lead: Lead | None
    if record.id is not None:
        lead = view.by_id.get(record.id)
        if lead is None:
            raise _RecordFailed(f"lead not found: no lead has Id {record.id}")
    elif record.foreign_sys_person_id:
        lead = view.by_foreign.get(record.foreign_sys_person_id)
        if lead is not None and email_follows_foreign_id and record.email:
            view.set_email(lead, record.email, stamp)  # syncLead: the foreign id wins
    elif record.cookie and record.cookie in view.by_cookie:
        lead = view.by_cookie[record.cookie]
    elif dedup and record.email:
        lead = view.find_email(record.email)
    else:
        lead = None

    if lead is None:
        lead = view.create(record.email, stamp)
        if record.cookie:
            view.set_cookie(lead, record.cookie)
        if record.foreign_sys_person_id:
            view.set_foreign_id(lead, record.foreign_sys_person_id, record.foreign_sys_type)
        apply_changes(view, lead, changes, stamp)
        return lead, SyncStatusCode.CREATED

    if record.foreign_sys_person_id:
        foreign_type = record.foreign_sys_type or lead.foreign_sys_type
        view.set_foreign_id(lead, record.foreign_sys_person_id, foreign_type)
    if record.cookie:
        view.set_cookie(lead, record.cookie)
    apply_changes(view, lead, changes, stamp)
    view.touch(lead)
    return lead, SyncStatusCode.UPDATED


MAX_ATTEMPTS = 3


def sync_multiple_leads(
    store: Store,
    records: Sequence[LeadRecord],
    dedup: bool = True,
    now_us: int | None = None,
    instance: str = DEFAULT_INSTANCE,
    *,
    email_follows_foreign_id: bool = False,
    catalog: Catalog | None = None,
    origin: Origin = SOAP_API,
) -> list[SyncStatus]:
    """Upsert ``records`` into ``instance`` in order; one status per record, committed
    before returning with the activities that record every change (``origin`` says who
    wrote). ``catalog``: the store's, when the caller has read it already.

    A transaction the store reports as transient (lock timeout, deadlock) is run again
    from the start, a bounded number of times.
    """
    # Validation needs only the field catalog: it runs before the write transaction,
    # so the store's lock is held for the key lookups and writes alone.
    catalog = catalog or store.catalog(instance)
    records = [_trimmed(record) for record in records]
    checked = [_checked(record, catalog.types) for record in records]
    attempt = 1
    while True:
        try:
            return _sync_once(
                store,
                instance,
                records,
                checked,
                dedup,
                now_us,
                email_follows_foreign_id,
                catalog,
                origin,
            )
        except TransientStoreError:
            if attempt == MAX_ATTEMPTS:
                raise
            attempt += 1


def _trimmed(record: LeadRecord) -> LeadRecord:
    """The record with its blank string keys (only whitespace) taken as absent: a blank
    Email is no Email, never a key that every other blank Email would match."""
    email, foreign_id, cookie = record.email, record.foreign_sys_person_id, record.cookie
    if (
        (email is not None and email.isspace())
        or (foreign_id is not None and foreign_id.isspace())
        or (cookie is not None and cookie.isspace())
    ):
        return record._replace(
            email=None if blank(email) else email,
            foreign_sys_person_id=None if blank(foreign_id) else foreign_id,
            cookie=None if blank(cookie) else cookie,
        )
    return record


def _checked(record: LeadRecord, catalog: Mapping[str, FieldType]) -> Changes | str:
    """The record's attribute changes, or why it fails."""
    try:
        return _validate(record, catalog)
    except _RecordFailed as failure:
        return str(failure)


def _sync_once(
    store: Store,
    instance: str,
    records: Sequence[LeadRecord],
    checked: Sequence[Changes | str],
    dedup: bool,
    now_us: int | None,
    email_follows_foreign_id: bool,
    catalog: Catalog,
    origin: Origin,
) -> list[SyncStatus]:
    base = time.time_ns() // 1000 if now_us is None else now_us
    outcomes: list[tuple[Lead, SyncStatusCode] | str] = []
    with store.write(instance) as writer:
        view = View(writer, instance, records, catalog, origin)
        for index, (record, changes) in enumerate(zip(records, checked, strict=True)):
            # Each record gets its own microsecond, so "most recently updated" is exact
            # within a call too.
            stamp = base + index
            if isinstance(changes, str):
                outcomes.append(changes)
                continue
            try:
                outcomes.append(
                    _sync_one(view, record, changes, dedup, stamp, email_follows_foreign_id)
                )
            except _RecordFailed as failure:
                outcomes.append(str(failure))
        view.flush()
    return [
        SyncStatus(0, SyncStatusCode.FAILED, outcome)
        if isinstance(outcome, str)
        else SyncStatus(outcome[0].id, outcome[1])
        for outcome in outcomes
    ]


def sync_lead(
    store: Store,
    record: LeadRecord,
    instance: str = DEFAULT_INSTANCE,
    catalog: Catalog | None = None,
) -> tuple[SyncStatus, Lead | None]:
    """syncLead: one record, with its own rules, and the lead as stored afterwards.

    Unlike syncMultipleLeads, an unknown attribute fails the whole call (fault 20105, as
    Marketo answers), a ForeignSysPersonId with an Email and no Id updates the Email,
    and a Munchkin cookie is a key (after Id and ForeignSysPersonId, before Email).
    """
    catalog = catalog or store.catalog(instance)
    unknown = sorted({a.name for a in record.attributes if a.name not in catalog.types})
    if unknown:
        raise UnknownLeadField(
            f"syncLead operation failed: unknown fields for import: {', '.join(unknown)}"
        )
    [status] = sync_multiple_leads(
        store,
        [record],
        dedup=True,
        instance=instance,
        email_follows_foreign_id=True,
        catalog=catalog,
    )
    if status.status is SyncStatusCode.FAILED:
        return status, None
    [lead] = store.read_leads(instance, ids=[status.lead_id])
    return status, lead
