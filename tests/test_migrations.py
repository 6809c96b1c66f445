"""Several processes opening one new store at once migrate it exactly once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import psycopg
import pytest

from leadsync.fields import FieldType
from leadsync.model import LeadRecord
from leadsync.service.sync import sync_multiple_leads
from leadsync.store import Store, open_store
from leadsync.store.postgres_schema import SCHEMA_VERSION as PG_VERSION
from leadsync.store.sqlite_schema import SCHEMA_VERSION as SQLITE_VERSION
from tests.pg import pg_schema

pytestmark = pytest.mark.e2e


def _open_at_once(db: str, processes: int = 6) -> list[subprocess.CompletedProcess[str]]:
    started = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "leadsync",
                "users",
                "add",
                f"u{i}",
                "--secret",
                "s",
                "--db",
                db,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(processes)
    ]
    return [subprocess.CompletedProcess(p.args, p.wait(60), *p.communicate()) for p in started]


def test_sqlite_migrates_once_under_concurrent_starts(db_path: str) -> None:
    done = _open_at_once(db_path)
    assert [(p.returncode, p.stderr) for p in done] == [(0, "")] * 6
    store = open_store(db_path)
    assert store.list_users() == [(f"u{i}", "default") for i in range(6)]
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SQLITE_VERSION
    store.close()


def test_postgres_migrates_once_under_concurrent_starts() -> None:
    with pg_schema() as url:
        done = _open_at_once(url)
        assert [(p.returncode, p.stderr) for p in done] == [(0, "")] * 6
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT version FROM leadsync_schema").fetchall() == [(PG_VERSION,)]
            assert conn.execute("SELECT count(*) FROM users").fetchone() == (6,)


_OLD_ROWS = [  # what stores written before migration 4 could hold
    (1, "   ", "", None, None),  # a blank Email kept as a key (its key: "")
    (2, "a@x.com", "a@x.com", None, "SFDC"),  # a type left behind by a moved foreign id
    (3, "b@x.com", "b@x.com", "F1", "SFDC"),
]


def test_sqlite_migration_4_brings_old_rows_in_line(db_path: str) -> None:
    from leadsync.store.sqlite_schema import migrate

    with sqlite3.connect(db_path, isolation_level=None) as conn:
        migrate(conn, target=3)
        conn.executemany(
            "INSERT INTO leads (id, email, email_key, foreign_id, foreign_type, attrs,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, '{}', 0, 0)",
            _OLD_ROWS,
        )
        conn.execute("INSERT INTO fields (name, type) VALUES ('Tier', 'string')")
    store = open_store(db_path)
    try:
        assert [
            (lead.id, lead.email, lead.foreign_sys_person_id, lead.foreign_sys_type)
            for lead in store.iter_leads()
        ] == [(1, None, None, None), (2, "a@x.com", None, None), (3, "b@x.com", "F1", "SFDC")]
        [tier] = [f for f in store.catalog().fields if f.custom]
        assert tier.added_at > 1_700_000_000_000_000
    finally:
        store.close()


def test_postgres_migration_4_brings_old_rows_in_line() -> None:
    from leadsync.store.postgres_schema import migrate

    with pg_schema() as url:
        with psycopg.connect(url) as conn:
            migrate(conn, target=3)
            conn.cursor().executemany(
                "INSERT INTO leads (id, email, email_key, foreign_id, foreign_type, attrs,"
                " created_at, updated_at) VALUES (%s, %s, %s, %s, %s, '{}', 0, 0)",
                _OLD_ROWS,
            )
        store = open_store(url)
        try:
            assert [
                (lead.id, lead.email, lead.foreign_sys_person_id, lead.foreign_sys_type)
                for lead in store.iter_leads()
            ] == [(1, None, None, None), (2, "a@x.com", None, None), (3, "b@x.com", "F1", "SFDC")]
        finally:
            store.close()


def test_sqlite_migration_5_gives_every_instance_the_shared_custom_fields(db_path: str) -> None:
    from leadsync.store.sqlite_schema import migrate

    with sqlite3.connect(db_path, isolation_level=None) as conn:
        migrate(conn, target=4)
        conn.execute("INSERT INTO instances (name) VALUES ('acme')")
        conn.execute(
            "INSERT INTO fields (name, type, added_at) VALUES ('LoyaltyTier', 'string', 5)"
        )
    store = open_store(db_path)
    try:
        for instance in ("default", "acme"):
            [tier] = [f for f in store.catalog(instance).fields if f.custom]
            assert (tier.name, tier.type, tier.added_at, tier.rest, tier.display) == (
                "LoyaltyTier",
                FieldType.STRING,
                5,
                "loyaltyTier",
                "LoyaltyTier",
            )
    finally:
        store.close()


def test_postgres_migration_5_gives_every_instance_the_shared_custom_fields() -> None:
    from leadsync.store.postgres_schema import migrate

    with pg_schema() as url:
        with psycopg.connect(url) as conn:
            migrate(conn, target=4)
            conn.execute("INSERT INTO instances (name) VALUES ('acme')")
            conn.execute(
                "INSERT INTO fields (name, type, added_at) VALUES ('LoyaltyTier', 'string', 5)"
            )
        store = open_store(url)
        try:
            for instance in ("default", "acme"):
                [tier] = [f for f in store.catalog(instance).fields if f.custom]
                assert (tier.name, tier.rest, tier.display, tier.added_at) == (
                    "LoyaltyTier",
                    "loyaltyTier",
                    "LoyaltyTier",
                    5,
                )
        finally:
            store.close()


_OLD_CHANGE = '["First Name", "Ann", "Bo", "SOAP API", "Lead update"]'


def _check_runs_after_migration_7(store: Store) -> None:
    """The v6 rows 1 and 3 (row 4 pruned before the migration) read as before, and new
    activities continue after id 4."""
    old = list(store.iter_activities("default"))
    assert [(a.id, a.kind, a.asset, a.values) for a in old] == [
        (1, 12, None, ("Web service API", "Web service API", "2026-01-01")),
        (3, 13, "First Name", ("First Name", "Ann", "Bo", "SOAP API", "Lead update")),
    ]
    [status] = sync_multiple_leads(store, [LeadRecord(email="new@x.com")], now_us=2_000_000)
    fresh = [a.id for a in store.iter_activities("default", status.lead_id)]
    assert fresh == [5, 6]


def test_sqlite_migration_7_keeps_activities_as_runs_of_one(db_path: str) -> None:
    from leadsync.store.sqlite_schema import migrate

    with sqlite3.connect(db_path, isolation_level=None) as conn:
        migrate(conn, target=6)
        conn.executemany(
            "INSERT INTO activities (id, instance, lead_id, kind, created_at, asset, attrs)"
            " VALUES (?, 'default', 7, ?, ?, ?, ?)",
            [
                (1, 12, 1, None, '["Web service API", "Web service API", "2026-01-01"]'),
                (3, 13, 1, "First Name", _OLD_CHANGE),
                (4, 13, 1, "First Name", _OLD_CHANGE),
            ],
        )
        conn.execute("DELETE FROM activities WHERE id = 4")
    store = open_store(db_path)
    try:
        _check_runs_after_migration_7(store)
    finally:
        store.close()


def test_postgres_migration_7_keeps_activities_as_runs_of_one() -> None:
    from leadsync.store.postgres_schema import migrate

    with pg_schema() as url:
        with psycopg.connect(url) as conn:
            migrate(conn, target=6)
            for kind, asset, attrs in (
                (12, None, '["Web service API", "Web service API", "2026-01-01"]'),
                (13, None, "[]"),
                (13, "First Name", _OLD_CHANGE),
                (13, "First Name", _OLD_CHANGE),
            ):
                conn.execute(
                    "INSERT INTO activities (instance, lead_id, kind, created_at, asset, attrs)"
                    " VALUES ('default', 7, %s, 1, %s, %s)",
                    (kind, asset, attrs),
                )
            conn.execute("DELETE FROM activities WHERE id IN (2, 4)")
        store = open_store(url)
        try:
            _check_runs_after_migration_7(store)
        finally:
            store.close()
