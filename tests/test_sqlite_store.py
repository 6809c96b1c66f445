"""What is particular to the SQLite store: its write-ahead log and who checkpoints it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from leadsync.model import Attribute, LeadRecord, SyncStatusCode
from leadsync.service.sync import sync_multiple_leads
from leadsync.store import sqlite as sqlite_store
from leadsync.store.sqlite import SqliteStore


def _wal_salt(db: Path) -> bytes:
    """Salt-1 and salt-2 of the WAL header: new each time the WAL starts again."""
    with open(f"{db}-wal", "rb") as wal:
        return wal.read(24)[16:24]


def test_the_wal_starts_again_and_stays_small_under_a_steady_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_store, "CHECKPOINT_EVERY_S", 0.02)
    monkeypatch.setattr(sqlite_store, "RESTART_FRAMES", 64)
    db = tmp_path / "steady.db"
    store = SqliteStore(str(db))
    salts: set[bytes] = set()
    committed = 0  # bytes of leads committed: what a WAL that never restarts holds at least
    calls = 0
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:  # back to back: never a quiet moment
        records = [
            LeadRecord(
                email=f"{calls}-{i}@steady.example",
                attributes=tuple(
                    Attribute(field, f"{calls}-{i}-" + "x" * 200)
                    for field in ("FirstName", "LastName", "Company", "Title")
                ),
            )
            for i in range(100)
        ]
        statuses = sync_multiple_leads(store, records)
        assert {s.status for s in statuses} == {SyncStatusCode.CREATED}
        committed += 100 * 800
        calls += 1
        salts.add(_wal_salt(db))
    wal_bytes = os.path.getsize(f"{db}-wal")
    store.close()
    assert calls >= 20
    assert len(salts) >= 3, f"the WAL started again {len(salts) - 1} times in {calls} calls"
    assert wal_bytes < committed / 3, (wal_bytes, committed)


def _leading(store: SqliteStore) -> bool:
    return store._checkpointer._leading


def test_one_store_checkpoints_a_file_and_another_takes_over_when_it_closes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two stores on one file stand for two --workers processes: flock locks belong to
    # open files, so they exclude each other within one process as across processes.
    monkeypatch.setattr(sqlite_store, "CHECKPOINT_EVERY_S", 0.01)
    db = str(tmp_path / "shared.db")
    first = SqliteStore(db)
    _wait_for(lambda: _leading(first))
    second = SqliteStore(db)
    time.sleep(0.1)  # ten intervals in which the second tries to lead
    assert _leading(first) and not _leading(second)
    first.close()
    _wait_for(lambda: _leading(second))
    second.close()


def _wait_for(condition: Callable[[], bool], seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
