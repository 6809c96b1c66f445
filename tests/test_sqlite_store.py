"""What is particular to the SQLite store: its write-ahead log and who checkpoints it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest

from leadsync.model import Attribute, LeadRecord, SyncStatusCode
from leadsync.service.sync import sync_multiple_leads
from leadsync.store import sqlite_checkpoint
from leadsync.store.sqlite import SqliteStore
from tests.waiting import eventually


def _wal_salt(db: Path) -> bytes:
    """Salt-1 and salt-2 of the WAL header: new each time the WAL starts again."""
    with open(f"{db}-wal", "rb") as wal:
        return wal.read(24)[16:24]


# What one lead of _sync_until's writes at least: 800 bytes in the leads table (4
# attributes of 200 characters) and 1,000 in its activities (4 of them hold a value).
_LEAD_BYTES = 1800


def _sync_until(
    store: SqliteStore, db: Path, restarts: int, gap: bool, at_least: int = 0
) -> tuple[int, set[bytes]]:
    """100-lead calls, back to back or (``gap``) each after a checkpoint pass has run
    since the last, until the WAL started again ``restarts`` times and ``at_least`` calls
    were made (at most 300 calls):
    the calls made and the WAL headers' salts seen."""
    salts: set[bytes] = set()
    calls = 0
    while (len(salts) <= restarts or calls < at_least) and calls < 300:
        records = [
            LeadRecord(
                email=f"{calls}-{i}@{db.stem}.example",
                attributes=tuple(
                    Attribute(field, f"{calls}-{i}-" + "x" * 200)
                    for field in ("FirstName", "LastName", "Company", "Title")
                ),
            )
            for i in range(100)
        ]
        passes = store._checkpointer.passes
        statuses = sync_multiple_leads(store, records)
        assert {s.status for s in statuses} == {SyncStatusCode.CREATED}
        calls += 1
        salts.add(_wal_salt(db))
        if gap:  # the caller's gap (answering, reading the next call) holds a pass
            eventually(partial(_passed, store, passes), "a checkpoint pass")
    return calls, salts


def _passed(store: SqliteStore, passes: int) -> bool:
    return store._checkpointer.passes > passes


def test_the_wal_starts_again_and_stays_small_under_a_steady_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_checkpoint, "CHECKPOINT_EVERY_S", 0.02)
    monkeypatch.setattr(sqlite_checkpoint, "RESTART_FRAMES", 64)
    db = tmp_path / "steady.db"
    store = SqliteStore(str(db))
    calls, salts = _sync_until(store, db, 3, gap=False, at_least=100)  # no quiet moment
    wal_bytes = os.path.getsize(f"{db}-wal")
    store.close()
    committed = calls * 100 * _LEAD_BYTES  # what a WAL that never restarts holds at least
    assert len(salts) >= 3, f"the WAL started again {len(salts) - 1} times in {calls} calls"
    assert wal_bytes < committed / 3, (wal_bytes, committed)


def test_a_writer_with_gaps_starts_the_wal_again_without_waiting_at_the_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Passes come seldom here (every 0.3 s) and each finds the WAL long: the restart
    # must come from the passes right after commits, in the writer's gaps, with no pass
    # behind the write gate (the code before this ran one every time).
    monkeypatch.setattr(sqlite_checkpoint, "CHECKPOINT_EVERY_S", 0.3)
    monkeypatch.setattr(sqlite_checkpoint, "RESTART_FRAMES", 64)
    db = tmp_path / "gaps.db"
    store = SqliteStore(str(db))
    checkpointer = store._checkpointer
    gate = checkpointer._gated
    gated = 0

    @contextmanager
    def counted() -> Iterator[None]:
        nonlocal gated
        gated += 1
        with gate():
            yield

    checkpointer._gated = counted
    calls, salts = _sync_until(store, db, 3, gap=True)
    store.close()
    assert len(salts) >= 3, f"the WAL started again {len(salts) - 1} times in {calls} calls"
    assert gated == 0


def _leading(store: SqliteStore) -> bool:
    return store._checkpointer._leading


def test_one_store_checkpoints_a_file_and_another_takes_over_when_it_closes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two stores on one file stand for two --workers processes: flock locks belong to
    # open files, so they exclude each other within one process as across processes.
    monkeypatch.setattr(sqlite_checkpoint, "CHECKPOINT_EVERY_S", 0.01)
    db = str(tmp_path / "shared.db")
    first = SqliteStore(db)
    eventually(lambda: _leading(first), "the first store to lead")
    second = SqliteStore(db)
    tried = eventually(lambda: second._checkpointer.rounds >= 10, "ten tries of the second")
    assert tried and _leading(first) and not _leading(second)
    first.close()
    eventually(lambda: _leading(second), "the second store to take over")
    second.close()
