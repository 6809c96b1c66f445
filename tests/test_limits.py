"""Marketo's limits, emulated, driven by an injected clock (no sleeping)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leadsync.errors import MktowsError
from leadsync.limits import Limiter, LimitSettings


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


START = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)


def code_of(limiter: Limiter, instance: str = "acme") -> int | None:
    try:
        with limiter.admit(instance):
            return None
    except MktowsError as error:
        return error.code


def test_the_101st_call_in_20_seconds_is_20023_and_the_window_slides() -> None:
    clock = Clock(START)
    limiter = Limiter(LimitSettings(), clock)
    for i in range(100):
        clock.now = START + timedelta(seconds=i * 0.1)
        assert code_of(limiter) is None
    assert code_of(limiter) == 20023
    assert code_of(limiter, "other") is None  # per instance
    clock.now = START + timedelta(seconds=20.05)  # the first call has left the window
    assert code_of(limiter) is None
    assert code_of(limiter) == 20023


def test_the_11th_call_in_flight_is_20024() -> None:
    limiter = Limiter(LimitSettings(), Clock(START))
    contexts = [limiter.admit("acme") for _ in range(10)]
    for context in contexts:
        context.__enter__()
    with pytest.raises(MktowsError) as caught, limiter.admit("acme"):
        pass
    assert (caught.value.code, caught.value.short) == (20024, "Concurrency limit exceeded")
    contexts[0].__exit__(None, None, None)
    assert code_of(limiter) is None
    for context in contexts[1:]:
        context.__exit__(None, None, None)


def test_the_daily_quota_is_20015_until_midnight_in_its_time_zone() -> None:
    settings = LimitSettings(daily_quota=3, rate_calls=1000, quota_time_zone="America/Chicago")
    # 23:59 in Chicago is 05:59 UTC the next day (CST, UTC-6).
    clock = Clock(datetime(2026, 11, 29, 5, 0, 0, tzinfo=UTC))
    limiter = Limiter(settings, clock)
    assert [code_of(limiter) for _ in range(4)] == [None, None, None, 20015]
    clock.now = datetime(2026, 11, 29, 5, 59, 59, tzinfo=UTC)
    assert code_of(limiter) == 20015
    clock.now = datetime(2026, 11, 29, 6, 0, 0, tzinfo=UTC)  # midnight in Chicago
    assert code_of(limiter) is None


def test_fault_texts_follow_marketos_table() -> None:
    clock = Clock(START)
    limiter = Limiter(LimitSettings(rate_calls=1, daily_quota=1000), clock)
    code_of(limiter)
    with pytest.raises(MktowsError) as caught, limiter.admit("acme"):
        pass
    assert caught.value.code == 20023
    assert caught.value.message == (
        "Rate limit exceeded: more than 1 call in 20 seconds for this instance"
    )


def test_fault_texts_count_in_words() -> None:
    limiter = Limiter(LimitSettings(rate_calls=2, rate_window_seconds=1), Clock(START))
    code_of(limiter), code_of(limiter)
    with pytest.raises(MktowsError) as caught, limiter.admit("acme"):
        pass
    assert caught.value.message == (
        "Rate limit exceeded: more than 2 calls in 1 second for this instance"
    )
    quota = Limiter(LimitSettings(daily_quota=10_000, rate_calls=20_000), Clock(START))
    for _ in range(10_000):
        code_of(quota)
    with pytest.raises(MktowsError) as caught, quota.admit("acme"):
        pass
    assert caught.value.message == (
        "Request limit exceeded: the daily quota of 10,000 calls is used up; it resets at "
        "midnight America/Chicago"
    )
