"""Activity retention: activities older than ``--activity-retention-days`` are deleted in
the background, in small batches, each its own short transaction, so a writer never
waits behind more than one batch."""

from __future__ import annotations

import logging
import threading
import time

from leadsync.store.base import Store

log = logging.getLogger("leadsync.retention")

DAY_US = 86_400 * 1_000_000
PRUNE_EVERY_S = 60.0
BATCH = 2_000
PAUSE_S = 0.01  # between batches: the writers' turn


def prune(store: Store, days: int, now_us: int) -> int:
    """Delete every activity created more than ``days`` days before ``now_us``, batch by
    batch; how many were deleted."""
    cutoff = now_us - days * DAY_US
    total = 0
    while True:
        deleted = store.prune_activities(cutoff, BATCH)
        total += deleted
        if deleted == 0:
            return total
        time.sleep(PAUSE_S)


class Pruner:
    """A daemon thread that prunes every PRUNE_EVERY_S until ``close``."""

    def __init__(self, store: Store, days: int, every_s: float = PRUNE_EVERY_S) -> None:
        self._store = store
        self._days = days
        self._every_s = every_s
        self._stop = threading.Event()
        self.rounds = 0
        self._thread = threading.Thread(target=self._run, name="leadsync-retention", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                deleted = prune(self._store, self._days, time.time_ns() // 1000)
            except Exception:  # a store error must not end the thread; the next round retries
                log.exception("pruning old activities failed")
            else:
                if deleted:
                    log.info("pruned %d activities older than %d days", deleted, self._days)
            self.rounds += 1
            self._stop.wait(self._every_s)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
