"""leadsync.Client: request shape and signing (through a mock transport), then against
leadsync's app in process: order across calls, typed faults, retries under throttling
(tests/test_client_reads.py keeps a real socket)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from lxml import etree

import leadsync
from leadsync import (
    Client,
    ConnectionFailed,
    MktowsError,
    ProtocolError,
    RemoteFault,
    RetryPolicy,
    SyncResult,
    SyncStatusCode,
)
from leadsync.auth import parse_timestamp, sign
from leadsync.config import Settings
from leadsync.http.app import create_app
from leadsync.limits import LimitSettings
from leadsync.model import Attribute, Lead, LeadRecord
from leadsync.store import SqliteStore, Store
from tests.inprocess import InProcess, in_process
from tests.server import ServerProcess
from tests.soap import DEMO_SECRET, DEMO_USER, resign, seed_xml

ENDPOINT = "http://leadsync.test/soap/mktows/2_2"
FAST = RetryPolicy(max_retries=3, base_delay=0.001, max_delay=0.002)
CREATED, UPDATED, FAILED = SyncStatusCode.CREATED, SyncStatusCode.UPDATED, SyncStatusCode.FAILED


# -- helpers shared with test_push.py and test_client_docs.py ---------------------------


@contextmanager
def running(db_path: str, *args: str) -> Iterator[ServerProcess]:
    """A real ``leadsync serve`` on a free port, stopped on the way out."""
    server = ServerProcess(db_path, args)
    try:
        yield server.start()
    finally:
        server.stop()


def metrics(server: ServerProcess) -> dict[str, float]:
    """The server's Prometheus samples, e.g. ``leadsync_records_total{status="CREATED"}``."""
    text = httpx.get(f"{server.base_url}/metrics", timeout=10).text
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            found[name] = float(value)
    return found


def records_total(server: ServerProcess, status: str) -> int:
    return int(metrics(server).get(f'leadsync_records_total{{status="{status}"}}', 0))


@pytest.fixture
def server(sqlite_store: SqliteStore, db_path: str) -> Iterator[ServerProcess]:
    with running(db_path) as started:
        yield started


# -- a mock transport: what the client sends ---------------------------------------------


def success(count: int, status: str = "CREATED") -> httpx.Response:
    items = "".join(
        f"<syncStatus><leadId>{i + 1}</leadId><status>{status}</status>"
        '<error xsi:nil="true"/></syncStatus>'
        for i in range(count)
    )
    return httpx.Response(
        200,
        content=(
            '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"'
            ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
            ' xmlns:ns1="http://www.marketo.com/mktows/"><SOAP-ENV:Body>'
            "<ns1:successSyncMultipleLeads><result><syncStatusList>"
            f"{items}</syncStatusList></result></ns1:successSyncMultipleLeads>"
            "</SOAP-ENV:Body></SOAP-ENV:Envelope>"
        ).encode(),
    )


def fault(code: int, text: str, with_detail: bool = True) -> httpx.Response:
    detail = (
        '<detail><ns1:serviceException xmlns:ns1="http://www.marketo.com/mktows/">'
        f"<name>mktServiceException</name><message>{text} ({code})</message>"
        f"<code>{code}</code></ns1:serviceException></detail>"
        if with_detail
        else ""
    )
    return httpx.Response(
        500,
        content=(
            '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">'
            "<SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode>"
            f"<faultstring>{code} - {text}</faultstring>{detail}</SOAP-ENV:Fault>"
            "</SOAP-ENV:Body></SOAP-ENV:Envelope>"
        ).encode(),
    )


@dataclass
class Recorder:
    """A mock endpoint: answers from ``replies`` in turn (the last one repeats)."""

    replies: list[httpx.Response | Exception]
    requests: list[httpx.Request]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies[min(len(self.requests), len(self.replies)) - 1]
        if isinstance(reply, Exception):
            raise reply
        return reply

    def records(self, index: int = -1) -> list[etree._Element]:
        root = etree.fromstring(self.requests[index].content)
        return list(root.iter("leadRecord"))


def mock(*replies: httpx.Response | Exception, **options: Any) -> tuple[Client, Recorder]:
    recorder = Recorder(list(replies), [])
    options.setdefault("retry", FAST)
    client = Client(
        ENDPOINT, DEMO_USER, DEMO_SECRET, transport=httpx.MockTransport(recorder), **options
    )
    return client, recorder


def c14n(xml: bytes) -> bytes:
    parser = etree.XMLParser(remove_blank_text=True)
    return etree.tostring(etree.fromstring(xml, parser), method="c14n", exclusive=True)


def test_the_request_is_the_seeds_request_signed_afresh() -> None:
    client, seen = mock(success(2))
    with client:
        results = client.sync_multiple_leads(
            [
                {"Email": f"em{uid}@etestd.marketo.net", "Company": f"Marketo{uid}"}
                | {"Phone": f"650-555-{uid}"}
                for uid in (1000, 1001)
            ]
        )
    assert results == [SyncResult(1, CREATED), SyncResult(2, CREATED)]
    request = seen.requests[0]
    assert request.headers["content-type"] == "text/xml; charset=utf-8"
    assert request.headers["soapaction"] == '"http://www.marketo.com/mktows/syncMultipleLeads"'
    timestamp = etree.fromstring(request.content).findtext(".//requestTimestamp") or ""
    assert abs((datetime.now(UTC) - parse_timestamp(timestamp)).total_seconds()) < 60
    expected = resign(seed_xml("request"), timestamp).encode()
    assert c14n(request.content) == c14n(expected)
    assert b"ns1:paramsSyncMultipleLeads" in request.content  # the seed's own prefixes


def test_every_attempt_is_signed_with_its_own_timestamp() -> None:
    client, seen = mock(fault(20023, "Rate limit exceeded"), success(1))
    with client:
        assert client.sync_multiple_leads([{"Email": "a@x.com"}]) == [SyncResult(1, CREATED)]
    assert len(seen.requests) == 2
    for request in seen.requests:
        root = etree.fromstring(request.content)
        timestamp = root.findtext(".//requestTimestamp") or ""
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", timestamp)
        assert root.findtext(".//requestSignature") == sign(DEMO_SECRET, timestamp, DEMO_USER)
    assert client.stats.retries == {"20023": 1} and client.stats.calls == 2


def test_records_from_mappings_leads_lead_records_and_dataclasses() -> None:
    @dataclass
    class Row:
        Email: str
        Company: str | None

    client, seen = mock(success(5))
    with client:
        client.sync_multiple_leads(
            [
                {"Id": 7, "ForeignSysPersonId": "F1", "ForeignSysType": "SFDC", "Title": None},
                Lead(0, "new@x.com", None, None, {"Phone": "1\r\n2", "LeadScore": "3"}),
                LeadRecord(id=9, attributes=(Attribute("Company", "A & B <c>"),)),
                Row("row@x.com", None),
                {"Email": "t@x.com", "DoNotCall": True, "LeadScore": 5, "DateofBirth": None},
            ]
        )
    xsi_nil = "{http://www.w3.org/2001/XMLSchema-instance}nil"

    def shape(record: etree._Element) -> list[tuple[str, str | None]]:
        found: list[tuple[str, str | None]] = []
        for child in record:
            if child.tag == "leadAttributeList":
                for item in child:
                    value = item.find("attrValue")
                    assert value is not None
                    text = None if value.get(xsi_nil) == "true" else value.text
                    found.append((item.findtext("attrName") or "", text))
            else:
                found.append((str(child.tag), child.text))
        return found

    assert [shape(r) for r in seen.records()] == [
        [("Id", "7"), ("ForeignSysPersonId", "F1"), ("ForeignSysType", "SFDC"), ("Title", None)],
        [("Email", "new@x.com"), ("Phone", "1\r\n2"), ("LeadScore", "3")],  # CR kept
        [("Id", "9"), ("Company", "A & B <c>")],
        [("Email", "row@x.com"), ("Company", None)],
        [("Email", "t@x.com"), ("DoNotCall", "true"), ("LeadScore", "5"), ("DateofBirth", None)],
    ]


def test_a_record_xml_cannot_carry_fails_alone_and_unsent() -> None:
    client, seen = mock(success(2, "UPDATED"))
    with client:
        results = client.sync_multiple_leads(
            [{"Email": "a@x.com"}, {"Email": "b@x.com", "Company": "\x00"}, {"Email": "c@x.com"}]
        )
        assert results == [
            SyncResult(1, UPDATED),
            SyncResult(0, FAILED, "not sent: Company holds U+0000, which XML cannot carry"),
            SyncResult(2, UPDATED),
        ]
        assert len(seen.records()) == 2
        assert client.sync_multiple_leads([{"Email": "d@x.com", "Tags": ["a"]}]) == [
            SyncResult(0, FAILED, "not sent: Tags: a list value cannot be sent")
        ]
        assert len(seen.requests) == 1  # nothing left to send: no call
        with pytest.raises(TypeError, match="mapping or a Lead-like object"):
            client.sync_multiple_leads(["a@x.com"])


def test_connection_errors_are_retried_and_then_raised() -> None:
    refused = httpx.ConnectError("refused")
    client, seen = mock(refused, refused, success(1))
    with client:
        assert client.sync_multiple_leads([{"Email": "a@x.com"}]) == [SyncResult(1, CREATED)]
    assert client.stats.retries == {"connection": 2}

    client, seen = mock(refused)
    with client, pytest.raises(ConnectionFailed) as caught:
        client.sync_multiple_leads([{"Email": "a@x.com"}])
    assert caught.value.attempts == 4 and not caught.value.maybe_applied
    assert isinstance(caught.value, MktowsError)


def test_a_call_that_may_have_applied_is_resent_only_when_dedup_makes_it_safe() -> None:
    timeout = httpx.ReadTimeout("slow")
    client, seen = mock(timeout, success(1, "UPDATED"))
    with client:
        assert client.sync_multiple_leads([{"Email": "a@x.com"}])[0].status is UPDATED
    client, seen = mock(timeout, success(1))
    with client, pytest.raises(ConnectionFailed) as caught:
        client.sync_multiple_leads([{"Email": "a@x.com"}], dedup=False)
    assert caught.value.maybe_applied and len(seen.requests) == 1


def test_faults_are_typed_and_only_the_retryable_ones_retried() -> None:
    client, seen = mock(fault(20014, "Authentication failed"))
    with client, pytest.raises(RemoteFault) as caught:
        client.sync_multiple_leads([{"Email": "a@x.com"}])
    error = caught.value
    assert (error.code, error.message, error.faultstring, error.faultcode) == (
        20014,
        "Authentication failed (20014)",
        "20014 - Authentication failed",
        "SOAP-ENV:Client",
    )
    assert len(seen.requests) == 1 and not error.retryable

    client, seen = mock(fault(20024, "Concurrency limit exceeded", with_detail=False))
    with client, pytest.raises(RemoteFault) as caught:
        client.sync_multiple_leads([{"Email": "a@x.com"}])
    assert caught.value.code == 20024 and caught.value.attempts == 4  # from the faultstring
    assert len(seen.requests) == 4

    for code in (10001, 20011):
        client, seen = mock(fault(code, "Internal Error"), success(1))
        with client:
            assert client.sync_multiple_leads([{"Email": "a@x.com"}])[0].status is CREATED


def test_answers_that_are_not_mktows_are_protocol_errors() -> None:
    client, _ = mock(httpx.Response(404, html="<html><body>nope</body></html>"))
    with client, pytest.raises(ProtocolError, match="HTTP 404"):
        client.sync_multiple_leads([{"Email": "a@x.com"}])
    client, _ = mock(success(1))
    with client, pytest.raises(ProtocolError, match="1 syncStatus for 2 lead records"):
        client.sync_multiple_leads([{"Email": "a@x.com"}, {"Email": "b@x.com"}])
    entity = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    client, _ = mock(httpx.Response(200, content=entity))
    with client, pytest.raises(ProtocolError):
        client.sync_multiple_leads([{"Email": "a@x.com"}])


def test_repr_never_shows_the_secret_and_with_closes() -> None:
    client, _ = mock(success(1))
    with client as entered:
        assert entered is client
        shown = repr(client)
    assert shown == (f"Client(endpoint={ENDPOINT!r}, user_id={DEMO_USER!r}, max_concurrency=4)")
    assert DEMO_SECRET not in shown and DEMO_SECRET not in str(vars(client))
    assert client._http.is_closed
    with pytest.raises(ValueError, match="http"):
        Client("ftp://x", DEMO_USER, DEMO_SECRET)
    assert {"Client", "RemoteFault", "SyncResult"} <= set(leadsync.__all__)


# -- against the app, in process -----------------------------------------------------------


@pytest.fixture
def local(store: Store, settings: Settings) -> Iterator[InProcess]:
    """leadsync's app in this process, on each store, behind an httpx transport."""
    with in_process(create_app(store, settings)) as transport:
        yield transport


def test_order_is_kept_across_concurrent_calls(local: InProcess, store: Store) -> None:
    records: list[dict[str, Any]] = []
    for i in range(1000):
        record: dict[str, Any] = {"Email": f"order{i}@x.com", "LeadScore": str(i)}
        if i % 7 == 3:
            record["Shoe"] = "42"  # an unknown field: this record alone fails
        if i % 11 == 5:
            record["Email"] = f"order{i - 1}@x.com"  # the same lead as the record before
        records.append(record)
    with Client(ENDPOINT, DEMO_USER, DEMO_SECRET, max_concurrency=4, transport=local) as client:
        results = client.sync_multiple_leads(records)
    assert client.stats.calls == 4  # 300 + 300 + 300 + 100
    assert len(results) == 1000
    by_email = {lead.email: lead for lead in store.iter_leads()}
    for i, (record, result) in enumerate(zip(records, results, strict=True)):
        if i % 7 == 3:
            assert result == SyncResult(0, FAILED, "unknown fields for import: Shoe"), i
            continue
        lead = by_email[record["Email"]]
        assert result.lead_id == lead.id, i
        duplicate = i % 11 == 5 and (i - 1) % 7 != 3
        # A duplicate of the previous record updates its lead, unless the two were in
        # different calls that ran concurrently (then either may come first).
        if duplicate and i % 300 != 0:
            assert result.status is UPDATED, i
        elif not duplicate:
            assert result.status is CREATED, i
    statuses = Counter(r.status for r in results)
    duplicates = [i for i in range(1000) if i % 11 == 5 and i % 7 != 3 and (i - 1) % 7 != 3]
    assert statuses == {
        CREATED: len(by_email),
        UPDATED: len(duplicates),
        FAILED: len(range(3, 1000, 7)),
    }


def test_a_wrong_key_raises_remote_fault_20014(local: InProcess) -> None:
    with Client(ENDPOINT, DEMO_USER, "not-the-key", transport=local) as client:
        with pytest.raises(RemoteFault) as caught:
            client.sync_multiple_leads([{"Email": "a@x.com"}])
    error = caught.value
    assert isinstance(error, MktowsError)
    assert error.code == 20014
    assert error.faultstring == "20014 - Authentication failed"
    assert error.message == "Authentication failed (20014)"
    assert error.attempts == 1 and "not-the-key" not in str(error)


def test_more_than_300_records_in_one_call_is_refused_by_the_client() -> None:
    client, _ = mock(success(1))
    with client, pytest.raises(ValueError, match="at most 300"):
        client.sync_batch([{"Email": f"{i}@x.com"} for i in range(301)])


class _Ticking:
    """A clock that moves a quarter second each time it is read: a call (two reads: the
    dispatcher's and the limiter's) takes half a second, with no real waiting."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=0.25)
        return self.now


def test_throttling_20023_is_absorbed_by_retries(sqlite_store: SqliteStore, db_path: str) -> None:
    limits = LimitSettings(rate_calls=1, rate_window_seconds=1)
    settings = Settings(db=db_path, emulate_limits=True, limits=limits, max_clock_skew=0)
    app = create_app(sqlite_store, settings, _Ticking())
    records = [{"Email": f"rate{i}@x.com"} for i in range(900)]
    with in_process(app) as local:
        with Client(ENDPOINT, DEMO_USER, DEMO_SECRET, retry=FAST, transport=local) as client:
            results = client.sync_multiple_leads(records)
        assert [r.status for r in results] == [CREATED] * 900
        assert client.stats.retries["20023"] >= 2  # one call a second; each takes half
        with httpx.Client(transport=local) as http:
            scraped = http.get("http://leadsync.test/metrics").text
        faults = re.search(r'^leadsync_faults_total\{code="20023"\} (\S+)$', scraped, re.M)
        assert faults and float(faults[1]) == client.stats.retries["20023"]

        once = RetryPolicy(max_retries=0)
        with Client(ENDPOINT, DEMO_USER, DEMO_SECRET, retry=once, transport=local) as client:
            with pytest.raises(RemoteFault) as caught:
                for _ in range(3):
                    client.sync_multiple_leads([{"Email": "rate0@x.com"}])
        assert caught.value.code == 20023 and caught.value.attempts == 1
        assert caught.value.retryable


def test_describe_mobject_gives_the_catalog(local: InProcess) -> None:
    with Client(ENDPOINT, DEMO_USER, DEMO_SECRET, transport=local) as client:
        described = client.describe_mobject()
    fields = {f.name: f.data_type for f in described}
    assert fields["Email"] == "string" and fields["NumberOfEmployees"] == "integer"
