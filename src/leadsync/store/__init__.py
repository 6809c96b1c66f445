"""Lead stores: ``open_store`` picks the back end from the ``--db`` value."""

from __future__ import annotations

from leadsync.store.base import LeadWriter, Store, TransientStoreError
from leadsync.store.sqlite import SqliteStore

__all__ = ["LeadWriter", "Store", "SqliteStore", "TransientStoreError", "open_store"]

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


COMMAND_POOL_SIZE = 2  # a command's connections; `serve` passes --pool-size


def open_store(db: str, pool_size: int = COMMAND_POOL_SIZE, *, create: bool = True) -> Store:
    """Open (migrating as needed) the store named by ``db``: a SQLite file path, or a
    ``postgresql://`` URL. Without ``create``, a store that does not exist yet is a
    ConfigError ("no store at ..."), not a new empty one."""
    if db.startswith(POSTGRES_SCHEMES):
        from leadsync.store.postgres import PostgresStore

        return PostgresStore(db, pool_size, create)
    return SqliteStore(db, create)
