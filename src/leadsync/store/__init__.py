"""Lead stores: ``open_store`` picks the back end from the ``--db`` value."""

from __future__ import annotations

from leadsync.config import DEFAULT_POOL_SIZE
from leadsync.store.base import LeadWriter, Store, TransientStoreError
from leadsync.store.sqlite import SqliteStore

__all__ = ["LeadWriter", "Store", "SqliteStore", "TransientStoreError", "open_store"]

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_store(db: str, pool_size: int | None = None, *, create: bool = True) -> Store:
    """Open (migrating as needed) the store named by ``db``: a SQLite file path, or a
    ``postgresql://`` URL. Without ``create``, a store that does not exist yet is a
    ConfigError ("no store at ..."), not a new empty one."""
    if db.startswith(POSTGRES_SCHEMES):
        from leadsync.store.postgres import PostgresStore

        return PostgresStore(db, pool_size or DEFAULT_POOL_SIZE, create)
    return SqliteStore(db, create)
