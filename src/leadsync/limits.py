"""Marketo's API limits, emulated per instance: rate, concurrency and a daily quota.

Off unless ``--emulate-limits``. Per instance (a Marketo subscription) and per server
process: with ``--workers N`` or several servers each process counts its own calls,
so the effective limits are N times the figures (documented in docs/reliability.md).
The clock is injected, so tests drive the window and the midnight reset without sleeping.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leadsync.errors import ConcurrencyLimitExceeded, QuotaExceeded, RateLimitExceeded
from leadsync.options import check_bounds, setting
from leadsync.words import plural


@dataclass(frozen=True, slots=True)
class LimitSettings:
    """Marketo's figures by default (soap-api.md, error-codes.md)."""

    rate_calls: int = setting(
        100, "rate-limit", "Calls per rate window, with --emulate-limits (20023 beyond).", 1
    )
    rate_window_seconds: int = setting(20, "rate-window", "The rate window in seconds.", 1)
    concurrent_calls: int = setting(
        10, "concurrency-limit", "Calls in flight per instance (20024 beyond).", 1
    )
    daily_quota: int = setting(
        10_000, "daily-quota", "Calls per day per instance (20015 beyond).", 1
    )
    quota_time_zone: str = setting(
        "America/Chicago",  # Marketo resets at 12:00 AM CST
        "quota-time-zone",
        "The time zone whose midnight resets the daily quota.",
    )

    def __post_init__(self) -> None:
        check_bounds(self)
        try:
            ZoneInfo(self.quota_time_zone)
        except (ValueError, ZoneInfoNotFoundError):
            raise ValueError(
                f"--quota-time-zone: unknown time zone {self.quota_time_zone}"
            ) from None


@dataclass
class _Instance:
    recent: deque[float] = field(default_factory=deque)  # call times in the window
    in_flight: int = 0
    day: date | None = None
    used_today: int = 0


class Limiter:
    """Admits a call for an instance, or raises the Marketo fault that it exceeds."""

    def __init__(self, settings: LimitSettings, clock: Callable[[], datetime]) -> None:
        self.settings = settings
        self._clock = clock
        self._zone = ZoneInfo(settings.quota_time_zone)
        self._lock = threading.Lock()
        self._instances: dict[str, _Instance] = {}

    def reset(self, instance: str | None = None) -> None:
        """Forget the counts (of one instance): the test kit's reset. Calls in flight
        keep their slots until they end."""
        with self._lock:
            for name, state in self._instances.items():
                if instance is None or name == instance:
                    state.recent.clear()
                    state.day, state.used_today = None, 0

    @contextmanager
    def admit(self, instance: str) -> Iterator[None]:
        now = self._clock()
        with self._lock:
            state = self._instances.setdefault(instance, _Instance())
            self._check(state, now)
            state.in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                state.in_flight -= 1

    def _check(self, state: _Instance, now: datetime) -> None:
        limits = self.settings
        if state.in_flight >= limits.concurrent_calls:
            raise ConcurrencyLimitExceeded(
                f"Concurrency limit exceeded: more than {plural(limits.concurrent_calls, 'call')}"
                " in flight for this instance"
            )
        stamp = now.timestamp()
        while state.recent and state.recent[0] <= stamp - limits.rate_window_seconds:
            state.recent.popleft()
        if len(state.recent) >= limits.rate_calls:
            raise RateLimitExceeded(
                f"Rate limit exceeded: more than {plural(limits.rate_calls, 'call')} in "
                f"{plural(limits.rate_window_seconds, 'second')} for this instance"
            )
        today = now.astimezone(self._zone).date()
        if state.day != today:
            state.day, state.used_today = today, 0
        if state.used_today >= limits.daily_quota:
            raise QuotaExceeded(
                f"Request limit exceeded: the daily quota of {plural(limits.daily_quota, 'call')}"
                f" is used up; it resets at midnight {limits.quota_time_zone}"
            )
        state.recent.append(stamp)
        state.used_today += 1
