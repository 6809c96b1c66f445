"""Several processes opening one new store at once migrate it exactly once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import psycopg
import pytest

from leadsync.store import open_store
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
