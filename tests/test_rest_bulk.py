"""REST Bulk Extract of leads and activities through the app, on both stores: the whole
flows with the files' exact bytes, every status, cancel, the queue and processing
limits and their codes, bad filters, Range requests, instances kept apart, retention,
migration 15; a job that survives ``kill -9`` of the server writing it; and
marketorestpython's bulk extract methods against a real server."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import httpx2
import psycopg
import pytest
from starlette.testclient import TestClient

from leadsync.config import Settings
from leadsync.exports import (
    CLAIM_TIMEOUT_S,
    MAX_PROCESSING,
    MAX_QUEUED,
    ExportFilter,
    ExportFormat,
    ExportJob,
    ExportKind,
    ExportStatus,
    LeadColumn,
)
from leadsync.http.app import create_app
from leadsync.model import DEFAULT_INSTANCE, Lead, LeadRecord
from leadsync.service import export_files
from leadsync.service import exports as exports_service
from leadsync.service.exports import POLL_S
from leadsync.service.keys import LeadKey
from leadsync.service.lists import ListService
from leadsync.service.sync import sync_multiple_leads
from leadsync.store import Store, open_store
from tests.pg import pg_schema
from tests.rest import CLIENT_ID, CLIENT_SECRET, Rest, add_client, error_code, token
from tests.server import ServerProcess
from tests.test_limits import START, Clock
from tests.waiting import eventually

JAN = 1_704_067_200_000_000  # 2024-01-01T00:00:00Z, in microseconds
SECOND = 1_000_000
DAY = 86_400 * SECOND
NOW = "2026-11-28T12:00:00Z"  # START, as REST writes it
LEADS = "/bulk/v1/leads/export"
ACTIVITIES = "/bulk/v1/activities/export"
JANUARY = {"startAt": "2024-01-01T00:00:00Z", "endAt": "2024-01-31T00:00:00Z"}


class Bulk:
    """The app with a REST client, its export directory and its clock."""

    def __init__(self, rest: Rest, store: Store, directory: Path, clock: Clock) -> None:
        self.rest = rest
        self.store = store
        self.directory = directory
        self.clock = clock

    def ok(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        """The one job of a successful answer."""
        [job] = self.rest.ok(method, path, json=body)
        assert isinstance(job, dict)
        return job

    def create(self, base: str, body: dict[str, Any]) -> str:
        return str(self.ok("POST", f"{base}/create.json", body)["exportId"])

    def status(self, base: str, export_id: str) -> dict[str, Any]:
        return self.ok("GET", f"{base}/{export_id}/status.json")

    def ended(self, base: str, export_id: str) -> dict[str, Any]:
        def end() -> dict[str, Any] | None:
            found = self.status(base, export_id)
            return found if found["status"] in ("Completed", "Failed", "Cancelled") else None

        found = eventually(end, f"export {export_id} to end")
        assert found is not None
        return found

    def run(self, base: str, body: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
        """Create, enqueue and wait: the completed job and its file."""
        export_id = self.create(base, body)
        assert self.ok("POST", f"{base}/{export_id}/enqueue.json")["status"] == "Queued"
        job = self.ended(base, export_id)
        assert job["status"] == "Completed", job
        return job, self.file(base, export_id).content

    def file(self, base: str, export_id: str, **headers: str) -> httpx.Response | httpx2.Response:
        return self.rest.http.get(
            f"{base}/{export_id}/file.json",
            headers={"Authorization": f"Bearer {self.rest.token}", **headers},
        )

    def error(self, method: str, path: str, body: Any = None) -> str:
        return error_code(self.rest.call(method, path, json=body))


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def bulk(store: Store, db: str, tmp_path: Path, clock: Clock) -> Iterator[Bulk]:
    add_client(store)
    directory = tmp_path / "exports"
    settings = Settings(db=db, export_dir=str(directory))
    with TestClient(create_app(store, settings, clock), raise_server_exceptions=False) as http:
        rest = Rest(http, token(http))
        yield Bulk(rest, store, directory, clock)
        _settle(store, rest)


def _settle(store: Store, rest: Rest | None = None) -> None:
    """Cancel what is left (through the app when there is one, which wakes its exporters)
    and wait until no exporter runs, so that none outlives the test's store."""
    for kind in ExportKind:
        for job in store.export_jobs(DEFAULT_INSTANCE, kind, (), 0, 0, 1000):
            if job.status.ended:
                continue
            if rest is None:
                store.cancel_export(DEFAULT_INSTANCE, kind, job.id, 0)
            else:
                rest.post(f"/bulk/v1/{kind.value}/export/{job.id}/cancel.json")
    eventually(
        lambda: not any(t.name == "leadsync-exports" for t in threading.enumerate()),
        "the exporters to stop",
        POLL_S + 10,
    )


def add_leads(
    store: Store, rows: list[tuple[str | None, dict[str, str], int, int]], instance: str = "default"
) -> list[int]:
    """Leads written straight through a store writer: (email, attributes, created,
    updated) each; their ids."""
    with store.write(instance) as writer:
        ids = writer.allocate_ids(len(rows))
        writer.insert_leads(
            [
                Lead(i, email, None, None, attrs, created, updated, instance=instance)
                for i, (email, attrs, created, updated) in zip(ids, rows, strict=True)
            ]
        )
    return ids


@pytest.fixture
def held(store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Lead exports that wait, once they are Processing, until the event is set."""
    gate = threading.Event()
    original = store.export_leads

    def waiting(*args: Any) -> Iterator[tuple[Any, ...]]:
        gate.wait(30)
        yield from original(*args)

    monkeypatch.setattr(store, "export_leads", waiting)
    yield gate
    gate.set()


def _january(store: Store) -> None:
    add_leads(
        store,
        [
            ("early@x.test", {"FirstName": "Early"}, JAN - SECOND, JAN - SECOND),
            (
                "ann@x.test",
                {"FirstName": "Ann", "LastName": "Lee, Jr.", "LeadScore": "5", "DoNotCall": "1"},
                JAN,
                JAN,
            ),
            (None, {"FirstName": 'Bo "B"'}, JAN + 10 * DAY, JAN + 12 * DAY),
            ("cy@x.test", {"FirstName": "", "DoNotCall": "false"}, JAN + 30 * DAY + SECOND // 2,
             JAN + 30 * DAY + SECOND // 2),
            ("late@x.test", {}, JAN + 30 * DAY + SECOND, JAN + 30 * DAY + SECOND),
        ],
    )  # fmt: skip


FIELDS = [
    "id",
    "email",
    "FIRSTNAME",
    "lastName",
    "leadScore",
    "doNotCall",
    "createdAt",
    "updatedAt",
]
JANUARY_FILE = (
    b"id,email,firstName,lastName,leadScore,doNotCall,createdAt,updatedAt\n"
    b'2,ann@x.test,Ann,"Lee, Jr.",5,true,2024-01-01T00:00:00Z,2024-01-01T00:00:00Z\n'
    b'3,null,"Bo ""B""",null,null,null,2024-01-11T00:00:00Z,2024-01-13T00:00:00Z\n'
    b"4,cy@x.test,null,null,null,false,2024-01-31T00:00:00Z,2024-01-31T00:00:00Z\n"
)


def test_a_lead_export_goes_from_created_to_its_file(bulk: Bulk) -> None:
    _january(bulk.store)
    body = {"fields": FIELDS, "format": "CSV", "filter": {"createdAt": JANUARY}}
    created = bulk.ok("POST", f"{LEADS}/create.json", body)
    export_id = created["exportId"]
    assert created == {
        "exportId": export_id,
        "status": "Created",
        "createdAt": NOW,
        "format": "CSV",
    }
    assert bulk.status(LEADS, export_id) == created
    assert bulk.file(LEADS, export_id).status_code == 404  # not completed yet
    queued = bulk.ok("POST", f"{LEADS}/{export_id}/enqueue.json")
    assert queued == {**created, "status": "Queued", "queuedAt": NOW}
    done = bulk.ended(LEADS, export_id)
    assert done == {
        "exportId": export_id,
        "status": "Completed",
        "createdAt": NOW,
        "queuedAt": NOW,
        "startedAt": NOW,
        "finishedAt": NOW,
        "format": "CSV",
        "numberOfRecords": 3,
        "fileSize": len(JANUARY_FILE),
        "fileChecksum": "sha256:" + hashlib.sha256(JANUARY_FILE).hexdigest(),
    }
    answer = bulk.file(LEADS, export_id)
    assert answer.status_code == 200
    assert answer.content == JANUARY_FILE
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["accept-ranges"] == "bytes"
    [written] = os.listdir(bulk.directory)  # written once, named by the job
    assert written.startswith(f"{export_id}.") and written.endswith(".csv")
    assert (bulk.directory / written).read_bytes() == JANUARY_FILE
    assert os.stat(bulk.directory / written).st_mode & 0o777 == 0o600


def test_updated_at_list_formats_and_header_names(bulk: Bulk) -> None:
    _january(bulk.store)
    bulk.store.add_program("default", "P", None, (), 1)
    list_id = bulk.store.add_list("default", "Picked", "P", 1)
    with bulk.store.write() as writer:
        writer.add_members(list_id, [5, 3], 1)
    fields = ["id", "firstName"]
    window = {"startAt": "2024-01-12T00:00:00Z", "endAt": "2024-01-31T00:00:00Z"}
    _, data = bulk.run(LEADS, {"fields": fields, "filter": {"updatedAt": window}})
    assert data == b'id,firstName\n3,"Bo ""B"""\n4,null\n'
    for given in (
        {"staticListId": list_id},
        {"staticListName": "Picked"},
        {"staticListName": "P.Picked"},
    ):
        _, data = bulk.run(LEADS, {"fields": fields, "filter": given})
        assert data == b'id,firstName\n3,"Bo ""B"""\n5,null\n', given
    headers = {"id": "Marketo Id", "firstName": "First; Name"}
    body = {"fields": fields, "filter": {"staticListId": list_id}, "columnHeaderNames": headers}
    job, data = bulk.run(LEADS, {**body, "format": "TSV"})
    assert job["format"] == "TSV"
    assert data == b'Marketo Id\tFirst; Name\n3\t"Bo ""B"""\n5\tnull\n'
    job, data = bulk.run(LEADS, {**body, "format": "ssv"})
    assert job["format"] == "SSV"
    assert data == b'Marketo Id;"First; Name"\n3;"Bo ""B"""\n5;null\n'
    answer = bulk.file(LEADS, job["exportId"])
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"


def _history(store: Store) -> None:
    """Two leads (12 New Lead, 13 Change Data Value) at JAN + 1 day, the second added
    to a list (24) at JAN + 2 days, a change at JAN + 40 days (outside January)."""
    sync_multiple_leads(
        store,
        [LeadRecord(email="a@x.test"), LeadRecord(email="b@x.test")],
        now_us=JAN + DAY,
    )
    store.add_program("default", "P", None, (), 1)
    list_id = store.add_list("default", "L", "P", 1)
    [the_list] = store.list_lists("default")
    ListService(store).operate(
        "default", "ADDTOLIST", the_list, [LeadKey("IDNUM", "2")], now_us=JAN + 2 * DAY
    )
    assert list_id == the_list.id
    sync_multiple_leads(store, [LeadRecord(email="c@x.test")], now_us=JAN + 40 * DAY)


def test_an_activity_export_writes_marketos_columns(bulk: Bulk) -> None:
    _history(bulk.store)
    list_id = bulk.store.list_lists("default")[0].id
    body = {"filter": {"createdAt": JANUARY, "activityTypeIds": [12, 24]}}
    job, data = bulk.run(ACTIVITIES, body)
    new_lead = (
        '"{{""Source Type"":""Web service API"",""Source Info"":""Web service API"",'
        '""Created Date"":""2024-01-02"",""Lead ID"":{lead}}}"'
    )
    expected = (
        "marketoGUID,leadId,activityDate,activityTypeId,campaignId,primaryAttributeValueId,"
        "primaryAttributeValue,attributes\n"
        f"1,1,2024-01-02T00:00:00Z,12,null,null,null,{new_lead.format(lead=1)}\n"
        f"3,2,2024-01-02T00:00:00Z,12,null,null,null,{new_lead.format(lead=2)}\n"
        f"5,2,2024-01-03T00:00:00Z,24,null,{list_id},L,"
        f'"{{""List ID"":{list_id},""Lead ID"":2}}"\n'
    ).encode()
    assert data == expected
    assert job["numberOfRecords"] == 3
    fields = ["leadId", "activityTypeId", "primaryAttributeValue", "actionResult"]
    _, data = bulk.run(ACTIVITIES, {"fields": fields, "filter": {"createdAt": JANUARY}})
    assert data == (
        b"leadId,activityTypeId,primaryAttributeValue,actionResult\n"
        b"1,12,null,succeeded\n1,13,Email Address,succeeded\n"
        b"2,12,null,succeeded\n2,13,Email Address,succeeded\n2,24,L,succeeded\n"
    )
    listed = bulk.rest.ok("GET", f"{ACTIVITIES}.json")
    assert [(j["exportId"], j["status"]) for j in listed] == [
        (job["exportId"], "Completed"),
        (listed[1]["exportId"], "Completed"),
    ]
    assert bulk.rest.ok("GET", f"{LEADS}.json") == []  # the other kind's listing


def test_every_status_and_cancel(bulk: Bulk, held: threading.Event) -> None:
    _january(bulk.store)
    body = {"fields": ["id"], "filter": {"createdAt": JANUARY}}
    never = bulk.create(LEADS, body)
    cancelled = bulk.ok("POST", f"{LEADS}/{never}/cancel.json")
    assert cancelled == {
        "exportId": never,
        "status": "Cancelled",
        "createdAt": NOW,
        "format": "CSV",
    }
    assert bulk.ok("POST", f"{LEADS}/{never}/cancel.json") == cancelled  # again: the same
    assert bulk.error("POST", f"{LEADS}/{never}/enqueue.json") == "1003"
    first, second, third = (bulk.create(LEADS, body) for _ in range(3))
    for export_id in (first, second, third):
        assert bulk.ok("POST", f"{LEADS}/{export_id}/enqueue.json")["status"] == "Queued"
    eventually(
        lambda: (
            [bulk.status(LEADS, i)["status"] for i in (first, second)]
            == ["Processing"] * MAX_PROCESSING
        ),
        "two jobs processing",
    )
    processing = bulk.status(LEADS, first)
    assert processing == {
        "exportId": first,
        "status": "Processing",
        "createdAt": NOW,
        "queuedAt": NOW,
        "startedAt": NOW,
        "format": "CSV",
    }
    assert bulk.status(LEADS, third)["status"] == "Queued"  # two process at most
    assert bulk.error("POST", f"{LEADS}/{first}/enqueue.json") == "1029"  # already queued
    assert bulk.ok("POST", f"{LEADS}/{second}/cancel.json")["status"] == "Cancelled"
    assert bulk.ok("POST", f"{LEADS}/{third}/cancel.json")["status"] == "Cancelled"
    held.set()
    assert bulk.ended(LEADS, first)["status"] == "Completed"
    assert bulk.status(LEADS, second)["status"] == "Cancelled"  # its run stopped
    assert bulk.status(LEADS, third) == {
        "exportId": third,
        "status": "Cancelled",
        "createdAt": NOW,
        "queuedAt": NOW,
        "format": "CSV",
    }
    assert bulk.file(LEADS, second).status_code == 404
    eventually(lambda: len(os.listdir(bulk.directory)) == 1, "the cancelled run's file gone")
    [left] = os.listdir(bulk.directory)
    assert left.startswith(first)
    assert bulk.file(LEADS, first).content == b"id\n2\n3\n4\n"
    assert bulk.error("POST", f"{LEADS}/{first}/enqueue.json") == "1029"  # Completed
    assert bulk.error("POST", f"{LEADS}/{first}/cancel.json") == "1003"


def test_a_slow_read_keeps_its_claim(
    bulk: Bulk, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read that gives no row for longer than the claim timeout is not taken over by
    the other exporter: the claim is refreshed by its own thread, not by the rows."""
    monkeypatch.setattr(exports_service, "CLAIM_TIMEOUT_S", 1.0)
    monkeypatch.setattr(export_files, "HEARTBEAT_S", 0.2)
    _january(store)
    original = store.export_leads
    reads: list[float] = []

    def slow(*args: Any) -> Iterator[tuple[Any, ...]]:
        reads.append(time.monotonic())
        threading.Event().wait(3.0)  # the first row comes after 3 claim timeouts
        yield from original(*args)

    monkeypatch.setattr(store, "export_leads", slow)
    job, data = bulk.run(LEADS, {"fields": ["id"], "filter": {"createdAt": JANUARY}})
    assert data == b"id\n2\n3\n4\n"
    assert len(reads) == 1  # one run: no takeover


def test_ten_jobs_queue_and_the_eleventh_is_1029(bulk: Bulk, held: threading.Event) -> None:
    _january(bulk.store)
    body = {"fields": ["id"], "filter": {"createdAt": JANUARY}}
    jobs = [bulk.create(LEADS, body) for _ in range(MAX_QUEUED)]
    activities = bulk.create(ACTIVITIES, {"filter": {"createdAt": JANUARY}})
    for export_id in jobs:
        bulk.ok("POST", f"{LEADS}/{export_id}/enqueue.json")
    answer = bulk.rest.post(f"{ACTIVITIES}/{activities}/enqueue.json")  # one queue for both
    assert answer["success"] is False
    assert answer["errors"] == [
        {
            "code": "1029",
            "message": "Too many jobs in queue: 10 export jobs are queued or processing",
        }
    ]
    assert bulk.status(ACTIVITIES, activities)["status"] == "Created"
    queued = bulk.rest.ok("GET", f"{LEADS}.json", params={"status": "Queued,Processing"})
    assert len(queued) == MAX_QUEUED
    held.set()
    for export_id in jobs:
        assert bulk.ended(LEADS, export_id)["status"] == "Completed"
    assert bulk.ok("POST", f"{ACTIVITIES}/{activities}/enqueue.json")["status"] == "Queued"
    assert bulk.ended(ACTIVITIES, activities)["status"] == "Completed"


def test_the_processing_limit_is_per_instance_in_the_store(store: Store) -> None:
    """At most MAX_PROCESSING jobs of an instance are claimed; a stale claim is taken over."""
    store.add_instance("acme")

    def queued(instance: str) -> ExportJob:
        job = store.add_export(
            ExportJob(
                f"{instance}-{time.perf_counter_ns()}",
                instance,
                ExportKind.LEADS,
                ExportFormat.CSV,
                ("id",),
                ("id",),
                ExportFilter(created=(0, 1)),
                ExportStatus.CREATED,
                1,
            )
        )
        assert store.enqueue_export(instance, job.kind, job.id, 2, MAX_QUEUED) is not None
        return job

    jobs = [queued("default") for _ in range(3)]
    other = queued("acme")
    first = store.claim_export("a", 10, 0, MAX_PROCESSING, 10)
    second = store.claim_export("b", 10, 0, MAX_PROCESSING, 10)
    assert [first and first.id, second and second.id] == [jobs[0].id, jobs[1].id]
    third = store.claim_export("c", 10, 0, MAX_PROCESSING, 10)
    assert third is not None and third.id == other.id  # another instance's, not the third
    assert store.claim_export("c", 10, 0, MAX_PROCESSING, 10) is None
    assert store.hold_export(jobs[0].seq, "a", 20) and not store.hold_export(jobs[0].seq, "b", 20)
    taken = store.claim_export("d", 30, 15, MAX_PROCESSING, 30)  # b's claim (at 10) is stale
    assert taken is not None and taken.id == jobs[1].id and taken.started_at == 10
    assert not store.hold_export(jobs[1].seq, "b", 31)  # b lost it
    assert store.exports_pending()


def _leads(given: Any, **more: Any) -> dict[str, Any]:
    """A lead export's body: id alone, with this filter."""
    return {"fields": ["id"], "filter": given, **more}


def _span(start: Any, end: Any) -> dict[str, Any]:
    return {"createdAt": {"startAt": start, "endAt": end}}


BAD_LEADS: list[tuple[Any, str]] = [
    (None, "701"),
    ([], "1003"),
    ({"filter": {"createdAt": JANUARY}}, "701"),
    ({"fields": [], "filter": {"createdAt": JANUARY}}, "701"),
    ({"fields": "id", "filter": {"createdAt": JANUARY}}, "1003"),
    ({"fields": ["id", "noSuchField"], "filter": {"createdAt": JANUARY}}, "1006"),
    ({"fields": ["id"]}, "701"),
    (_leads([]), "1003"),
    (_leads({}), "1003"),
    (_leads({"createdAt": JANUARY, "updatedAt": JANUARY}), "1003"),
    (_leads({"createdAt": JANUARY, "staticListId": 1}), "1003"),
    (_leads({"createdBy": JANUARY}), "1003"),
    (_leads({"smartListId": 1}), "1035"),
    (_leads({"smartListName": "S"}), "1035"),
    (_leads({"createdAt": {"startAt": "2024-01-01"}}), "701"),
    (_leads(_span("yesterday", "x")), "1003"),
    (_leads(_span(5, 6)), "1003"),
    (_leads({"createdAt": "2024-01-01"}), "1003"),
    (_leads(_span("2024-02-01", "2024-01-01")), "1003"),
    (_leads(_span("2024-01-01T00:00:00Z", "2024-02-01T00:00:01Z")), "1003"),
    (_leads({"staticListId": 999}), "1013"),
    (_leads({"staticListId": "1"}), "1003"),
    (_leads({"staticListName": "nope"}), "1013"),
    (_leads({"createdAt": JANUARY}, format="XML"), "1003"),
    (_leads({"createdAt": JANUARY}, format=1), "1003"),
    (_leads({"createdAt": JANUARY}, columnHeaderNames={"email": "E"}), "1003"),
    (_leads({"createdAt": JANUARY}, columnHeaderNames=["E"]), "1003"),
]
BAD_ACTIVITIES: list[tuple[Any, str]] = [
    ({"filter": {}}, "701"),
    ({"filter": {"activityTypeIds": [12]}}, "701"),
    ({"filter": {"createdAt": JANUARY, "activityTypeIds": ["12"]}}, "1003"),
    ({"filter": {"createdAt": JANUARY, "activityTypeIds": 12}}, "1003"),
    ({"filter": {"createdAt": JANUARY, "activityTypeIds": [True]}}, "1003"),
    ({"filter": {"createdAt": JANUARY, "primaryAttributeValueIds": [1]}}, "1035"),
    ({"filter": {"createdAt": JANUARY, "primaryAttributeValues": ["x"]}}, "1035"),
    ({"filter": {"createdAt": JANUARY, "staticListId": 1}}, "1003"),
    ({"fields": ["leadId", "email"], "filter": {"createdAt": JANUARY}}, "1006"),
    ({"format": "JSON", "filter": {"createdAt": JANUARY}}, "1003"),
]


def test_bad_creates_are_call_errors_and_store_nothing(bulk: Bulk) -> None:
    for body, code in BAD_LEADS:
        assert bulk.error("POST", f"{LEADS}/create.json", body) == code, body
    for body, code in BAD_ACTIVITIES:
        assert bulk.error("POST", f"{ACTIVITIES}/create.json", body) == code, body
    for kind in ExportKind:
        assert bulk.store.export_jobs(DEFAULT_INSTANCE, kind, (), 0, 0, 100) == []
    answer = bulk.rest.post(
        f"{LEADS}/create.json", _leads({"createdAt": JANUARY}) | {"fields": ["id", "x"]}
    )
    assert answer["errors"][0]["message"] == "Field 'x' not found"
    span = {"startAt": "2024-01-01T00:00:00Z", "endAt": "2024-02-01T00:00:00Z"}  # 31 days
    assert bulk.create(LEADS, {"fields": ["id"], "filter": {"createdAt": span}})
    answer = bulk.rest.post(
        f"{LEADS}/create.json",
        {"fields": ["id"], "filter": {"createdAt": {**span, "endAt": "2024-02-01T00:00:01Z"}}},
    )
    assert answer["errors"] == [
        {"code": "1003", "message": "Invalid filter: the createdAt date range is over 31 days"}
    ]


def test_unknown_ids_and_other_instances_jobs_are_not_found(bulk: Bulk, store: Store) -> None:
    _january(store)
    job, data = bulk.run(LEADS, {"fields": ["id"], "filter": {"createdAt": JANUARY}})
    export_id = job["exportId"]
    store.add_instance("acme")
    add_client(store, "acme", "acme-client", "acme-secret-0123456789", "acme")
    acme = Bulk(
        Rest(bulk.rest.http, token(bulk.rest.http, "acme-client", "acme-secret-0123456789")),
        store,
        bulk.directory,
        bulk.clock,
    )
    for who, base, wanted in ((acme, LEADS, export_id), (bulk, ACTIVITIES, export_id),
                              (bulk, LEADS, "00000000-0000-4000-8000-000000000000")):  # fmt: skip
        for verb, method in (("status", "GET"), ("enqueue", "POST"), ("cancel", "POST")):
            answer = who.rest.call(method, f"{base}/{wanted}/{verb}.json")
            assert answer["success"] is False and answer["errors"][0]["code"] == "1013", verb
        missing = who.file(base, wanted)
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("text/plain")
        assert "not completed" in missing.text
    assert acme.rest.ok("GET", f"{LEADS}.json") == []
    assert bulk.file(LEADS, export_id).content == data  # still the owner's
    assert bulk.status(LEADS, export_id)["status"] == "Completed"


def test_range_requests_give_parts_of_the_file(bulk: Bulk) -> None:
    _january(bulk.store)
    job, data = bulk.run(LEADS, {"fields": FIELDS, "filter": {"createdAt": JANUARY}})
    export_id, size = job["exportId"], len(data)
    part = bulk.file(LEADS, export_id, Range="bytes=0-9")
    assert part.status_code == 206
    assert part.content == data[:10]
    assert part.headers["content-range"] == f"bytes 0-9/{size}"
    assert part.headers["content-length"] == "10"
    rest = bulk.file(LEADS, export_id, Range="bytes=10-")  # resumed where it stopped
    assert rest.status_code == 206 and part.content + rest.content == data
    assert rest.headers["content-range"] == f"bytes 10-{size - 1}/{size}"
    tail = bulk.file(LEADS, export_id, Range="bytes=-5")
    assert (tail.status_code, tail.content) == (206, data[-5:])
    past = bulk.file(LEADS, export_id, Range=f"bytes={size}-{size + 10}")
    assert past.status_code == 416
    assert past.headers["content-range"] == f"bytes */{size}"
    whole = bulk.file(LEADS, export_id, Range=f"bytes=0-{size + 100}")
    assert (whole.status_code, whole.content) == (206, data)
    assert bulk.file(LEADS, export_id).content == data


def test_listing_filters_by_status_and_pages(bulk: Bulk) -> None:
    _january(bulk.store)
    body = {"fields": ["id"], "filter": {"createdAt": JANUARY}}
    done, _ = bulk.run(LEADS, body)
    created = bulk.create(LEADS, body)
    cancelled = bulk.create(LEADS, body)
    bulk.ok("POST", f"{LEADS}/{cancelled}/cancel.json")

    def listed(**params: str) -> list[str]:
        return [job["exportId"] for job in bulk.rest.ok("GET", f"{LEADS}.json", params=params)]

    assert listed() == [done["exportId"], created, cancelled]
    assert listed(status="Completed") == [done["exportId"]]
    assert listed(status="Created,Canceled") == [created, cancelled]
    assert bulk.rest.ok("GET", f"{LEADS}.json", params={"status": "Completed"}) == [done]
    pages: list[str] = []
    params = {"batchSize": "1"}
    while True:
        answer = bulk.rest.get(f"{LEADS}.json", **params)
        pages.extend(job["exportId"] for job in answer["result"])
        if "nextPageToken" not in answer:
            break
        params["nextPageToken"] = answer["nextPageToken"]
    assert pages == [done["exportId"], created, cancelled]
    assert error_code(bulk.rest.get(f"{LEADS}.json", status="Done")) == "1003"
    assert error_code(bulk.rest.get(f"{LEADS}.json", batchSize="301")) == "1003"
    token_of_leads = params["nextPageToken"]
    assert error_code(bulk.rest.get(f"{ACTIVITIES}.json", nextPageToken=token_of_leads)) == "1003"


def test_a_job_that_cannot_write_fails_with_its_reason(
    store: Store, db: str, tmp_path: Path, clock: Clock
) -> None:
    _january(store)
    add_client(store)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    settings = Settings(db=db, export_dir=str(blocked))
    with TestClient(create_app(store, settings, clock), raise_server_exceptions=False) as http:
        bulk = Bulk(Rest(http, token(http)), store, blocked, clock)
        export_id = bulk.create(LEADS, {"fields": ["id"], "filter": {"createdAt": JANUARY}})
        bulk.ok("POST", f"{LEADS}/{export_id}/enqueue.json")
        assert bulk.ended(LEADS, export_id) == {
            "exportId": export_id,
            "status": "Failed",
            "createdAt": NOW,
            "queuedAt": NOW,
            "startedAt": NOW,
            "finishedAt": NOW,
            "format": "CSV",
            "errorMsg": "System error: the export failed (the server's log has the cause)",
        }
        assert bulk.file(LEADS, export_id).status_code == 404
        assert bulk.error("POST", f"{LEADS}/{export_id}/enqueue.json") == "1029"
        _settle(store, bulk.rest)


def test_where_the_files_go_without_export_dir(store: Store, db: str, clock: Clock) -> None:
    """Beside a SQLite file; a PostgreSQL store without --export-dir refuses, saying so."""
    _january(store)
    add_client(store)
    with TestClient(create_app(store, Settings(db=db), clock)) as http:
        rest = Rest(http, token(http))
        answer = rest.post(
            f"{LEADS}/create.json", {"fields": ["id"], "filter": {"createdAt": JANUARY}}
        )
        if db.startswith("postgresql://"):
            assert answer["errors"] == [
                {
                    "code": "611",
                    "message": "System error: bulk extract needs --export-dir "
                    "(LEADSYNC_EXPORT_DIR) on a PostgreSQL store",
                }
            ]
            return
        bulk = Bulk(rest, store, Path(db + ".exports"), clock)
        export_id = answer["result"][0]["exportId"]
        bulk.ok("POST", f"{LEADS}/{export_id}/enqueue.json")
        assert bulk.ended(LEADS, export_id)["status"] == "Completed"
        [name] = os.listdir(db + ".exports")
        assert (Path(db + ".exports") / name).read_bytes() == b"id\n2\n3\n4\n"
        _settle(store, rest)


def test_files_are_kept_seven_days_and_jobs_thirty(bulk: Bulk) -> None:
    _january(bulk.store)
    body = {"fields": ["id"], "filter": {"createdAt": JANUARY}}
    old, _ = bulk.run(LEADS, body)
    bulk.clock.now = START + timedelta(days=7, seconds=1)
    bulk.rest.token = token(bulk.rest.http)  # the first one expired meanwhile
    assert bulk.file(LEADS, old["exportId"]).status_code == 404
    assert bulk.rest.ok("GET", f"{LEADS}.json") == []  # the listing shows seven days
    assert bulk.status(LEADS, old["exportId"])["status"] == "Completed"
    bulk.run(LEADS, body)  # an exporter starting up removes what expired
    assert len(os.listdir(bulk.directory)) == 1
    bulk.clock.now = START + timedelta(days=31)
    bulk.rest.token = token(bulk.rest.http)
    bulk.run(LEADS, body)
    assert error_code(bulk.rest.get(f"{LEADS}/{old['exportId']}/status.json")) == "1013"


def test_a_queued_job_is_run_by_a_server_starting_up(
    store: Store, db: str, tmp_path: Path, clock: Clock
) -> None:
    """A job left Queued (its server gone before any exporter took it) runs as soon as
    an app that resumes jobs starts, with no call asking for it."""
    _january(store)
    job = store.add_export(
        ExportJob(
            "11111111-2222-4333-8444-555555555555",
            DEFAULT_INSTANCE,
            ExportKind.LEADS,
            ExportFormat.CSV,
            ("id", "email"),
            ("id", "email"),
            ExportFilter(created=(JAN, JAN + DAY)),
            ExportStatus.CREATED,
            1,
        )
    )
    assert store.enqueue_export(DEFAULT_INSTANCE, job.kind, job.id, 2, MAX_QUEUED)
    settings = Settings(db=db, export_dir=str(tmp_path / "exports"))
    create_app(store, settings, clock, resume_jobs=True)

    def completed() -> ExportJob | None:
        found = store.export_job(DEFAULT_INSTANCE, ExportKind.LEADS, job.id)
        return found if found is not None and found.status is ExportStatus.COMPLETED else None

    done = eventually(completed, "the queued job to complete")
    assert done is not None and done.records == 1
    assert done.file is not None
    assert (tmp_path / "exports" / done.file).read_bytes() == b"id,email\n2,ann@x.test\n"
    _settle(store)


def test_sqlite_migration_15_adds_bulk_jobs_to_a_store_with_leads(db_path: str) -> None:
    from leadsync.store.sqlite_schema import migrate

    with sqlite3.connect(db_path, isolation_level=None) as conn:
        migrate(conn, target=14)
        conn.execute(
            "INSERT INTO leads (id, email, email_key, attrs, created_at, updated_at)"
            " VALUES (7, 'a@x.test', 'a@x.test', '{\"FirstName\": \"A\"}', ?, ?)",
            (JAN, JAN),
        )
    _migrated_store_exports(open_store(db_path))


def test_postgres_migration_15_adds_bulk_jobs_to_a_store_with_leads() -> None:
    from leadsync.store.postgres_schema import migrate

    with pg_schema() as url:
        with psycopg.connect(url) as conn:
            migrate(conn, target=14)
            conn.execute(
                "INSERT INTO leads (id, email, email_key, attrs, created_at, updated_at)"
                " VALUES (7, 'a@x.test', 'a@x.test', '{\"FirstName\": \"A\"}', %s, %s)",
                (JAN, JAN),
            )
        _migrated_store_exports(open_store(url))


def _migrated_store_exports(store: Store) -> None:
    try:
        columns = [LeadColumn("id"), LeadColumn("attrs", "FirstName"), LeadColumn("created_at")]
        found = list(store.export_leads(DEFAULT_INSTANCE, columns, ExportFilter((JAN, JAN + 1))))
        assert found == [(7, "A", JAN)]
        assert store.export_jobs(DEFAULT_INSTANCE, ExportKind.LEADS, (), 0, 0, 10) == []
    finally:
        store.close()


@pytest.mark.e2e
def test_a_job_killed_mid_file_is_finished_by_the_next_server(
    store: Store, db: str, tmp_path: Path
) -> None:
    count = 300_000
    for start in range(0, count, 50_000):
        add_leads(
            store,
            [(f"k{i}@x.test", {"FirstName": f"K{i}"}, JAN + i, JAN + i)
             for i in range(start, start + 50_000)],
        )  # fmt: skip
    add_client(store)
    directory = tmp_path / "exports"
    args = ("--export-dir", str(directory))
    first = ServerProcess(db, args).start()
    try:
        with httpx.Client(base_url=first.base_url, timeout=60) as http:
            rest = Rest(http, token(http))
            [job] = rest.ok(
                "POST",
                f"{LEADS}/create.json",
                json={"fields": ["id", "email", "firstName"], "filter": {"createdAt": JANUARY}},
            )
            export_id = job["exportId"]
            rest.ok("POST", f"{LEADS}/{export_id}/enqueue.json")
            eventually(
                lambda: (
                    rest.ok("GET", f"{LEADS}/{export_id}/status.json")[0]["status"] == "Processing"
                ),
                "the job to be processing",
            )
    finally:
        first.kill()
        first.stop()
    left = store.export_job(DEFAULT_INSTANCE, ExportKind.LEADS, export_id)
    assert left is not None and left.status is ExportStatus.PROCESSING  # killed mid-file
    second = ServerProcess(db, args).start()
    try:
        with httpx.Client(base_url=second.base_url, timeout=60) as http:
            rest = Rest(http, token(http))

            def ended() -> dict[str, Any] | None:
                [found] = rest.ok("GET", f"{LEADS}/{export_id}/status.json")
                return None if found["status"] == "Processing" else dict(found)

            done = eventually(ended, "the next server to finish the job", CLAIM_TIMEOUT_S + 60)
            assert done is not None
            assert done["status"] == "Completed" and done["numberOfRecords"] == count
            data = http.get(
                f"{LEADS}/{export_id}/file.json", headers={"Authorization": f"Bearer {rest.token}"}
            ).content
    finally:
        second.stop()
    assert done["fileChecksum"] == "sha256:" + hashlib.sha256(data).hexdigest()
    lines = data.decode().splitlines()
    assert lines[0] == "id,email,firstName"
    assert lines[1:] == [f"{i + 1},k{i}@x.test,K{i}" for i in range(count)]  # each lead once
    [only] = os.listdir(directory)  # the dead run's part is gone
    assert only.startswith(export_id)


def test_a_lead_export_reads_one_snapshot(bulk: Bulk, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows come from one streaming read: a lead written while the file is being
    written is not in it."""
    add_leads(bulk.store, [(f"s{i}@x.test", {}, JAN + i, JAN + i) for i in range(25_000)])
    consumed: list[int] = []
    original = bulk.store.export_leads

    def watched(*args: Any) -> Iterator[tuple[Any, ...]]:
        for n, row in enumerate(original(*args)):
            if n == 1:
                add_leads(bulk.store, [("new@x.test", {}, JAN + 5, JAN + 5)])
            consumed.append(n)
            yield row

    monkeypatch.setattr(bulk.store, "export_leads", watched)
    job, data = bulk.run(LEADS, {"fields": ["id"], "filter": {"createdAt": JANUARY}})
    assert job["numberOfRecords"] == 25_000
    assert data.decode().splitlines()[1:] == [str(i) for i in range(1, 25_001)]
    assert len(consumed) == 25_000


@pytest.mark.clients
def test_marketorestpython_runs_lead_and_activity_exports(
    sqlite_store: Store, db_path: str
) -> None:
    """marketorestpython (PyPI), a third-party REST client, through its bulk extract
    methods against a real server: create (an activity job with ``fields`` null),
    enqueue, status, the file, the listing."""
    from marketorestpython.client import MarketoClient

    _history(sqlite_store)
    _january(sqlite_store)
    add_client(sqlite_store)
    server = ServerProcess(db_path).start()
    try:
        client = MarketoClient("123-ABC-456", CLIENT_ID, CLIENT_SECRET, max_retry_time=10)
        client.host = server.base_url

        def run(entity: str, **job: Any) -> tuple[dict[str, Any], bytes]:
            [created] = client.execute(method=f"create_{entity}_export_job", **job)
            assert created["status"] == "Created"
            export_id = created["exportId"]
            [queued] = client.execute(method=f"enqueue_{entity}_export_job", job_id=export_id)
            assert queued["status"] == "Queued"

            def ended() -> dict[str, Any] | None:
                [found] = client.execute(method=f"get_{entity}_export_job_status", job_id=export_id)
                return dict(found) if found["status"] == "Completed" else None

            done = eventually(ended, f"the {entity} export")
            assert done is not None
            data = client.execute(method=f"get_{entity}_export_job_file", job_id=export_id)
            assert done["fileChecksum"] == "sha256:" + hashlib.sha256(data).hexdigest()
            return done, bytes(data)

        done, data = run("leads", fields=["id", "email"], filters={"createdAt": JANUARY})
        assert data == b"id,email\n1,a@x.test\n2,b@x.test\n5,ann@x.test\n6,null\n7,cy@x.test\n"
        done, data = run("activities", filters={"createdAt": JANUARY, "activityTypeIds": [24]})
        assert data.decode().splitlines()[1].startswith("5,2,2024-01-03T00:00:00Z,24,null,")
        listed = client.execute(method="get_leads_export_jobs_list")
        assert [job["status"] for job in listed] == ["Completed"]
    finally:
        server.stop()
