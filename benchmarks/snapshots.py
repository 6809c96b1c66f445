"""``python -m benchmarks.snapshots``: the admin API's snapshot and restore of a store of
SNAPSHOT_LEADS leads (default 10,000) with their history, on SQLite and PostgreSQL: the
seconds each takes (median of 5), through the store as the admin API calls it."""

from __future__ import annotations

import os
import statistics
import time

from benchmarks.bench import calibration, fresh_db
from benchmarks.seed import seed
from benchmarks.workload import calls
from leadsync.service.sync import sync_multiple_leads
from leadsync.store import open_store


def measure(backend: str, leads: int) -> tuple[float, float]:
    with fresh_db(backend) as db:
        seed(db, leads)
        store = open_store(db)
        try:
            for call in calls(20, leads, run="snap"):  # some history too
                sync_multiple_leads(store, call.records)
            made, back = [], []
            for _ in range(5):
                started = time.perf_counter()
                store.snapshot("base")
                made.append(time.perf_counter() - started)
                started = time.perf_counter()
                store.restore("base")
                back.append(time.perf_counter() - started)
        finally:
            store.close()
    return statistics.median(made), statistics.median(back)


def main() -> None:
    leads = int(os.environ.get("SNAPSHOT_LEADS", "10000"))
    print(calibration(), flush=True)
    for backend in os.environ.get("SNAPSHOT_BACKENDS", "sqlite,postgres").split(","):
        made, back = measure(backend, leads)
        print(f"{backend}: {leads:,} leads: snapshot {made * 1000:.0f} ms, restore"
              f" {back * 1000:.0f} ms (median of 5)", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
