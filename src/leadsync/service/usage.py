"""REST API usage: calls counted per instance, day, client and answer code, for
``stats/usage.json`` and ``stats/errors.json``.

A process counts in memory and adds its counts to the store (one upsert per key) when a
call finds them ``FLUSH_S`` seconds old, and before it answers a usage read: the figures
of other processes are at most that old. Days are those of the quota's time zone
(Marketo's midnight, CST by default).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from leadsync.calls import Clock, utc_now
from leadsync.store.base import Store

FLUSH_S = 2.0
DAYS = 7  # the last7days endpoints


@dataclass(frozen=True, slots=True)
class DayUsage:
    day: str  # YYYY-MM-DD
    total: int
    by: list[tuple[str, int]]  # (client id, calls) or (error code, calls)


class UsageService:
    def __init__(self, store: Store, clock: Clock = utc_now, zone: str = "America/Chicago"):
        self._store = store
        self._clock = clock
        self._zone = ZoneInfo(zone)
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, str, str, str], int] = defaultdict(int)
        self._flushed = time.monotonic()

    def _day(self, days_ago: int = 0) -> str:
        moment = self._clock().astimezone(self._zone) - timedelta(days=days_ago)
        return moment.date().isoformat()

    def count(self, instance: str, client_id: str, code: str = "") -> bool:
        """Count one call of the client, answered ``code`` ('' for success); True when
        the counts are due to be flushed (the caller does it off its event loop)."""
        with self._lock:
            self._pending[(instance, self._day(), client_id, code)] += 1
            return time.monotonic() - self._flushed >= FLUSH_S

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, defaultdict(int)
            self._flushed = time.monotonic()
        if pending:
            self._store.add_usage([(*key, calls) for key, calls in pending.items()])

    def usage(self, instance: str, days: int = 1) -> list[DayUsage]:
        """Calls per day and client, today (``days`` 1) or the last ``days`` days."""
        return self._days(instance, days, errors=False)

    def errors(self, instance: str, days: int = 1) -> list[DayUsage]:
        """Call errors per day and code."""
        return self._days(instance, days, errors=True)

    def _days(self, instance: str, days: int, errors: bool) -> list[DayUsage]:
        self.flush()
        counts: dict[str, dict[str, int]] = {}
        for day, client_id, code, calls in self._store.usage(instance, self._day(days - 1)):
            if errors and not code:
                continue
            key = code if errors else client_id
            by = counts.setdefault(day, {})
            by[key] = by.get(key, 0) + calls
        return [
            DayUsage(day, sum(by.values()), sorted(by.items()))
            for day, by in sorted(counts.items(), reverse=True)
        ]
