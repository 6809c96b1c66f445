"""leadsync.AsyncClient: the same requests, errors and retries as leadsync.Client
(through a mock transport), then against a real ``leadsync serve``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import aclosing
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import pytest
from lxml import etree

from leadsync import AsyncClient, ConnectionFailed, RemoteFault, RetryPolicy, SyncResult
from leadsync.config import Settings
from leadsync.http.app import create_app
from leadsync.store import SqliteStore, Store
from tests.soap import DEMO_SECRET, DEMO_USER, resign, seed_xml
from tests.test_client import (
    CREATED,
    ENDPOINT,
    FAILED,
    FAST,
    UPDATED,
    Recorder,
    c14n,
    fault,
    running,
    success,
)

T = TypeVar("T")


def run(scenario: Callable[[AsyncClient], Coroutine[Any, Any, T]], client: AsyncClient) -> T:
    """``scenario(client)`` on a new event loop; the client closed afterwards."""

    async def main() -> T:
        async with client:
            return await scenario(client)

    return asyncio.run(main())


def mock(*replies: httpx.Response | Exception, **options: Any) -> tuple[AsyncClient, Recorder]:
    recorder = Recorder(list(replies), [])
    options.setdefault("retry", FAST)
    transport = httpx.MockTransport(recorder)
    return AsyncClient(ENDPOINT, DEMO_USER, DEMO_SECRET, transport=transport, **options), recorder


def one(email: str = "a@x.com") -> Callable[[AsyncClient], Coroutine[Any, Any, list[SyncResult]]]:
    return lambda client: client.sync_multiple_leads([{"Email": email}])


# -- through a mock transport ------------------------------------------------------------


def test_the_request_is_the_seeds_request_signed_afresh() -> None:
    client, seen = mock(success(2))
    records = [
        {
            "Email": f"em{uid}@etestd.marketo.net",
            "Company": f"Marketo{uid}",
            "Phone": f"650-555-{uid}",
        }
        for uid in (1000, 1001)
    ]
    results = run(lambda c: c.sync_multiple_leads(records), client)
    assert results == [SyncResult(1, CREATED), SyncResult(2, CREATED)]
    [request] = seen.requests
    assert request.headers["soapaction"] == '"http://www.marketo.com/mktows/syncMultipleLeads"'
    timestamp = etree.fromstring(request.content).findtext(".//requestTimestamp") or ""
    assert c14n(request.content) == c14n(resign(seed_xml("request"), timestamp).encode())


def test_faults_and_connection_errors_are_retried_as_the_client_retries_them() -> None:
    client, seen = mock(fault(20023, "Rate limit exceeded"), success(1))
    assert run(one(), client) == [SyncResult(1, CREATED)]
    assert (client.stats.calls, client.stats.retries) == (2, {"20023": 1})

    client, seen = mock(fault(20014, "Authentication failed"))
    with pytest.raises(RemoteFault) as caught:
        run(one(), client)
    assert (caught.value.code, caught.value.attempts, len(seen.requests)) == (20014, 1, 1)

    client, seen = mock(httpx.ConnectError("refused"))
    with pytest.raises(ConnectionFailed) as refused:
        run(one(), client)
    assert (refused.value.attempts, refused.value.maybe_applied) == (4, False)
    assert client.stats.retries == {"connection": 3}

    # Sent but unanswered: resent only when dedup makes it safe.
    client, seen = mock(httpx.ReadTimeout("slow"), success(1, "UPDATED"))
    assert run(one(), client)[0].status is UPDATED
    client, seen = mock(httpx.ReadTimeout("slow"), success(1))
    with pytest.raises(ConnectionFailed) as lost:
        run(lambda c: c.sync_multiple_leads([{"Email": "a@x.com"}], dedup=False), client)
    assert lost.value.maybe_applied and len(seen.requests) == 1


def test_interrupt_ends_a_wait_to_retry_at_once() -> None:
    slow = RetryPolicy(max_retries=5, base_delay=60, max_delay=60)
    client, seen = mock(fault(20023, "Rate limit exceeded"), retry=slow)

    async def scenario(client: AsyncClient) -> None:
        call = asyncio.create_task(one()(client))
        while not seen.requests:
            await asyncio.sleep(0.01)
        client.interrupt()
        await call

    started = time.monotonic()
    with pytest.raises(RemoteFault) as caught:
        run(scenario, client)
    assert time.monotonic() - started < 5  # not the minute's wait
    assert (caught.value.code, caught.value.attempts, len(seen.requests)) == (20023, 1, 1)


def test_a_record_xml_cannot_carry_fails_alone_and_the_batch_limit_holds() -> None:
    client, seen = mock(success(1))
    results = run(
        lambda c: c.sync_multiple_leads([{"Email": "bad\x00@x.com"}, {"Email": "a@x.com"}]),
        client,
    )
    assert results == [
        SyncResult(0, FAILED, "not sent: Email holds U+0000, which XML cannot carry"),
        SyncResult(1, CREATED),
    ]
    assert len(seen.records()) == 1
    client, _ = mock(success(1))
    with pytest.raises(ValueError, match="at most 300"):
        run(lambda c: c.sync_batch([{"Email": f"{i}@x.com"} for i in range(301)]), client)


def test_nothing_to_send_sends_nothing_and_a_selector_is_required() -> None:
    client, seen = mock(success(1))

    async def scenario(client: AsyncClient) -> list[SyncResult]:
        with pytest.raises(ValueError, match="give emails, ids or updated_since"):
            [lead async for lead in client.get_multiple_leads()]
        with pytest.raises(ValueError, match="batch_size must be between 1 and 300"):
            [call async for call in client.iter_sync([{"Email": "a@x.com"}], batch_size=0)]
        return await client.sync_multiple_leads([])

    assert run(scenario, client) == []
    assert seen.requests == []


# -- against the app in process, then a real server ----------------------------------------


def _local(store: Store, db: str, max_concurrency: int) -> AsyncClient:
    """An AsyncClient of leadsync's app in this process, on each store."""
    transport = httpx.ASGITransport(app=create_app(store, Settings(db=db)))
    return AsyncClient(
        ENDPOINT, DEMO_USER, DEMO_SECRET, max_concurrency=max_concurrency, transport=transport
    )


async def _records(count: int) -> AsyncIterator[dict[str, str]]:
    for i in range(count):
        await asyncio.sleep(0)  # a source that awaits, as a database cursor would
        record = {"Email": f"async{i}@x.com", "LeadScore": str(i)}
        if i % 7 == 3:
            record["Shoe"] = "42"  # an unknown field: this record alone fails
        yield record


def test_order_is_kept_across_concurrent_calls_from_an_async_source(store: Store, db: str) -> None:
    client = _local(store, db, max_concurrency=4)
    results = run(lambda c: c.sync_multiple_leads(_records(1000)), client)
    assert client.stats.calls == 4  # 300 + 300 + 300 + 100
    ids = {lead.email: lead.id for lead in store.iter_leads()}
    assert len(ids) == 1000 - len(range(3, 1000, 7))
    for i, result in enumerate(results):
        if i % 7 == 3:
            assert result == SyncResult(0, FAILED, "unknown fields for import: Shoe"), i
        else:
            assert result == SyncResult(ids[f"async{i}@x.com"], CREATED), i


def test_leaving_iter_sync_early_cancels_the_calls_not_yet_answered(store: Store, db: str) -> None:
    async def first_call(client: AsyncClient) -> tuple[int, int]:
        records = ({"Email": f"early{i}@x.com"} for i in range(100_000))
        async with aclosing(client.iter_sync(records, batch_size=100)) as calls:
            async for sent, results in calls:
                assert [r.status for r in results] == [CREATED] * len(sent) == [CREATED] * 100
                break
        return len(asyncio.all_tasks()), client.stats.calls

    tasks, calls = run(first_call, _local(store, db, max_concurrency=2))
    # The calls on the wire were answered, the queued ones cancelled before they were sent:
    # every lead stored was answered for, and nothing is left running.
    assert tasks == 1
    assert 1 <= calls <= 4  # the window: twice max_concurrency, read ahead
    assert len(list(store.iter_leads())) == 100 * calls


@pytest.mark.e2e
def test_wrong_key_and_the_reads_over_a_real_socket(
    sqlite_store: SqliteStore, db_path: str
) -> None:
    with running(db_path) as server:
        wrong = AsyncClient(server.endpoint, DEMO_USER, "not-the-key")
        with pytest.raises(RemoteFault) as caught:
            run(one(), wrong)
        assert (caught.value.code, caught.value.attempts) == (20014, 1)

        async def reads(client: AsyncClient) -> None:
            status, lead = await client.sync_lead({"Email": "r@x.com", "FirstName": "Rosa"})
            assert (status, lead and lead.attributes) == (
                SyncResult(1, CREATED),
                {"FirstName": "Rosa"},
            )
            assert await client.get_lead("EMAIL", "nobody@x.com") == []
            await client.sync_multiple_leads([{"Email": f"p{i}@x.com"} for i in range(99)])
            since = datetime.now(UTC) - timedelta(days=1)
            found = [
                lead.id
                async for lead in client.get_multiple_leads(updated_since=since, batch_size=7)
            ]
            assert found == list(range(1, 101))
            fields = {f.name: f.data_type for f in await client.describe_mobject()}
            assert fields["Email"] == "string"

        run(reads, AsyncClient(server.endpoint, DEMO_USER, DEMO_SECRET))
