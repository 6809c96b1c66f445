"""``leadsync.AsyncClient``: ``leadsync.Client`` for asyncio, over ``httpx.AsyncClient``.

    async with AsyncClient(endpoint, user_id, secret) as client:
        results = await client.sync_multiple_leads(leads)

The same operations, arguments, results, errors and retries as ``Client`` (what is sent
and how answers are read is ``protocol.py``'s, shared by both); calls in flight are
tasks instead of threads, and records may also come from an async iterable.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterable, Iterable, Sequence
from datetime import datetime
from types import TracebackType
from typing import TypeVar

import httpx
from lxml import etree

from leadsync.batches import abatches
from leadsync.client.answers import field_metadata, leads
from leadsync.client.protocol import (
    HEADERS,
    NO_SUCH_LEAD,
    ClientCore,
    LeadPages,
    Request,
    SyncBatch,
    Verify,
    describe_request,
    get_lead_request,
    sync_lead_request,
    sync_lead_result,
    tls_verify,
)
from leadsync.client.types import (
    MAX_BATCH,
    ConnectionFailed,
    FieldMetadata,
    RemoteFault,
    RemoteLead,
    RetryPolicy,
    SyncResult,
)

__all__ = ["AsyncClient"]

R = TypeVar("R")


class AsyncClient(ClientCore):
    """A signed mktows client for asyncio, over one ``httpx.AsyncClient`` pool.

    Arguments as ``Client``'s; ``transport`` is an ``httpx.AsyncBaseTransport``. Use it
    as an async context manager, or call ``aclose()``. One event loop at a time.
    """

    def __init__(
        self,
        endpoint: str,
        user_id: str,
        secret: str,
        *,
        timeout: float = 30.0,
        max_concurrency: int = 4,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        verify: Verify = True,
    ) -> None:
        super().__init__(endpoint, user_id, secret, max_concurrency, retry)
        self._interrupted = asyncio.Event()
        self._in_flight = asyncio.Semaphore(max_concurrency)
        self._on_wire: set[asyncio.Task[object]] = set()  # tasks with a request sent
        self._http = httpx.AsyncClient(
            timeout=timeout,
            limits=self._limits(),
            transport=transport,
            headers=HEADERS,
            verify=tls_verify(verify),
        )

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool; calls waiting to retry give up."""
        self._interrupted.set()
        await self._http.aclose()

    def interrupt(self) -> None:
        """Make calls that are waiting to retry give up now (raising their last error);
        calls on the wire still finish. Call it from the client's event loop."""
        self._interrupted.set()

    # -- operations -------------------------------------------------------------------

    async def sync_multiple_leads(
        self, records: Iterable[object] | AsyncIterable[object], *, dedup: bool = True
    ) -> list[SyncResult]:
        """Upsert ``records``: one result per record, in input order (records as for
        ``Client.sync_multiple_leads``), in calls of at most 300, up to
        ``max_concurrency`` at once."""
        results: list[SyncResult] = []
        async for _, batch in self.iter_sync(records, dedup=dedup):
            results.extend(batch)
        return results

    async def iter_sync(
        self,
        records: Iterable[R] | AsyncIterable[R],
        *,
        dedup: bool = True,
        batch_size: int = MAX_BATCH,
    ) -> AsyncGenerator[tuple[list[R], list[SyncResult]], None]:
        """Each call's records and results, in input order, while up to
        ``max_concurrency`` calls are in flight; reads ``records`` lazily (a few calls
        ahead). Leaving the loop early (close the generator: ``contextlib.aclosing``)
        cancels the calls not yet sent and waits for those on the wire, as ``Client``
        does."""
        if not 1 <= batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be between 1 and {MAX_BATCH}")
        window: deque[tuple[list[R], asyncio.Task[list[SyncResult]]]] = deque()
        ahead = 2 * self.max_concurrency  # calls queued behind those in flight
        try:
            async for batch in abatches(records, batch_size):
                window.append((batch, asyncio.create_task(self.sync_batch(batch, dedup=dedup))))
                if len(window) >= ahead:
                    done, task = window.popleft()
                    yield done, await task
            while window:
                done, task = window.popleft()
                yield done, await task
        finally:
            for _, task in window:
                if task not in self._on_wire:
                    task.cancel()
            await asyncio.gather(*(task for _, task in window), return_exceptions=True)

    async def sync_batch(
        self, records: Sequence[object], *, dedup: bool = True
    ) -> list[SyncResult]:
        """One syncMultipleLeads call (at most 300 records), retried as the policy says."""
        batch = SyncBatch(records, dedup)
        if batch.request is None:
            return batch.results(None)
        return batch.results(await self._call(batch.request))

    async def describe_mobject(self, object_name: str = "LeadRecord") -> list[FieldMetadata]:
        """The fields of ``object_name`` (describeMObject)."""
        return field_metadata(await self._call(describe_request(object_name)))

    async def sync_lead(
        self, record: object, *, return_lead: bool = True, cookie: str | None = None
    ) -> tuple[SyncResult, RemoteLead | None]:
        """syncLead, as ``Client.sync_lead``."""
        answer = await self._call(sync_lead_request(record, return_lead, cookie))
        return sync_lead_result(answer, return_lead)

    async def get_lead(self, key_type: str, key_value: str | int) -> list[RemoteLead]:
        """getLead, as ``Client.get_lead``: [] when no lead has the key."""
        try:
            return leads(await self._call(get_lead_request(key_type, key_value)))
        except RemoteFault as fault:
            if fault.code == NO_SUCH_LEAD:
                return []
            raise

    async def get_multiple_leads(
        self,
        *,
        emails: Iterable[str] | None = None,
        ids: Iterable[int] | None = None,
        updated_since: datetime | None = None,
        updated_until: datetime | None = None,
        attributes: Iterable[str] | None = None,
        batch_size: int = 100,
    ) -> AsyncGenerator[RemoteLead, None]:
        """getMultipleLeads, as ``Client.get_multiple_leads``: page after page."""
        pages = LeadPages(
            emails=emails,
            ids=ids,
            updated_since=updated_since,
            updated_until=updated_until,
            attributes=attributes,
            batch_size=batch_size,
        )
        while (request := pages.request()) is not None:
            for lead in pages.leads(await self._call(request)):
                yield lead

    # -- one call, signed and retried --------------------------------------------------

    async def _call(self, request: Request) -> etree._Element:
        """The answer's body element; raises the last error once retries are spent."""
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self._in_flight:
                    return await self._sent(request)
            except (RemoteFault, ConnectionFailed) as error:
                wait = self._retrying(request, error, attempt, self._interrupted.is_set())
                if wait is None or await self._interrupted_within(wait):
                    raise

    async def _sent(self, request: Request) -> etree._Element:
        """``_post``, with the task marked as having a request on the wire meanwhile."""
        task = asyncio.current_task()
        if task is not None:
            self._on_wire.add(task)
        try:
            return await self._post(request)
        finally:
            self._on_wire.discard(task)

    async def _interrupted_within(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self._interrupted.wait(), seconds)
        except TimeoutError:
            return False
        return True

    async def _post(self, request: Request) -> etree._Element:
        content, headers = self._envelope(request)
        try:
            response = await self._http.post(self.endpoint, content=content, headers=headers)
        except httpx.TransportError as exc:
            raise self._failed(exc, request) from None
        return self._answered(response, request)
