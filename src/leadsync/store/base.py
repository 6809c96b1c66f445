"""The Store protocol: what the service needs from a lead database, nothing more.

One write transaction per call (``Store.write``) gives the service set-based lookups and
batch writes; everything in it commits together or not at all.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from leadsync.fields import FieldType
from leadsync.model import Lead, email_key

# The lead columns both stores write, in this order (``id`` first).
WRITE_COLUMNS = (
    "id",
    "email",
    "email_key",
    "foreign_id",
    "foreign_type",
    "attrs",
    "created_at",
    "updated_at",
)


def lead_params(lead: Lead, attributes: object) -> tuple[object, ...]:
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
    )


def insert_sql(mark: str) -> str:
    marks = ", ".join([mark] * len(WRITE_COLUMNS))
    return f"INSERT INTO leads ({', '.join(WRITE_COLUMNS)}) VALUES ({marks})"


def update_sql(mark: str) -> str:
    """UPDATE every written column but id; its parameters are ``params[1:] + params[:1]``."""
    sets = ", ".join(f"{column} = {mark}" for column in WRITE_COLUMNS[1:])
    return f"UPDATE leads SET {sets} WHERE id = {mark}"


def split_updates(leads: Sequence[Lead], rekeyed: Collection[int]) -> tuple[list[Lead], list[Lead]]:
    """(leads whose keys changed, leads whose attributes alone changed)."""
    keyed = [lead for lead in leads if lead.id in rekeyed]
    plain = [lead for lead in leads if lead.id not in rekeyed]
    return keyed, plain


class TransientStoreError(Exception):
    """The store gave up on a transaction that may succeed if run again (a lock timeout,
    a deadlock or serialization failure); the service retries the whole call."""


class LeadWriter(Protocol):
    """The inside of one write transaction."""

    def find_leads(
        self, ids: Collection[int], foreign_ids: Collection[str], email_keys: Collection[str]
    ) -> list[Lead]:
        """Every lead with one of these ids, foreign ids or email keys, as of now.

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


class Store(Protocol):
    """A lead database: SQLite file or PostgreSQL."""

    location: str

    def write(self) -> AbstractContextManager[LeadWriter]: ...

    def secret_for(self, user_id: str) -> str | None: ...

    def add_user(self, user_id: str, secret: str) -> bool:
        """False when the user exists already (its key is then replaced)."""
        ...

    def remove_user(self, user_id: str) -> bool: ...

    def list_users(self) -> list[str]: ...

    def custom_fields(self) -> dict[str, FieldType]: ...

    def add_field(self, name: str, field_type: FieldType) -> None: ...

    def iter_leads(self) -> Iterator[Lead]: ...

    def attribute_names(self) -> list[str]:
        """Every attribute name that some stored lead holds, sorted."""
        ...

    def ping(self) -> None: ...

    def close(self) -> None: ...
