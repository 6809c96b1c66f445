"""REST's limits and token lifetime, driven by an injected clock: tokens live an hour
(602 after), a removed client's token is refused (601), and --emulate-limits gives
REST's figures and codes (606, 607) per instance."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from leadsync.config import Settings
from leadsync.errors import StoreBusy
from leadsync.http.app import create_app
from leadsync.limits import LimitSettings
from leadsync.rest import app as rest_app
from leadsync.store import Store
from leadsync.store.base import TransientStoreError
from tests.rest import CLIENT_ID, CLIENT_SECRET, Rest, add_client, error_code, token
from tests.test_limits import START, Clock


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


def _rest(store: Store, settings: Settings, clock: Clock) -> Iterator[Rest]:
    add_client(store)
    with TestClient(create_app(store, settings, clock), raise_server_exceptions=False) as http:
        yield Rest(http, token(http))


@pytest.fixture
def timed(store: Store, db: str, clock: Clock) -> Iterator[Rest]:
    yield from _rest(store, Settings(db=db), clock)


@pytest.fixture
def limited(store: Store, db: str, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rest]:
    monkeypatch.setattr(
        rest_app,
        "REST_LIMITS",
        LimitSettings(rate_calls=100, rate_window_seconds=20, concurrent_calls=10, daily_quota=150),
    )
    yield from _rest(store, Settings(db=db, emulate_limits=True), clock)


def test_a_token_lives_an_hour(timed: Rest, clock: Clock) -> None:
    answer = timed.http.get(
        "/identity/oauth/token",
        params={"grant_type": "client_credentials", "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET},
    ).json()  # fmt: skip
    assert answer["token_type"] == "bearer" and answer["expires_in"] == 3599
    assert answer["scope"] == "tests@leadsync"
    clock.now = START + timedelta(seconds=3599)
    assert timed.get("/rest/v1/lead/1.json")["success"] is True
    clock.now = START + timedelta(seconds=3600)
    assert error_code(timed.get("/rest/v1/lead/1.json")) == "602"
    fresh = Rest(timed.http, token(timed.http))
    assert fresh.get("/rest/v1/lead/1.json")["success"] is True


def test_rest_rate_and_daily_limits(limited: Rest, clock: Clock) -> None:
    # The token call is the identity service's, not counted.
    for i in range(100):
        clock.now = START + timedelta(seconds=i * 0.1)
        assert limited.get("/rest/v1/lead/1.json")["success"] is True
    assert error_code(limited.get("/rest/v1/lead/1.json")) == "606"
    for i in range(50):
        clock.now = START + timedelta(seconds=30 + i * 0.1)
        assert limited.get("/rest/v1/lead/1.json")["success"] is True, i
    clock.now = START + timedelta(seconds=60)
    assert error_code(limited.get("/rest/v1/lead/1.json")) == "607"


def test_a_removed_clients_token_stops_working(timed: Rest, clock: Clock, store: Store) -> None:
    assert timed.get("/rest/v1/lead/1.json")["success"] is True
    assert store.remove_rest_client("tests") is True
    clock.now = START + timedelta(seconds=6)  # past the few seconds a process remembers it
    assert error_code(timed.get("/rest/v1/lead/1.json")) == "601"


def test_usage_and_errors_count_each_call_per_day_and_client(timed: Rest, clock: Clock) -> None:
    for _ in range(3):
        assert timed.get("/rest/v1/lead/1.json")["success"] is True
    assert error_code(timed.post("/rest/v1/leads.json", {"input": "x"})) == "1003"
    assert error_code(timed.get("/rest/v1/activities.json")) == "701"
    # 5 calls so far today (START is 06:00 in Chicago on 2026-11-28)
    usage = timed.get("/rest/v1/stats/usage.json")
    assert usage["result"] == [
        {"date": "2026-11-28", "total": 5, "users": [{"userId": CLIENT_ID, "count": 5}]}
    ]
    errors = timed.get("/rest/v1/stats/errors.json")
    assert errors["result"] == [
        {
            "date": "2026-11-28",
            "total": 2,
            "errors": [{"errorCode": "1003", "count": 1}, {"errorCode": "701", "count": 1}],
        }
    ]
    clock.now = START + timedelta(days=1)
    tomorrow = Rest(timed.http, token(timed.http))  # yesterday's token has expired
    assert tomorrow.get("/rest/v1/stats/usage.json")["result"] == []  # a new day
    week = tomorrow.get("/rest/v1/stats/usage/last7days.json")["result"]
    # today: the usage read before (a call is counted once it is answered)
    assert [(d["date"], d["total"]) for d in week] == [("2026-11-29", 1), ("2026-11-28", 7)]


def test_a_store_busy_through_the_retries_is_604_on_rest_and_20011_on_soap() -> None:
    busy = TransientStoreError("database is locked")
    assert isinstance(busy, StoreBusy)
    assert (busy.rest, busy.code, busy.faultcode) == (604, 20011, "SOAP-ENV:Server")
    assert busy.message == "Request time-out: the store stayed busy; try the call again"
    assert busy.detail == "database is locked"  # for the log, never the answer
