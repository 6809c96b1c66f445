"""A private PostgreSQL schema per test, on the server named by LEADSYNC_TEST_PG.

Outside CI, no reachable server means the PostgreSQL cases skip with the reason; in CI
(CI=true) it is a failure.
"""

from __future__ import annotations

import atexit
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from urllib.parse import quote

import psycopg
import pytest

PG_URL = os.environ.get("LEADSYNC_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@cache
def unavailable() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can."""
    try:
        with psycopg.connect(PG_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"no PostgreSQL at {PG_URL}: {exc}".strip()
    return None


def require_postgres() -> None:
    reason = unavailable()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def pg_schema() -> Iterator[str]:
    """A fresh schema; yields a URL whose connections use it, drops it afterwards."""
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in PG_URL else "?"
    try:
        # Commits need not wait for the disk here: no test crashes PostgreSQL itself.
        options = f"-csearch_path={schema} -csynchronous_commit=off"
        yield f"{PG_URL}{separator}options={quote(options)}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


_KEPT_TABLES = ("leadsync_schema", "meta", "instances")  # made by the migrations


def _referencing_first(tables: list[str], references: list[tuple[str, str]]) -> list[str]:
    """``tables`` ordered so that a table comes before every table it references."""
    ordered: list[str] = []
    left = list(tables)
    while left:
        free = [t for t in left if not any(b == t and a in left for a, b in references)]
        if not free:
            raise RuntimeError(f"the foreign keys of {left} form a cycle")
        ordered.extend(free)
        left = [t for t in left if t not in free]
    return ordered


class _Reused:
    """One migrated schema a test process hands to test after test, emptied between
    them: a test's store in ~10 ms instead of a new schema and its migrations (~80)."""

    url: str | None = None

    @classmethod
    @contextmanager
    def lend(cls) -> Iterator[str]:
        if cls.url is None:
            cls.url = cls._make()
        try:
            yield cls.url
        finally:
            cls._empty(cls.url)

    @staticmethod
    def _make() -> str:
        from leadsync.store import open_store

        schema = f"t_reused_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        atexit.register(_drop, schema)
        separator = "&" if "?" in PG_URL else "?"
        options = f"-csearch_path={schema} -csynchronous_commit=off"
        url = f"{PG_URL}{separator}options={quote(options)}"
        open_store(url).close()  # migrated once
        return url

    @staticmethod
    def _empty(url: str) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            tables = [
                row[0]
                for row in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                )
                if row[0] not in _KEPT_TABLES
            ]
            sequences = [
                row[0]
                for row in conn.execute(
                    "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"
                )
            ]
            references = conn.execute(
                "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint"
                " WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"
            ).fetchall()
            tables = _referencing_first(tables, references)
            with conn.transaction():  # DELETE: cheaper than TRUNCATE on a few rows
                for table in tables:
                    conn.execute(f"DELETE FROM {table}")
                conn.execute("DELETE FROM instances WHERE name <> 'default'")
                for sequence in sequences:
                    conn.execute(f"SELECT setval('{sequence}', 1, false)")
                conn.execute(
                    "UPDATE meta SET value = (extract(epoch FROM clock_timestamp()) * 1000000)"
                    "::bigint::text WHERE name = 'created_at'"
                )


def _drop(schema: str) -> None:
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@contextmanager
def pg_store_url() -> Iterator[str]:
    """A migrated, empty schema for one test (reused: emptied after it); ``pg_schema``
    for a test that needs one no migration has touched."""
    require_postgres()
    with _Reused.lend() as url:
        yield url
