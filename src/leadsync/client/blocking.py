"""A Python client for any mktows endpoint (leadsync's or another), over httpx.

    with Client(endpoint, user_id, secret) as client:
        results = client.sync_multiple_leads(leads)

Every call is signed afresh (Marketo's HMAC-SHA1 over ``requestTimestamp + mktowsUserId``);
what is sent and how answers are read is ``protocol.py``'s, shared with the asyncio
twin, ``leadsync.AsyncClient`` (``aio.py``). ``docs/client.md`` has the guide.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from types import TracebackType
from typing import TypeVar

import httpx
from lxml import etree

from leadsync.batches import batches
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

R = TypeVar("R")


class Client(ClientCore):
    """A signed mktows client over one httpx connection pool (thread-safe).

    ``endpoint`` is the full SOAP URL (``https://.../soap/mktows/2_2``). ``timeout`` is
    per call, ``max_concurrency`` the calls ``sync_multiple_leads`` keeps in flight, and
    ``transport`` an ``httpx.BaseTransport`` to use instead of the network (tests, proxies),
    and ``verify`` how an https endpoint's certificate is checked: True (the system's CAs),
    a CA bundle file, an ``ssl.SSLContext``, or False (not at all). A certificate that is
    not trusted, or TLS against a plain port, fails at once: no retry can help.
    Use it as a context manager, or call ``close()``.
    """

    def __init__(
        self,
        endpoint: str,
        user_id: str,
        secret: str,
        *,
        timeout: float = 30.0,
        max_concurrency: int = 4,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        verify: Verify = True,
    ) -> None:
        super().__init__(endpoint, user_id, secret, max_concurrency, retry)
        self._interrupted = threading.Event()
        self._http = httpx.Client(
            timeout=timeout,
            limits=self._limits(),
            transport=transport,
            headers=HEADERS,
            verify=tls_verify(verify),
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool; calls waiting to retry give up."""
        self._interrupted.set()
        self._http.close()

    def interrupt(self) -> None:
        """Make calls that are waiting to retry give up now (raising their last error).

        Calls on the wire still finish. For a clean stop from another thread, such as a
        Ctrl-C handler; the client retries no more afterwards.
        """
        self._interrupted.set()

    # -- operations -------------------------------------------------------------------

    def sync_multiple_leads(
        self, records: Iterable[object], *, dedup: bool = True
    ) -> list[SyncResult]:
        """Upsert ``records``: one result per record, in input order.

        A record is a mapping (keys ``Id``, ``Email``, ``ForeignSysPersonId``,
        ``ForeignSysType``; every other key is an attribute) or an object with those keys
        as ``id``, ``email``, ... and ``attributes`` (a mapping, or (name, value) pairs),
        such as ``leadsync.model.Lead``; any other dataclass is read as a mapping of its
        fields. A value of None clears the attribute (sent as ``xsi:nil``).

        Records go in calls of at most 300, up to ``max_concurrency`` at once. A permanent
        fault raises ``RemoteFault``; the calls before it were applied (``iter_sync``
        gives each call's results as they come).
        """
        results: list[SyncResult] = []
        for _, batch in self.iter_sync(records, dedup=dedup):
            results.extend(batch)
        return results

    def iter_sync(
        self, records: Iterable[R], *, dedup: bool = True, batch_size: int = MAX_BATCH
    ) -> Iterator[tuple[list[R], list[SyncResult]]]:
        """Like ``sync_multiple_leads``, yielding each call's records and results in input
        order while up to ``max_concurrency`` calls are in flight; reads ``records``
        lazily (a few calls ahead), so an endless iterable streams."""
        if not 1 <= batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be between 1 and {MAX_BATCH}")
        window: deque[tuple[list[R], Future[list[SyncResult]]]] = deque()
        ahead = 2 * self.max_concurrency  # queued calls keep every thread busy
        pool = ThreadPoolExecutor(self.max_concurrency, thread_name_prefix="leadsync-client")
        try:
            for batch in batches(records, batch_size):
                window.append((batch, pool.submit(self.sync_batch, batch, dedup=dedup)))
                if len(window) >= ahead:
                    done, future = window.popleft()
                    yield done, future.result()
            while window:
                done, future = window.popleft()
                yield done, future.result()
        finally:
            for _, future in window:
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)

    def sync_batch(self, records: Sequence[object], *, dedup: bool = True) -> list[SyncResult]:
        """One syncMultipleLeads call (at most 300 records), retried as the policy says."""
        batch = SyncBatch(records, dedup)
        return batch.results(None if batch.request is None else self._call(batch.request))

    def describe_mobject(self, object_name: str = "LeadRecord") -> list[FieldMetadata]:
        """The fields of ``object_name`` (describeMObject)."""
        return field_metadata(self._call(describe_request(object_name)))

    # -- the sibling operations ---------------------------------------------------------

    def sync_lead(
        self, record: object, *, return_lead: bool = True, cookie: str | None = None
    ) -> tuple[SyncResult, RemoteLead | None]:
        """syncLead: one record (its own key rules; an unknown field is RemoteFault 20105),
        and the lead as stored when ``return_lead``."""
        answer = self._call(sync_lead_request(record, return_lead, cookie))
        return sync_lead_result(answer, return_lead)

    def get_lead(self, key_type: str, key_value: str | int) -> list[RemoteLead]:
        """getLead by ``IDNUM``, ``EMAIL`` or ``COOKIE``: every lead with that key (an email
        may be shared), or [] when none has it (the server's fault 20103)."""
        try:
            return leads(self._call(get_lead_request(key_type, key_value)))
        except RemoteFault as fault:
            if fault.code == NO_SUCH_LEAD:
                return []
            raise

    def get_multiple_leads(
        self,
        *,
        emails: Iterable[str] | None = None,
        ids: Iterable[int] | None = None,
        updated_since: datetime | None = None,
        updated_until: datetime | None = None,
        attributes: Iterable[str] | None = None,
        batch_size: int = 100,
    ) -> Iterator[RemoteLead]:
        """Every lead selected by key (``emails`` or ``ids``: any number, asked 100 a
        selector, Marketo's cap) or by update time, following the stream positions page
        after page."""
        pages = LeadPages(
            emails=emails,
            ids=ids,
            updated_since=updated_since,
            updated_until=updated_until,
            attributes=attributes,
            batch_size=batch_size,
        )
        while (request := pages.request()) is not None:
            yield from pages.leads(self._call(request))

    # -- one call, signed and retried --------------------------------------------------

    def _call(self, request: Request) -> etree._Element:
        """The answer's body element; raises the last error once retries are spent."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._post(request)
            except (RemoteFault, ConnectionFailed) as error:
                wait = self._retrying(request, error, attempt, self._interrupted.is_set())
                if wait is None or self._interrupted.wait(wait):
                    raise

    def _post(self, request: Request) -> etree._Element:
        content, headers = self._envelope(request)
        try:
            response = self._http.post(self.endpoint, content=content, headers=headers)
        except httpx.TransportError as exc:
            raise self._failed(exc, request) from None
        return self._answered(response, request)
