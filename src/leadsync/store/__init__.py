"""Lead stores: ``open_store`` picks the back end from the ``--db`` value."""

from __future__ import annotations

from leadsync.store.base import LeadWriter, Store
from leadsync.store.sqlite import SqliteStore

__all__ = ["LeadWriter", "Store", "SqliteStore", "open_store"]


def open_store(db: str) -> Store:
    """Open (creating and migrating as needed) the store named by ``db``: a file path."""
    return SqliteStore(db)
