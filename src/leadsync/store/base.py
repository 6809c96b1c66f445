"""The Store protocol: what the service needs from a lead database, nothing more.

One write transaction per call (``Store.write``) gives the service set-based lookups and
batch writes; everything in it commits together or not at all.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from leadsync.fields import FieldType
from leadsync.model import Lead


class LeadWriter(Protocol):
    """The inside of one write transaction."""

    def custom_fields(self) -> dict[str, FieldType]: ...

    def leads_by_ids(self, ids: Collection[int]) -> list[Lead]: ...

    def leads_by_foreign_ids(self, foreign_ids: Collection[str]) -> list[Lead]: ...

    def leads_by_email_keys(self, email_keys: Collection[str]) -> list[Lead]: ...

    def allocate_ids(self, count: int) -> list[int]:
        """``count`` fresh lead ids, never handed out before (ids are never reused)."""
        ...

    def insert_leads(self, leads: Sequence[Lead]) -> None: ...

    def update_leads(self, leads: Sequence[Lead], released: Collection[int]) -> None:
        """Write ``leads`` whole. ``released`` are ids among them whose ForeignSysPersonId
        moved to another lead in this transaction: their old value is cleared first."""
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
