"""The SQLite schema, versioned with ``PRAGMA user_version`` and migrated at open.

Each migration runs inside ``BEGIN IMMEDIATE`` and re-reads the version under that lock,
so several processes opening one file at once migrate it exactly once.
"""

from __future__ import annotations

import sqlite3

from leadsync.errors import ConfigError

MIGRATIONS: tuple[str, ...] = (
    # 1: users, custom fields, leads. AUTOINCREMENT: lead ids are never reused.
    """
    CREATE TABLE users (
        user_id TEXT PRIMARY KEY,
        secret TEXT NOT NULL
    );
    CREATE TABLE fields (
        name TEXT PRIMARY KEY,
        type TEXT NOT NULL
    );
    CREATE TABLE leads (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        email TEXT,
        email_key TEXT,
        foreign_id TEXT UNIQUE,
        foreign_type TEXT,
        attrs TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX leads_email_key ON leads (email_key);
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema to ``SCHEMA_VERSION``; refuse a file from a newer leadsync."""
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise ConfigError(
                    f"the store's schema version {version} is newer than this leadsync's "
                    f"({SCHEMA_VERSION}): upgrade leadsync"
                )
            if version == SCHEMA_VERSION:
                conn.execute("COMMIT")
                return
            for statement in MIGRATIONS[version].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
