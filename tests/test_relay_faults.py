"""Relay mode when the upstream misbehaves: a relay process whose ``--upstream`` is the
fault injector (tests/upstream_faults.py) in front of a real leadsync upstream. Each test
makes the injector fail some calls and asserts the SOAP outcome exactly (fault codes and
messages), how many upstream requests the relay made, and what landed upstream.

The SOAP clients here never retry (``RetryPolicy(max_retries=0)``), so every upstream
request the injector saw was the relay's own doing; the one test with the default policy
says so in its name.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import pytest

from leadsync import Client, RemoteFault, RetryPolicy
from leadsync.model import DEFAULT_INSTANCE, Lead
from leadsync.store import SqliteStore
from tests.rest import CLIENT_ID, CLIENT_SECRET, add_client
from tests.server import ServerProcess
from tests.soap import DEMO_SECRET, DEMO_USER
from tests.upstream_faults import (
    IDENTITY,
    Injector,
    Seen,
    most_in_flight,
    most_in_window,
    windows,
)
from tests.waiting import eventually

pytestmark = pytest.mark.e2e

LEADS = "/rest/v1/leads.json"
DESCRIBE = "/rest/v1/leads/describe.json"
BACKOFF = (0.5, 1.0, 2.0)  # the relay's, between attempts
UNREACHABLE = "Internal Error: the upstream is unreachable (RemoteProtocolError)"
MAY_BE_APPLIED = "the call may have been applied"


def stop(server: ServerProcess) -> None:
    """Stop a server unless a test did already (``stop()`` reads its output once)."""
    process = server.process
    if process is not None and process.stdout is not None and not process.stdout.closed:
        server.stop()


@dataclass
class Upstream:
    """The real upstream behind the injector, on its own SQLite store."""

    db: str
    server: ServerProcess

    def leads(self) -> dict[str, list[Lead]]:
        """Every upstream lead by email (a list: createDuplicate may make two)."""
        store = SqliteStore(self.db)
        try:
            found: dict[str, list[Lead]] = {}
            for lead in store.iter_leads(DEFAULT_INSTANCE):
                found.setdefault(lead.email or "", []).append(lead)
            return found
        finally:
            store.close()

    def restart(self) -> ServerProcess:
        stop(self.server)
        self.server = ServerProcess(self.db).start()
        return self.server


@dataclass
class Stack:
    """An upstream, the injector in front of it, and the relays started on the injector."""

    tmp: Path
    upstream: Upstream
    injector: Injector
    relays: list[ServerProcess] = field(default_factory=list)
    made: int = 0  # relays ever started: each gets a fresh store

    def start_relay(self, *args: str, workers: int = 1, described: bool = True) -> ServerProcess:
        """A relay on the injector, once each worker has learnt the upstream's fields (its
        token fetched, its Describe answered; ``described`` False: once it serves); the
        injector's log is cleared after."""
        secret = self.tmp / "upstream-secret"
        secret.write_text(CLIENT_SECRET + "\n")
        self.made += 1
        db = str(self.tmp / f"relay-{self.made}.db")
        store = SqliteStore(db)
        store.add_user(DEMO_USER, DEMO_SECRET)
        store.close()
        relay = ServerProcess(
            db,
            (
                "--workers", str(workers),
                "--upstream", self.injector.url,
                "--upstream-client-id", CLIENT_ID,
                "--upstream-client-secret-file", str(secret),
                "--upstream-wait", "1",
                "--upstream-timeout", "2",
                # No pacing unless a test asks: tests share a relay, and count its calls.
                "--upstream-rate-limit", "100000",
                "--upstream-concurrency", "1000",
                *args,
            ),
        )  # fmt: skip
        self.relays.append(relay)
        before = len(self.injector.seen(DESCRIBE))
        relay.start()

        def was_described() -> bool:
            return len(self.injector.seen(DESCRIBE)) >= before + workers

        if described:
            eventually(was_described, "the relay's Describe", 10)
        self.injector.clear()
        return relay


@contextmanager
def stack_in(tmp: Path) -> Iterator[Stack]:
    db = str(tmp / "upstream.db")
    store = SqliteStore(db)
    add_client(store)
    store.close()
    upstream = Upstream(db, ServerProcess(db).start())
    try:
        with Injector(upstream.server.base_url) as injector:
            stack = Stack(tmp, upstream, injector)
            try:
                yield stack
            finally:
                for relay in stack.relays:
                    stop(relay)
    finally:
        stop(upstream.server)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, ServerProcess]]:
    """One upstream, injector and relay for the module's tests (each a second or so less
    to start); each test uses its own emails and starts from a reset injector."""
    with stack_in(tmp_path_factory.mktemp("relay-faults")) as stack:
        yield stack, stack.start_relay()


@pytest.fixture
def stack(shared: tuple[Stack, ServerProcess]) -> Iterator[Stack]:
    """The shared stack, its injector reset; relays a test starts stop after it."""
    stack, _ = shared
    stack.injector.reset()
    before = len(stack.relays)
    yield stack
    for relay in stack.relays[before:]:
        stop(relay)
    del stack.relays[before:]


@pytest.fixture
def relay(stack: Stack, shared: tuple[Stack, ServerProcess]) -> ServerProcess:
    """The shared relay (--upstream-timeout 2, --upstream-wait 1, no pacing)."""
    return shared[1]


@pytest.fixture
def injector(stack: Stack) -> Injector:
    return stack.injector


@pytest.fixture
def upstream(stack: Stack) -> Upstream:
    return stack.upstream


def soap(relay: ServerProcess, retry: RetryPolicy | None = None) -> Client:
    """A SOAP client of the relay that does not retry (unless told otherwise)."""
    policy = RetryPolicy(max_retries=0) if retry is None else retry
    return Client(relay.endpoint, DEMO_USER, DEMO_SECRET, retry=policy)


def fault_of(call: Callable[[], object]) -> tuple[int, str]:
    with pytest.raises(RemoteFault) as caught:
        call()
    return caught.value.code, caught.value.message


def fault(code: int, text: str) -> tuple[int, str]:
    """A fault's (code, message) as the wire has it: the text, then the code (as Marketo)."""
    return code, f"{text} ({code})"


def outcomes(seen: list[Seen]) -> list[str]:
    return [s.outcome for s in seen]


def gaps(seen: list[Seen]) -> list[float]:
    return [b.started - a.started for a, b in pairwise(seen)]


def assert_backoff(seen: list[Seen]) -> None:
    """The relay waited its backoff (0.5, 1, 2 s) between consecutive attempts."""
    for gap, backoff in zip(gaps(seen), BACKOFF, strict=False):
        # Arrivals, not departures: a few ms of jitter either way.
        assert backoff - 0.05 <= gap < backoff + 1.0, gaps(seen)


def busiest(calls: list[Seen], window: float) -> str:
    """The busiest window's arrivals, as offsets from its first, for an assertion
    message."""
    start, _ = max(windows(calls, window), key=lambda w: w[1])
    inside = [c for c in calls if start <= c.started < start + window]
    return "; ".join(f"+{c.started - start:.4f}s" for c in inside)


# -- tokens ------------------------------------------------------------------------


def test_token_expiry_mid_run_renews_once_and_every_call_succeeds(
    relay: ServerProcess, injector: Injector, upstream: Upstream
) -> None:
    with soap(relay) as client:
        assert client.sync_multiple_leads([{"Email": "expiry-a@faults.test"}])[0].ok
        injector.expire_tokens()
        assert client.sync_multiple_leads([{"Email": "expiry-b@faults.test"}])[0].ok
        [lead] = client.get_lead("EMAIL", "expiry-a@faults.test")
        [last] = client.sync_multiple_leads([{"Email": "expiry-c@faults.test", "City": "Oslo"}])
        assert last.ok
    calls = injector.rest_calls()
    assert outcomes(calls) == ["forwarded", "expired", "forwarded", "forwarded", "forwarded"]
    [fetch] = injector.token_fetches()  # exactly one new token
    old, new = calls[0].token, injector.issued_tokens()[-1]
    assert old != new
    assert [c.token for c in calls] == [old, old, new, new, new]
    assert calls[1].started < fetch.started < calls[2].started
    assert calls[1].body == calls[2].body  # the same call made again, once
    leads = upstream.leads()
    for email in ("expiry-a@faults.test", "expiry-b@faults.test", "expiry-c@faults.test"):
        assert len(leads[email]) == 1, email
    assert lead.id == leads["expiry-a@faults.test"][0].id


@pytest.mark.parametrize("code", ["601", "602"])
def test_a_token_refused_again_after_renewal_is_20011_never_20014(
    relay: ServerProcess, injector: Injector, upstream: Upstream, code: str
) -> None:
    email = f"refused-{code}@faults.test"
    injector.marketo_error(code, 2)
    with soap(relay) as client:
        got = fault_of(lambda: client.sync_multiple_leads([{"Email": email}]))
    assert got == fault(20011, f"Internal Error: the upstream refused the relay ({code})")
    assert outcomes(injector.rest_calls()) == [f"error {code}"] * 2  # renewed once, no more
    assert len(injector.token_fetches()) == 1
    assert email not in upstream.leads()


def test_a_token_fetch_that_loses_its_connection_is_retried(
    relay: ServerProcess, injector: Injector
) -> None:
    # The renewal is part of an idempotent call (a read): a dropped connection on it is one
    # of the "connection errors" the relay retries with backoff.
    injector.expire_tokens()
    injector.drop(1, path=IDENTITY)
    with soap(relay) as client:
        assert client.get_lead("EMAIL", "nobody@faults.test") == []
    assert outcomes(injector.token_fetches()) == ["dropped", "forwarded"]


def test_the_upstream_refusing_the_credentials_is_20011(
    relay: ServerProcess, injector: Injector
) -> None:
    injector.expire_tokens()
    injector.http_error(401, 1, path=IDENTITY)
    with soap(relay) as client:
        got = fault_of(lambda: client.get_lead("EMAIL", "nobody@faults.test"))
    assert got == fault(
        20011, "Internal Error: the upstream refused the relay's credentials (HTTP 401)"
    )
    assert outcomes(injector.rest_calls()) == ["expired"]
    assert outcomes(injector.token_fetches()) == ["http 401"]


def test_a_failed_token_fetch_gives_its_pacing_slot_back(stack: Stack, injector: Injector) -> None:
    # Tokens that live 60 s are never fresh (the relay renews a minute before expiry), so
    # every call fetches one while it holds its pacing slot; here the one slot there is.
    injector.token_lifetime = 60
    relay = stack.start_relay("--upstream-concurrency", "1")
    injector.drop(1, path=IDENTITY)
    with soap(relay) as client:
        try:
            client.get_lead("EMAIL", "nobody@faults.test")
        except RemoteFault as raised:
            assert raised.code == 20011  # not retried: see the test above
        # The slot must be free again: this call fetches a token and succeeds.
        assert client.get_lead("EMAIL", "nobody@faults.test") == []
    assert outcomes(injector.token_fetches())[:1] == ["dropped"]


# -- rate limits upstream ------------------------------------------------------------


@pytest.mark.parametrize(("code", "storm"), [("606", 3), ("615", 1)])
def test_a_storm_of_limit_errors_is_retried_until_it_passes(
    relay: ServerProcess, injector: Injector, upstream: Upstream, code: str, storm: int
) -> None:
    email = f"storm-{code}@faults.test"
    injector.marketo_error(code, storm)
    with soap(relay) as client:
        [result] = client.sync_multiple_leads([{"Email": email}])
    assert result.status.value == "CREATED"
    calls = injector.rest_calls()
    assert outcomes(calls) == [f"error {code}"] * storm + ["forwarded"]
    assert_backoff(calls)
    assert len({c.body for c in calls}) == 1
    assert [lead.id for lead in upstream.leads()[email]] == [result.lead_id]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("606", fault(20023, "Rate limit exceeded: the upstream answered 606 (injected 606)")),
        # 615 is the upstream's concurrency limit: SOAP's is 20024 (errors.py pairs them).
        (
            "615",
            fault(20024, "Concurrency limit exceeded: the upstream answered 615 (injected 615)"),
        ),
    ],
)
def test_more_limit_errors_than_retries_is_a_limit_fault_and_nothing_is_acknowledged(
    relay: ServerProcess,
    injector: Injector,
    upstream: Upstream,
    code: str,
    expected: tuple[int, str],
) -> None:
    email = f"exhausted-{code}@faults.test"
    injector.marketo_error(code, 4)
    with soap(relay) as client:
        got = fault_of(lambda: client.sync_multiple_leads([{"Email": email}]))
    assert got == expected
    assert outcomes(injector.rest_calls()) == [f"error {code}"] * 4  # 1 + 3 retries
    assert email not in upstream.leads()


def test_the_daily_quota_607_is_20015_and_not_retried(
    relay: ServerProcess, injector: Injector, upstream: Upstream
) -> None:
    injector.marketo_error("607", 2)
    with soap(relay) as client:
        read = fault_of(lambda: client.get_lead("EMAIL", "quota@faults.test"))
        write = fault_of(lambda: client.sync_multiple_leads([{"Email": "quota@faults.test"}]))
    quota = fault(20015, "Request limit exceeded: the upstream's daily quota (injected 607)")
    assert read == write == quota
    assert outcomes(injector.rest_calls()) == ["error 607"] * 2
    assert "quota@faults.test" not in upstream.leads()


def test_access_denied_603_is_20011_never_20014(
    relay: ServerProcess, injector: Injector, upstream: Upstream
) -> None:
    injector.marketo_error("603", 1)
    with soap(relay) as client:
        got = fault_of(lambda: client.sync_multiple_leads([{"Email": "denied@faults.test"}]))
    assert got == fault(20011, "Internal Error: the upstream refused the relay (603)")
    assert outcomes(injector.rest_calls()) == ["error 603"]  # not retried, no renewal
    assert injector.token_fetches() == []
    assert "denied@faults.test" not in upstream.leads()


# -- the upstream down ---------------------------------------------------------------


def test_dropped_connections_are_20011_unreachable_then_calls_succeed_again(
    relay: ServerProcess, injector: Injector, upstream: Upstream
) -> None:
    injector.drop(4)
    with soap(relay) as client:
        got = fault_of(lambda: client.sync_multiple_leads([{"Email": "down@faults.test"}]))
        assert got == fault(20011, UNREACHABLE)
        calls = injector.rest_calls()
        assert outcomes(calls) == ["dropped"] * 4
        assert_backoff(calls)
        assert "down@faults.test" not in upstream.leads()
        [result] = client.sync_multiple_leads([{"Email": "down@faults.test"}])
    assert result.status.value == "CREATED"
    assert [lead.id for lead in upstream.leads()["down@faults.test"]] == [result.lead_id]


def test_upstream_stopped_then_back_nothing_lost(tmp_path: Path) -> None:
    # Its own upstream: this test stops and restarts it.
    with stack_in(tmp_path) as stack:
        relay, injector, upstream = stack.start_relay(), stack.injector, stack.upstream
        with soap(relay) as client:
            [before] = client.sync_multiple_leads([{"Email": "before@faults.test", "City": "A"}])
            stop(upstream.server)
            write = fault_of(lambda: client.sync_multiple_leads([{"Email": "during@faults.test"}]))
            assert write == fault(20011, UNREACHABLE)
            unsure = fault_of(
                lambda: client.sync_multiple_leads([{"Email": "dup@faults.test"}], dedup=False)
            )
            assert unsure[0] == 20011 and MAY_BE_APPLIED in unsure[1], unsure
            assert outcomes(injector.rest_calls()) == ["forwarded"] + ["unreachable"] * 5
            injector.target = upstream.restart().base_url
            [during] = client.sync_multiple_leads([{"Email": "during@faults.test"}])
            [lead] = client.get_lead("EMAIL", "before@faults.test")
        assert during.status.value == "CREATED"
        assert (lead.id, lead.attributes["City"]) == (before.lead_id, "A")
        leads = upstream.leads()
        assert sorted(leads) == ["before@faults.test", "during@faults.test"]
        assert [len(found) for found in leads.values()] == [1, 1]


def test_an_upstream_down_at_start_does_not_stop_the_relay(tmp_path: Path) -> None:
    # The relay starts, answers 20011 while the upstream is down, and learns the fields
    # (its Describe) at the first call once the upstream is back.
    with stack_in(tmp_path) as stack:
        upstream = stack.upstream
        stop(upstream.server)
        relay = stack.start_relay(described=False)
        record = {"Email": "early@faults.test", "City": "Oslo"}
        with soap(relay) as client:
            code, message = fault_of(lambda: client.sync_multiple_leads([record]))
            assert (code, "unreachable" in message) == (20011, True), message
            stack.injector.target = upstream.restart().base_url
            [made] = client.sync_multiple_leads([record])
        assert made.status.value == "CREATED"
        assert DESCRIBE in [s.path for s in stack.injector.rest_calls()]
        [lead] = upstream.leads()["early@faults.test"]
        assert (lead.id, lead.attributes["City"]) == (made.lead_id, "Oslo")


def test_http_5xx_is_retried_then_recovers(
    relay: ServerProcess, injector: Injector, upstream: Upstream
) -> None:
    injector.http_error(503, 2)
    with soap(relay) as client:
        [result] = client.sync_multiple_leads([{"Email": "5xx@faults.test"}])
        assert result.status.value == "CREATED"
        assert outcomes(injector.rest_calls()) == ["http 503", "http 503", "forwarded"]
        injector.clear()
        injector.http_error(500, 4)
        got = fault_of(lambda: client.get_lead("EMAIL", "5xx@faults.test"))
        assert got == fault(20011, "Internal Error: the upstream answered HTTP 500")
        assert outcomes(injector.rest_calls()) == ["http 500"] * 4
        [lead] = client.get_lead("EMAIL", "5xx@faults.test")
    assert lead.id == result.lead_id
    assert [found.id for found in upstream.leads()["5xx@faults.test"]] == [result.lead_id]


@pytest.fixture
def quick_timeout(stack: Stack) -> ServerProcess:
    """A relay that gives up on an upstream call after 1 s."""
    return stack.start_relay("--upstream-timeout", "1")


def test_a_stall_past_the_timeout_is_retried(
    quick_timeout: ServerProcess, injector: Injector, upstream: Upstream
) -> None:
    injector.stall(1.5, 1)
    with soap(quick_timeout) as client:
        [result] = client.sync_multiple_leads([{"Email": "slow@faults.test"}])
        assert result.status.value == "CREATED"
        calls = injector.rest_calls()
        assert outcomes(calls) == ["stalled", "forwarded"]
        # Given up after 1 s (--upstream-timeout), made again 0.5 s later.
        assert 1.45 <= calls[1].started - calls[0].started < 2.5
        injector.clear()
        injector.stall(1.5, 1)
        [lead] = client.get_lead("EMAIL", "slow@faults.test")
    assert outcomes(injector.rest_calls()) == ["stalled", "forwarded"]
    assert lead.id == result.lead_id
    assert [found.id for found in upstream.leads()["slow@faults.test"]] == [result.lead_id]


# -- a call that is not safe to repeat -------------------------------------------------


def create_duplicates(calls: list[Seen]) -> list[Seen]:
    def action(seen: Seen) -> object:
        body = seen.json()
        return body.get("action") if isinstance(body, dict) else None

    return [
        c
        for c in calls
        if c.method == "POST" and c.path == LEADS and action(c) == "createDuplicate"
    ]


def test_a_create_duplicate_whose_answer_is_lost_is_not_retried(
    relay: ServerProcess, injector: Injector, upstream: Upstream
) -> None:
    injector.lose_answer(1)
    with soap(relay) as client:
        got = fault_of(
            lambda: client.sync_multiple_leads([{"Email": "lost@faults.test"}], dedup=False)
        )
    assert got == fault(
        20011,
        "Internal Error: the upstream's answer to POST /rest/v1/leads.json was lost"
        f" (RemoteProtocolError); {MAY_BE_APPLIED}",
    )
    [post] = injector.rest_calls()
    assert post.outcome == "answer lost (forwarded)"
    assert post.json() == {
        "action": "createDuplicate",
        "lookupField": "email",
        "input": [{"email": "lost@faults.test"}],
    }
    assert len(upstream.leads()["lost@faults.test"]) == 1


def test_a_create_duplicate_that_times_out_is_not_retried(
    quick_timeout: ServerProcess, injector: Injector, upstream: Upstream
) -> None:
    injector.stall(1.5, 1, forward=True)  # applied upstream after the relay gave up
    with soap(quick_timeout) as client:
        got = fault_of(
            lambda: client.sync_multiple_leads([{"Email": "late@faults.test"}], dedup=False)
        )
    assert got == fault(
        20011,
        "Internal Error: the upstream's answer to POST /rest/v1/leads.json was lost"
        f" (ReadTimeout); {MAY_BE_APPLIED}",
    )
    [post] = eventually(injector.rest_calls, "the stalled call to be answered")
    assert post.outcome == "stalled, forwarded"
    assert len(create_duplicates([post])) == 1
    assert len(upstream.leads()["late@faults.test"]) == 1


def test_a_create_duplicate_answered_5xx_is_not_retried_and_says_it_may_be_applied(
    relay: ServerProcess, injector: Injector, upstream: Upstream
) -> None:
    injector.http_error(502, 1)
    with soap(relay) as client:
        code, message = fault_of(
            lambda: client.sync_multiple_leads([{"Email": "gw@faults.test"}], dedup=False)
        )
    assert outcomes(create_duplicates(injector.rest_calls())) == ["http 502"]
    # A gateway's 502 may come after the upstream applied the call: the caller must be told.
    assert code == 20011
    assert message.startswith("Internal Error: the upstream answered HTTP 502"), message
    assert MAY_BE_APPLIED in message, message


def test_leadsync_client_default_policy_does_not_resend_a_call_that_may_have_been_applied(
    relay: ServerProcess, injector: Injector, upstream: Upstream
) -> None:
    # The relay's 20011 "may have been applied" is a fault, and leadsync.Client retries
    # 20011 by default (RETRYABLE_CODES): a dedupEnabled=false call resent makes a second
    # lead upstream. The default policy's delays are shortened here, not its codes.
    injector.lose_answer(1)
    policy = RetryPolicy(base_delay=0.01, max_delay=0.01)
    with soap(relay, policy) as client:
        try:
            client.sync_multiple_leads([{"Email": "twice@faults.test"}], dedup=False)
        except RemoteFault as raised:
            assert raised.code == 20011
    made = len(upstream.leads()["twice@faults.test"])
    posts = outcomes(create_duplicates(injector.rest_calls()))
    assert posts == ["answer lost (forwarded)"], f"{posts}: {made} leads upstream"
    assert made == 1


# -- pacing ----------------------------------------------------------------------------


def test_pacing_keeps_two_workers_under_the_upstreams_limits(
    stack: Stack, injector: Injector, upstream: Upstream
) -> None:
    relay = stack.start_relay(
        "--upstream-rate-limit", "20",
        "--upstream-rate-window", "2",
        "--upstream-concurrency", "4",
        workers=2,
    )  # fmt: skip
    injector.latency = 0.3  # calls take a while upstream: concurrency matters too
    results: Counter[str] = Counter()
    acknowledged: set[str] = set()
    lock = threading.Lock()
    deadline = time.monotonic() + 5

    def run(name: int) -> None:
        with soap(relay) as client:
            n = 0
            while time.monotonic() < deadline:
                n += 1
                email = f"pace-{name}-{n}@faults.test"
                try:
                    if n % 2:
                        [result] = client.sync_multiple_leads([{"Email": email}])
                        assert result.status.value == "CREATED", result
                        with lock:
                            acknowledged.add(email)
                    else:
                        client.get_lead("EMAIL", f"pace-{name}-{n - 1}@faults.test")
                    outcome = "success"
                except RemoteFault as raised:
                    outcome = str(raised.code)
                except Exception as exc:  # counted, and failed below
                    outcome = repr(exc)
                with lock:
                    results[outcome] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    injector.latency = 0.0
    print(f"SOAP calls: {dict(results)}")  # shown with -s, or when the test fails
    assert set(results) <= {"success", "20023", "20024"}, results
    assert results["success"] > 0, results
    calls = injector.rest_calls()
    assert all(c.outcome == "forwarded" for c in calls)
    # Every acknowledged create landed upstream once; a refused one never reached it.
    landed = {email for email in upstream.leads() if email.startswith("pace-")}
    assert landed == acknowledged
    assert most_in_flight(calls) <= 4
    assert most_in_window(calls, 2.0) <= 20, busiest(calls, 2.0)
    # ... and the clients did drive it to the rate it may use (else this proves nothing).
    assert most_in_window(calls, 2.0) >= 16, busiest(calls, 2.0)


# -- the secret ------------------------------------------------------------------------


def test_the_secret_and_tokens_never_reach_the_relays_log(stack: Stack, injector: Injector) -> None:
    relay = stack.start_relay("--log-level", "info")
    with soap(relay) as client:
        assert client.sync_multiple_leads([{"Email": "log@faults.test"}])[0].ok
        injector.expire_tokens()  # a renewal
        assert client.get_lead("EMAIL", "log@faults.test")
        injector.marketo_error("603", 1)  # logged as a warning with the upstream's text
        fault_of(lambda: client.get_lead("EMAIL", "log@faults.test"))
        injector.expire_tokens()
        injector.http_error(401, 1, path=IDENTITY)  # logged with the identity's answer
        fault_of(lambda: client.get_lead("EMAIL", "log@faults.test"))
        injector.drop(1, path=IDENTITY)  # a failed renewal (retried or not)
        try:
            client.get_lead("EMAIL", "log@faults.test")
        except RemoteFault as raised:
            assert raised.code == 20011
    relay.stop()
    assert "upstream refused the relay (603)" in relay.log  # the log was captured
    assert CLIENT_SECRET not in relay.log
    tokens = injector.issued_tokens()
    assert len(tokens) >= 2
    assert [token for token in tokens if token in relay.log] == []
