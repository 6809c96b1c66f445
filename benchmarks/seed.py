"""Fill a fresh store with ``size`` leads quickly, straight through SQL (not the API)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator

import psycopg

from benchmarks.workload import attributes, seed_email
from leadsync.store import open_store

CHUNK = 50_000


def _rows(size: int) -> Iterator[tuple[object, ...]]:
    now = time.time_ns() // 1000 - 86_400_000_000
    for i in range(size):
        email = seed_email(i)
        foreign = f"F{i}" if i % 10 == 0 else None
        yield (
            i + 1,
            email,
            email,
            foreign,
            "CUSTOM" if foreign else None,
            json.dumps(attributes(i)),
            now + i,
            now + i,
        )


def seed(db: str, size: int) -> None:
    """Migrate ``db`` (a fresh store) and add ``size`` leads with ids 1..size."""
    open_store(db).close()
    if size == 0:
        return
    if db.startswith("postgresql://"):
        with psycopg.connect(db) as pg:
            with (
                pg.cursor() as cur,
                cur.copy(
                    "COPY leads (id, email, email_key, foreign_id, foreign_type, attrs,"
                    " created_at, updated_at) FROM STDIN"
                ) as copy,
            ):
                for row in _rows(size):
                    copy.write_row(row)
            pg.execute("SELECT setval('leads_id_seq', %s)", (size,))
            pg.execute("ANALYZE leads")
        return
    insert_all(
        db,
        "INSERT INTO leads (id, email, email_key, foreign_id, foreign_type, attrs, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        _rows(size),
    )


def insert_all(db: str, insert: str, rows: Iterator[tuple[object, ...]]) -> None:
    """Run ``insert`` for every row into the SQLite file ``db``, in one fast transaction
    (no fsync: a benchmark's setup), then checkpoint and analyse."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    batch: list[tuple[object, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            conn.executemany(insert, batch)
            batch.clear()
    conn.executemany(insert, batch)
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()
