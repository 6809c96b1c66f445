"""The Store protocol: what the service needs from a lead database, nothing more.

One write transaction per call (``Store.write``) gives the service set-based lookups and
batch writes on the leads of one instance; everything in it commits together or not at
all. Every lead belongs to one instance (a Marketo subscription); a writer sees and
changes only its instance's leads.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from leadsync.fields import Catalog, FieldDef
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


def page_sql(query: LeadQuery, instance: str, after_id: int, mark: str) -> tuple[str, list[object]]:
    """The WHERE clause (and its parameters) of a page of ``query`` after ``after_id``."""
    clauses = [f"instance = {mark}", f"id > {mark}", f"id <= {mark}"]
    params: list[object] = [instance, after_id, query.max_id]
    for column, values in (("id", query.ids), ("email_key", query.email_keys)):
        if values is not None:
            clauses.append(f"{column} IN ({', '.join([mark] * len(values))})" if values else "0=1")
            params.extend(values)
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


class TransientStoreError(Exception):
    """The store gave up on a transaction that may succeed if run again (a lock timeout,
    a deadlock or serialization failure); the service retries the whole call."""


class LeadWriter(Protocol):
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

    def allocate_ids(self, count: int) -> list[int]:
        """``count`` fresh lead ids in increasing order, never handed out before."""
        ...

    def insert_leads(self, leads: Sequence[Lead]) -> None: ...

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


class Store(AccountStore, CatalogStore, LeadStore, Protocol):
    """A leadsync database, SQLite file or PostgreSQL: one protocol per entity."""

    location: str

    def ping(self) -> None: ...

    def close(self) -> None: ...
