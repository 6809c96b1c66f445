"""--activity-retention-days: old activities go, in batches, while writers keep writing."""

from __future__ import annotations

import time

import pytest

from leadsync.model import Attribute, LeadRecord, SyncStatusCode
from leadsync.service import retention
from leadsync.service.sync import sync_multiple_leads
from leadsync.store import Store
from tests.waiting import eventually

DAY_US = 86_400 * 1_000_000


def _sync_at(store: Store, moment: int, count: int, tag: str) -> None:
    records = [
        LeadRecord(email=f"{tag}{i}@x.com", attributes=(Attribute("Company", tag),))
        for i in range(count)
    ]
    statuses = sync_multiple_leads(store, records, now_us=moment)
    assert {s.status for s in statuses} == {SyncStatusCode.CREATED}


def test_prune_deletes_what_is_older_than_the_retention_in_batches(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "BATCH", 7)
    now = time.time_ns() // 1000
    _sync_at(store, now - 40 * DAY_US, 10, "old")  # 30 activities
    _sync_at(store, now - 20 * DAY_US, 2, "new")  # 6
    assert retention.prune(store, 30, now) == 30
    kept = list(store.iter_activities("default"))
    assert [a.id for a in kept] == list(range(31, 37))
    assert retention.prune(store, 30, now) == 0
    assert retention.prune(store, 10, now) == 6
    assert list(store.iter_activities("default")) == []
    assert len(list(store.iter_leads())) == 12  # the leads stay


def test_the_pruner_thread_prunes_while_writers_write(store: Store) -> None:
    now = time.time_ns() // 1000
    _sync_at(store, now - 40 * DAY_US, 50, "old")
    pruner = retention.Pruner(store, 30, every_s=0.01)
    try:
        for call in range(20):
            _sync_at(store, time.time_ns() // 1000, 10, f"w{call}-")
        eventually(lambda: pruner.rounds >= 2, "two pruning rounds")
    finally:
        pruner.close()
    kept = list(store.iter_activities("default"))
    assert len(kept) == 20 * 10 * 3
    assert min(a.created_at for a in kept) > now - DAY_US
