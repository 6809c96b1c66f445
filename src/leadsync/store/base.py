"""The Store protocol: what the service needs from a lead database, nothing more.

One write transaction per call (``Store.write``) gives the service set-based lookups and
batch writes on the leads of one instance; everything in it commits together or not at
all. Every lead belongs to one instance (a Marketo subscription); a writer sees and
changes only its instance's leads.
"""

from __future__ import annotations

from collections.abc import Collection, Generator, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from leadsync.activities import Activity
from leadsync.campaigns import Campaign, CampaignRun, RunKind
from leadsync.custom_objects import CustomObject, ObjectType
from leadsync.errors import StoreBusy
from leadsync.exports import ExportFilter, ExportJob, ExportKind, ExportStatus, LeadColumn
from leadsync.fields import Catalog, FieldDef
from leadsync.identity import RestClient, Token
from leadsync.imports import ImportJob
from leadsync.lists import Channel, Program, StaticList
from leadsync.mobjects import MObject
from leadsync.model import DEFAULT_INSTANCE, Account, Lead, email_key

# The lead columns both stores write, in this order (``id`` first, ``instance`` last).
WRITE_COLUMNS = (
    "id",
    "email",
    "email_key",
    "foreign_id",
    "foreign_type",
    "attrs",
    "created_at",
    "updated_at",
    "cookie",
    "instance",
)


def lead_params(lead: Lead, attributes: object, instance: str) -> tuple[object, ...]:
    """The values of WRITE_COLUMNS for ``lead``; ``attributes`` as the store encodes them."""
    return (
        lead.id,
        lead.email,
        None if lead.email is None else email_key(lead.email),
        lead.foreign_sys_person_id,
        lead.foreign_sys_type,
        attributes,
        lead.created_at,
        lead.updated_at,
        lead.cookie,
        instance,
    )


# The activities table holds runs: the activities of one lead, of one kind, at one time,
# that one call wrote, numbered with consecutive ids. A row's ``id`` is the run's last
# activity id, ``n`` how many it holds, ``body`` a JSON array of [asset, campaign,
# values] per activity (values in the kind's attribute order). A call that changes 5
# fields of 300 leads writes 300 rows, not 1,500: rows, index entries and bytes are what
# history costs a write.
ACTIVITY_COLUMNS = "id, n, lead_id, kind, created_at, body"
RUN_MAX = 1000  # a longer run is split: a row never holds more activities than this

# A new run, all but its ids: (instance, lead id, kind, created_at, n, body). Writers take
# rows, not Activity values: a call appends thousands of activities.
ActivityRow = tuple[str, int, int, int, int, str]


def run_params(instance: str, activities: Sequence[Activity]) -> ActivityRow:
    """The row of a run: ``activities`` of one lead, kind and time (ids are the store's)."""
    first = activities[0]
    body = orjson.dumps([[a.asset, a.campaign, a.values] for a in activities]).decode()
    return (instance, first.lead_id, first.kind, first.created_at, len(activities), body)


def expand(row: Sequence[Any]) -> list[Activity]:
    """The activities of a row of ACTIVITY_COLUMNS, ids ascending."""
    last, n, lead_id, kind, created_at, body = row
    first = int(last) - n + 1
    return [
        Activity(first + i, lead_id, kind, created_at, asset, tuple(values), campaign)
        for i, (asset, campaign, values) in enumerate(orjson.loads(body))
    ]


def expand_after(rows: Sequence[Sequence[Any]], after_id: int, limit: int) -> list[Activity]:
    """Up to ``limit`` activities of ``rows`` (by id) with ids above ``after_id``."""
    found: list[Activity] = []
    for row in rows:
        found.extend(a for a in expand(row) if a.id > after_id)
        if len(found) >= limit:
            return found[:limit]
    return found


def lead_page_sql(before_id: int | None, mark: str) -> tuple[str, list[object], str, list[object]]:
    """For a lead's activities below ``before_id``: the extra WHERE clause on rows (a run
    may straddle the id) and its parameters, and the expression counting a row's
    activities below the id and its parameters."""
    if before_id is None:
        return "", [], "n", []
    clause = f" AND id < {mark} AND id - n < {mark}"
    counted = f"CASE WHEN id < {mark} THEN n ELSE {mark} - (id - n + 1) END"
    return clause, [before_id + RUN_MAX, before_id - 1], counted, [before_id, before_id]


def newest_first(
    rows: Sequence[Sequence[Any]], before_id: int | None, limit: int
) -> list[Activity]:
    """Up to ``limit`` activities of ``rows`` (by id, descending) with ids below
    ``before_id``, newest first."""
    found: list[Activity] = []
    for row in rows:
        found.extend(a for a in reversed(expand(row)) if before_id is None or a.id < before_id)
        if len(found) >= limit:
            return found[:limit]
    return found


def page_sql(query: LeadQuery, instance: str, after_id: int, mark: str) -> tuple[str, list[object]]:
    """The WHERE clause (and its parameters) of a page of ``query`` after ``after_id``."""
    clauses = [f"instance = {mark}", f"id > {mark}", f"id <= {mark}"]
    params: list[object] = [instance, after_id, query.max_id]
    for column, values in (("id", query.ids), ("email_key", query.email_keys)):
        if values is not None:
            clauses.append(f"{column} IN ({', '.join([mark] * len(values))})" if values else "0=1")
            params.extend(values)
    if query.list_id is not None:  # the members' range of the list's key: one index range
        clauses.append(
            f"id IN (SELECT lead_id FROM list_members WHERE list_id = {mark}"
            f" AND lead_id > {mark} AND lead_id <= {mark})"
        )
        params.extend((query.list_id, after_id, query.max_id))
    if query.oldest is not None:
        window = f"updated_at >= {mark}"
        params.append(query.oldest)
        if query.latest is not None:
            window += f" AND updated_at <= {mark}"
            params.append(query.latest)
        if query.started is not None:
            window = f"(({window}) OR updated_at > {mark})"
            params.append(query.started)
        clauses.append(window)
    return " AND ".join(clauses), params


def remaining_sql(
    query: LeadQuery, instance: str, after_id: int, mark: str
) -> tuple[str, list[object]]:
    """The count of ``query``'s leads after ``after_id``. A list's members are counted on
    the membership index alone (every member is a lead of the list's instance)."""
    if query.list_id is not None and query.ids is None and query.email_keys is None:
        if query.oldest is None:
            return (
                f"SELECT count(*) FROM list_members WHERE list_id = {mark}"
                f" AND lead_id > {mark} AND lead_id <= {mark}",
                [query.list_id, after_id, query.max_id],
            )
    where, params = page_sql(query, instance, after_id, mark)
    return f"SELECT count(*) FROM leads WHERE {where}", params


def split_updates(leads: Sequence[Lead], rekeyed: Collection[int]) -> tuple[list[Lead], list[Lead]]:
    """(leads whose keys changed, leads whose attributes alone changed)."""
    keyed = [lead for lead in leads if lead.id in rekeyed]
    plain = [lead for lead in leads if lead.id not in rekeyed]
    return keyed, plain


@dataclass(frozen=True, slots=True)
class LeadQuery:
    """What getMultipleLeads selects: leads with ids up to ``max_id`` (those that existed
    when paging began), by key or by update time.

    By time: ``oldest <= updatedAt <= latest``, or updated after ``started`` (a lead
    updated while paging is still delivered, never skipped)."""

    max_id: int
    ids: tuple[int, ...] | None = None
    email_keys: tuple[str, ...] | None = None
    oldest: int | None = None  # microseconds
    latest: int | None = None
    started: int | None = None
    list_id: int | None = None  # StaticListSelector: the list's members


@dataclass(frozen=True, slots=True)
class ActivityQuery:
    """Which activities a history read selects: by kind (``kinds`` only, or all but
    ``excluded``), by lead (or a list's members), and by time (microseconds, both ends
    included)."""

    kinds: frozenset[int] | None = None
    excluded: frozenset[int] = frozenset()
    lead_ids: tuple[int, ...] | None = None
    oldest: int | None = None
    latest: int | None = None
    list_id: int | None = None  # the leads that are members of this list now


def activity_sql(query: ActivityQuery, mark: str) -> tuple[list[str], list[object]]:
    """The WHERE clauses (and parameters) of ``query`` over the activities table."""
    clauses: list[str] = []
    params: list[object] = []
    for column, values, negate in (
        ("kind", query.kinds, False),
        ("kind", query.excluded or None, True),
        ("lead_id", query.lead_ids, False),
    ):
        if values is None:
            continue
        if not values:
            clauses.append("1=1" if negate else "0=1")
            continue
        clauses.append(
            f"{column} {'NOT IN' if negate else 'IN'} ({', '.join([mark] * len(values))})"
        )
        params.extend(sorted(values))
    if query.list_id is not None:
        clauses.append(f"lead_id IN (SELECT lead_id FROM list_members WHERE list_id = {mark})")
        params.append(query.list_id)
    if query.oldest is not None:
        clauses.append(f"created_at >= {mark}")
        params.append(query.oldest)
    if query.latest is not None:
        clauses.append(f"created_at <= {mark}")
        params.append(query.latest)
    return clauses, params


@dataclass(frozen=True, slots=True)
class ChangePosition:
    """Where a getLeadChanges stream stands: every activity with an id up to ``last_id``
    written by a transaction below ``horizon`` has been delivered, and none written at
    or above it, except those of the band: written in ``[horizon, band_end)`` with ids
    up to ``band_last``.

    SQLite commits activity ids in order, so its horizon stays 0 and ``last_id`` says it
    all. On PostgreSQL ids from a sequence become visible out of order: a transaction is
    identified by its xid, and a page delivers only rows of transactions below the oldest
    one still running (the snapshot's xmin), so nothing later can appear behind it. Rows
    of transactions that were running when the stream passed their ids are delivered
    first on a later page, as the band (see docs/architecture.md)."""

    horizon: int = 0
    last_id: int = 0
    band_end: int = 0
    band_last: int = 0


class TransientStoreError(StoreBusy):
    """The store gave up on a transaction that may succeed if run again (a lock timeout,
    a deadlock or serialization failure); the service retries the whole call, and past
    its attempts the caller is answered StoreBusy's codes (REST 604, SOAP 20011)."""


class ListWriter(Protocol):
    """Static list membership, inside a write transaction (a LeadWriter's part)."""

    def members(self, list_id: int, lead_ids: Collection[int]) -> set[int]:
        """Which of these leads are members of the list."""
        ...

    def add_members(self, list_id: int, lead_ids: Collection[int], at: int) -> list[int]:
        """Make these leads members; the ids of those that were not, ascending."""
        ...

    def remove_members(self, list_id: int, lead_ids: Collection[int]) -> list[int]:
        """End these leads' membership; the ids of those that were members, ascending."""
        ...


class RunWriter(Protocol):
    """Campaign runs, inside a write transaction (a LeadWriter's part)."""

    def add_run(
        self,
        instance: str,
        campaign_id: int,
        kind: RunKind,
        asked_at: int,
        run_at: int | None,
        lead_ids: Sequence[int],
        tokens: Sequence[tuple[str, str]],
        clone_to: str | None,
    ) -> int: ...


class MergeWriter(Protocol):
    """mergeLeads' table changes, inside a write transaction (a LeadWriter's part)."""

    def merge_into(self, winner: int, losers: Collection[int]) -> None:
        """Move the losers' list memberships and activities to the winner, then delete
        the losers."""
        ...


class ObjectWriter(Protocol):
    """Custom objects, inside a write transaction (a LeadWriter's part)."""

    def find_object(
        self, type_id: int, lead_id: int, keys: Sequence[str]
    ) -> CustomObject | None: ...

    def insert_object(
        self, type_id: int, lead_id: int, keys: Sequence[str], attributes: dict[str, str], at: int
    ) -> int: ...

    def update_object(self, object_id: int, attributes: dict[str, str], at: int) -> None: ...

    def delete_object(self, object_id: int) -> None: ...


class MObjectWriter(Protocol):
    """MObjects and program details, inside a write transaction (a LeadWriter's part)."""

    def find_mobject(
        self, instance: str, type_name: str, object_id: int | None, external_key: str | None
    ) -> MObject | None: ...

    def insert_mobject(self, instance: str, obj: MObject) -> int: ...

    def update_mobject(self, obj: MObject) -> None: ...

    def delete_mobject(self, object_id: int) -> None: ...

    def update_program(
        self, program_id: int, tags: Sequence[tuple[str, str]], costs: Sequence[Sequence[str]]
    ) -> None: ...


class DeleteWriter(Protocol):
    """A write transaction's lead deletions."""

    def reset_instance(self, instance: str, everything: bool = False) -> None:
        """The admin API's reset of one instance (store/tables.py DATA_DELETES)."""
        ...

    def delete_leads(self, lead_ids: Collection[int]) -> None:
        """The leads and everything that is theirs (memberships, history, objects)."""
        ...


class LeadWriter(
    ListWriter, RunWriter, MergeWriter, ObjectWriter, MObjectWriter, DeleteWriter, Protocol
):
    """The inside of one write transaction, on the leads of one instance."""

    def find_leads(
        self,
        ids: Collection[int],
        foreign_ids: Collection[str],
        email_keys: Collection[str],
        cookies: Collection[str] = (),
    ) -> list[Lead]:
        """Every lead of the instance with one of these ids, foreign ids, email keys or
        cookies.

        Until the transaction ends, no other writer may give any of these keys to a
        lead, nor change a lead returned here.
        """
        ...

    def find_by_field(self, name: str, values: Collection[str]) -> list[Lead]:
        """The leads whose attribute ``name`` holds one of ``values`` (a REST lookup
        field), locked for this transaction as ``find_leads`` locks them."""
        ...

    def allocate_ids(self, count: int) -> list[int]:
        """``count`` fresh lead ids in increasing order, never handed out before."""
        ...

    def insert_leads(self, leads: Sequence[Lead]) -> None: ...

    def insert_activities(self, rows: Sequence[ActivityRow]) -> None:
        """Append these runs in this transaction; the store numbers their activities
        with consecutive ids, in order."""
        ...

    def update_leads(
        self, leads: Sequence[Lead], released: Collection[int], rekeyed: Collection[int]
    ) -> None:
        """Write ``leads``. Only those in ``rekeyed`` changed their email or foreign id:
        the others need their attributes and updatedAt written, which spares the key
        indexes. ``released`` are ids whose ForeignSysPersonId moved to another lead in
        this transaction: their old value is cleared first, so a swap never clashes."""
        ...


class AccountStore(Protocol):
    """The users who may call, and the instances (Marketo subscriptions) they belong to."""

    def account(self, user_id: str) -> Account | None: ...

    def add_user(self, user_id: str, secret: str, instance: str = DEFAULT_INSTANCE) -> bool:
        """False when the user exists already (its key and instance are then replaced).
        Raises ValueError for an instance that does not exist."""
        ...

    def remove_user(self, user_id: str) -> bool: ...

    def list_users(self) -> list[tuple[str, str]]:
        """(user id, instance) of every user, by user id."""
        ...

    def add_instance(self, name: str) -> bool:
        """False when it exists already."""
        ...

    def list_instances(self) -> list[str]: ...

    def instance_use(self, name: str) -> tuple[int, int]:
        """(users, leads) of the instance ``name``."""
        ...

    def remove_instance(self, name: str) -> bool:
        """Remove the instance with its users, fields and leads; False when there is none."""
        ...


class CatalogStore(Protocol):
    """Each instance's lead field catalog: its custom fields."""

    def catalog(self, instance: str = DEFAULT_INSTANCE) -> Catalog:
        """The field catalog of ``instance``: the standard fields and its custom ones."""
        ...

    def add_field(self, instance: str, field: FieldDef) -> None: ...

    def field_use(self, instance: str, name: str) -> int:
        """How many leads of ``instance`` hold a value of the field ``name``."""
        ...

    def remove_field(self, instance: str, name: str) -> bool:
        """Remove the custom field of ``instance`` and its leads' values of it; False when
        there is none."""
        ...


class LeadStore(Protocol):
    """The leads: one write transaction a call, reads by key, pages, exports."""

    def write(self, instance: str = DEFAULT_INSTANCE) -> AbstractContextManager[LeadWriter]:
        """One write transaction on the leads of ``instance``."""
        ...

    def read_leads(
        self,
        instance: str,
        ids: Collection[int] = (),
        email_keys: Collection[str] = (),
        cookies: Collection[str] = (),
    ) -> list[Lead]:
        """The leads of ``instance`` with one of these keys, by id (no locks taken)."""
        ...

    def read_by_field(self, instance: str, name: str, values: Collection[str]) -> list[Lead]:
        """The leads of ``instance`` whose attribute ``name`` holds one of ``values``, by
        id (no locks taken)."""
        ...

    def page_leads(
        self, instance: str, query: LeadQuery, after_id: int, limit: int
    ) -> tuple[list[Lead], int]:
        """Up to ``limit`` leads matching ``query`` with ids above ``after_id``, by id, and
        how many more match after them."""
        ...

    def last_lead_id(self) -> int:
        """The highest lead id handed out so far (0 for none)."""
        ...

    def stream_key(self) -> bytes:
        """The server-wide secret that signs stream positions (made at migration)."""
        ...

    def iter_leads(self, instance: str | None = None) -> Iterator[Lead]:
        """The leads of ``instance`` (of every instance when None), by id."""
        ...

    def attribute_names(self, instance: str | None = None) -> list[str]:
        """Every attribute name that some lead (of ``instance``) holds, sorted."""
        ...


class ActivityStore(Protocol):
    """The leads' history: the activities their writes appended."""

    def lead_activities(
        self, instance: str, lead_id: int, query: ActivityQuery, before_id: int | None, limit: int
    ) -> tuple[list[Activity], int]:
        """Up to ``limit`` activities of the lead matching ``query``, newest first, with
        ids below ``before_id`` (None: from the newest), and how many more match."""
        ...

    def change_start(self, after_id: int = 0, since: int | None = None) -> ChangePosition:
        """The position of a new stream: after the activity ``after_id``, and past every
        activity id below the first created at or after ``since`` (microseconds)."""
        ...

    def page_changes(
        self, instance: str, query: ActivityQuery, position: ChangePosition, limit: int
    ) -> tuple[list[Activity], ChangePosition, int]:
        """The next activities of the stream at ``position`` matching ``query``, ids
        ascending, the position after them, and how many more match now (counted up to
        REMAINING_CAP)."""
        ...

    def iter_activities(
        self, instance: str, lead_id: int | None = None, since: int | None = None
    ) -> Iterator[Activity]:
        """The activities of ``instance`` (of one lead, created at or after ``since``), by
        id, from one snapshot."""
        ...

    def prune_activities(self, before: int, limit: int) -> int:
        """Delete the oldest activities created before ``before`` (microseconds), up to
        ``limit`` runs (rows), in one short transaction; how many activities that was
        (0: none is left)."""
        ...


class ListStore(Protocol):
    """Each instance's channels, programs and static lists (store/lists_sql.py). An add
    raises ValueError for a name taken in the instance or an unknown program or
    channel."""

    def add_channel(self, instance: str, channel: Channel) -> int:
        """The new channel's id (``channel.id`` is ignored)."""
        ...

    def list_channels(self, instance: str) -> list[Channel]: ...

    def add_program(
        self,
        instance: str,
        name: str,
        channel: str | None,
        tags: Sequence[tuple[str, str]],
        now_us: int,
        tokens: Sequence[tuple[str, str]] = (),
    ) -> int: ...

    def list_programs(self, instance: str) -> list[Program]: ...

    def add_list(self, instance: str, name: str, program: str | None, now_us: int) -> int: ...

    def list_lists(self, instance: str) -> list[StaticList]:
        """By id."""
        ...

    def list_size(self, list_id: int) -> int: ...

    def remove_list(self, instance: str, name: str) -> bool:
        """Remove the list and its memberships; False when there is none."""
        ...

    def members_of(self, list_id: int, lead_ids: Collection[int]) -> set[int]:
        """Which of these leads are members of the list (no locks taken)."""
        ...


class CampaignStore(Protocol):
    """Each instance's smart campaigns and the runs asked of them
    (store/campaigns_sql.py)."""

    def add_campaign(
        self,
        instance: str,
        name: str,
        program: str,
        description: str,
        requestable: bool,
        now_us: int,
    ) -> int:
        """The new campaign's id; ValueError for a taken name or an unknown program."""
        ...

    def list_campaigns(self, instance: str) -> list[Campaign]:
        """By id."""
        ...

    def campaign_runs(self, instance: str, campaign_id: int | None = None) -> list[CampaignRun]:
        """By id (the order they were asked for)."""
        ...


class ImportStore(Protocol):
    """importToList jobs (store/imports_sql.py)."""

    def add_import(self, job: ImportJob) -> int:
        """Store a new job (its id, progress and claim are the store's); its id."""
        ...

    def latest_import(self, list_id: int) -> ImportJob | None: ...

    def claim_import(self, claimer: str, now_us: int, stale_before: int) -> ImportJob | None:
        """Take the oldest PROCESSING job no one holds, or whose holder last recorded
        progress before ``stale_before``; None when there is none."""
        ...

    def record_import(self, job: ImportJob, claimer: str, now_us: int) -> bool:
        """Write the job's progress and status; False when ``claimer`` lost the job."""
        ...

    def member_ids(self, list_id: int) -> list[int]:
        """Every member of the list, ascending."""
        ...


class ExportStore(Protocol):
    """REST bulk extract jobs and the reads they export (store/exports_sql.py)."""

    def add_export(self, job: ExportJob) -> ExportJob:
        """Store a new job; it, with its ``seq``."""
        ...

    def export_job(self, instance: str, kind: ExportKind, export_id: str) -> ExportJob | None: ...

    def export_jobs(
        self,
        instance: str,
        kind: ExportKind,
        statuses: Collection[ExportStatus],
        since: int,
        after: int,
        limit: int,
    ) -> list[ExportJob]:
        """Up to ``limit`` jobs created at or after ``since`` with a ``seq`` above
        ``after`` (and one of ``statuses``, if any), by ``seq``."""
        ...

    def enqueue_export(
        self, instance: str, kind: ExportKind, export_id: str, now_us: int, max_queued: int
    ) -> ExportJob | None:
        """Queue the job if it is Created and fewer than ``max_queued`` jobs of the
        instance are queued or processing (counted with no other enqueue or claim beside
        it); None when not."""
        ...

    def cancel_export(
        self, instance: str, kind: ExportKind, export_id: str, now_us: int
    ) -> ExportJob | None:
        """Cancel the job if it has not ended; None when it has (or there is none)."""
        ...

    def claim_export(
        self, claimer: str, now_us: int, stale_before: int, max_processing: int, started_at: int
    ) -> ExportJob | None:
        """Take the oldest job processing under a claim last refreshed before
        ``stale_before``, or else the oldest queued one whose instance has fewer than
        ``max_processing`` jobs processing; None when there is none. A job claimed the
        first time started at ``started_at``."""
        ...

    def hold_export(self, seq: int, claimer: str, now_us: int) -> bool:
        """Refresh ``claimer``'s claim; False when the job was cancelled or taken over."""
        ...

    def finish_export(self, job: ExportJob, claimer: str) -> bool:
        """Write the job's end (status, time, records, file); False when ``claimer`` no
        longer holds it."""
        ...

    def exports_pending(self) -> bool:
        """Whether any job (of any instance) is queued or processing."""
        ...

    def expire_exports(self, files_before: int, jobs_before: int) -> list[str]:
        """Forget the files of jobs that ended before ``files_before``, and the jobs
        that ended before ``jobs_before``; the names of the files to delete."""
        ...

    def export_leads(
        self, instance: str, columns: Sequence[LeadColumn], selection: ExportFilter
    ) -> Generator[tuple[Any, ...], None, None]:
        """The selected leads by id, one snapshot, fetched as consumed: each lead's value
        of each column (None where it has none)."""
        ...

    def export_activities(
        self, instance: str, selection: ExportFilter
    ) -> Generator[Activity, None, None]:
        """The selected activities by id, one snapshot, fetched as consumed."""
        ...


class ObjectStore(Protocol):
    """Custom object types and their objects (store/custom_objects_sql.py)."""

    def add_object_type(self, instance: str, object_type: ObjectType, now_us: int) -> int:
        """The new type's id; ValueError for a name taken in the instance."""
        ...

    def object_types(self, instance: str) -> list[ObjectType]: ...

    def page_objects(
        self,
        type_id: int,
        lead_id: int | None,
        keys: Sequence[str | None],
        after_id: int,
        limit: int,
    ) -> tuple[list[CustomObject], int]: ...


class MObjectStore(Protocol):
    """Stored MObjects (store/mobjects_sql.py)."""

    def mobjects(self, instance: str, type_name: str, after_id: int = 0) -> list[MObject]:
        """Every object of the type with an id above ``after_id``, by id."""
        ...

    def program_costs(self, program_id: int) -> list[list[str]]:
        """The program's costs: [month, amount, note] each."""
        ...


REMAINING_CAP = 10_000  # remainingCount of a change stream is exact up to this


class RestClientStore(Protocol):
    """REST API clients and their access tokens."""

    def add_rest_client(self, client: RestClient) -> None:
        """Keep a new client (its secret already hashed); a taken name or client id
        raises ``Duplicate``, an unknown instance ValueError."""
        ...

    def rest_clients(self) -> list[RestClient]:
        """Every client by name, without secret hashes."""
        ...

    def rest_client(self, client_id: str) -> RestClient | None:
        """The client with this id, with its secret hash."""
        ...

    def remove_rest_client(self, name: str) -> bool:
        """Remove the client with this name (or client id) and its tokens."""
        ...

    def add_token(self, token_hash: str, token: Token, now_us: int) -> None: ...

    def token(self, token_hash: str) -> Token | None:
        """The token with this hash, while its client exists."""
        ...

    def add_usage(self, counts: Sequence[tuple[str, str, str, str, int]]) -> None:
        """Add calls to the counts of (instance, day, client id, code)."""
        ...

    def usage(self, instance: str, since_day: str) -> list[tuple[str, str, str, int]]:
        """(day, client id, code, calls) of the instance from ``since_day`` (YYYY-MM-DD)."""
        ...

    def upstream_token(self, upstream: str) -> tuple[str, int] | None:
        """Relay mode: the upstream's access token the processes share, and its expiry
        (epoch microseconds)."""
        ...

    def put_upstream_token(self, upstream: str, token: str, expires_at: int) -> None: ...

    def set_instance_upstream(self, instance: str, settings: str | None) -> None:
        """Relay mode: the instance's own upstream (its RelaySettings as JSON; None: the
        server's)."""
        ...

    def instance_upstreams(self) -> dict[str, str]:
        """Every instance with its own upstream, and its settings (JSON)."""
        ...


class Store(
    AccountStore,
    RestClientStore,
    CatalogStore,
    LeadStore,
    ActivityStore,
    ListStore,
    CampaignStore,
    ImportStore,
    ExportStore,
    ObjectStore,
    MObjectStore,
    Protocol,
):
    """A leadsync database, SQLite file or PostgreSQL: one protocol per entity."""

    location: str

    def ping(self) -> None: ...

    def snapshot(self, name: str) -> None:
        """A copy of the whole store under ``name`` (SQLite: an online backup beside the
        file; PostgreSQL: a schema copy), replacing one of that name."""
        ...

    def restore(self, name: str) -> None:
        """The whole store as the snapshot ``name`` had it; ValueError for no such one."""
        ...

    def close(self) -> None: ...
