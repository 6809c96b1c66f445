"""End to end: a real ``leadsync serve`` over a real socket, driven by zeep and raw HTTP."""

from __future__ import annotations

import os
import socket
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import zeep
import zeep.exceptions

from leadsync.auth import sign
from leadsync.store import SqliteStore, Store
from leadsync.store.postgres import redact
from tests.server import ServerProcess, export
from tests.soap import (
    DEMO_SECRET,
    DEMO_USER,
    canonical,
    now_timestamp,
    read_fault,
    read_statuses,
    resign,
    seed_xml,
    sync_request,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(store: Store, db: str) -> Iterator[ServerProcess]:
    running = ServerProcess(db).start()
    yield running
    running.stop()


def post(url: str, body: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(url, body, {"Content-Type": "text/xml; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def zeep_header(secret: str = DEMO_SECRET) -> dict[str, Any]:
    ts = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
    return {
        "authentication": {
            "mktowsUserId": DEMO_USER,
            "requestSignature": sign(secret, ts, DEMO_USER),
            "requestTimestamp": ts,
        }
    }


def test_banner_says_where_and_what(server: ServerProcess, db: str) -> None:
    lines = [line.rstrip("\n") for line in server.banner]
    port = urlsplit(server.base_url).port
    assert lines[1:] == [
        f"endpoint: http://127.0.0.1:{port}/soap/mktows/2_2",
        f"wsdl:     http://127.0.0.1:{port}/soap/mktows/2_2?WSDL",
        f"rest:     http://127.0.0.1:{port}/rest (tokens: http://127.0.0.1:{port}/identity/oauth/token)",
        f"store:    {redact(db)}",
        "workers:  1",
        "users:    1",
    ]


def test_workers_default_to_one_per_core(sqlite_store: SqliteStore, db_path: str) -> None:
    running = ServerProcess(db_path, ("--workers", "auto")).start()
    try:
        assert f"workers:  {len(os.sched_getaffinity(0))}\n" in running.banner
        body = sync_request([{"Email": "auto@x.com"}])
        with httpx.Client() as http:
            assert b"CREATED" in http.post(running.endpoint, content=body).content
    finally:
        running.stop()


def test_zeep_from_our_wsdl_syncs_updates_and_sees_faults(server: ServerProcess, db: str) -> None:
    client = zeep.Client(server.endpoint + "?WSDL")
    records = {
        "leadRecord": [
            {
                "Email": "zeep1@x.com",
                "leadAttributeList": {
                    "attribute": [
                        {"attrName": "FirstName", "attrValue": "Zoë"},
                        {"attrName": "NumberOfEmployees", "attrValue": "42"},
                    ]
                },
            },
            {
                "Email": "zeep2@x.com",
                "leadAttributeList": {
                    "attribute": [
                        {"attrName": "Company", "attrValue": "Zeep & Co <ltd>"},
                    ]
                },
            },
        ]
    }
    result = client.service.syncMultipleLeads(
        leadRecordList=records, dedupEnabled=True, _soapheaders=zeep_header()
    )
    first = [(s.leadId, s.status, s.error) for s in result.syncStatus]
    assert first == [(1, "CREATED", None), (2, "CREATED", None)]
    stored = {row["Email"]: row for row in export(db)}
    assert stored["zeep1@x.com"]["FirstName"] == "Zoë"
    assert stored["zeep1@x.com"]["NumberOfEmployees"] == "42"
    assert stored["zeep2@x.com"]["Company"] == "Zeep & Co <ltd>"

    again = client.service.syncMultipleLeads(leadRecordList=records, _soapheaders=zeep_header())
    assert [(s.leadId, s.status) for s in again.syncStatus] == [(1, "UPDATED"), (2, "UPDATED")]

    with pytest.raises(zeep.exceptions.Fault) as caught:
        client.service.syncMultipleLeads(leadRecordList=records, _soapheaders=zeep_header("bad"))
    assert caught.value.message == "20014 - Authentication failed"
    assert caught.value.detail.find(".//code").text == "20014"

    many = {"leadRecord": [{"Email": f"m{i}@x.com"} for i in range(301)]}
    with pytest.raises(zeep.exceptions.Fault) as caught:
        client.service.syncMultipleLeads(leadRecordList=many, _soapheaders=zeep_header())
    assert caught.value.detail.find(".//code").text == "20110"
    assert len(export(db)) == 2


def test_zeep_generated_from_marketos_own_wsdl_works_unchanged(
    server: ServerProcess, db: str
) -> None:
    from tests.soap import REFERENCE_WSDL, shared

    client = zeep.Client(str(shared(REFERENCE_WSDL)))
    service = client.create_service(
        "{http://www.marketo.com/mktows/}MktowsApiSoapBinding", server.endpoint
    )
    result = service.syncMultipleLeads(
        leadRecordList={"leadRecord": [{"Email": "real@x.com"}]}, _soapheaders=zeep_header()
    )
    assert [(s.leadId, s.status) for s in result.syncStatus] == [(1, "CREATED")]


def test_seed_request_verbatim_over_a_socket(server: ServerProcess) -> None:
    request = resign(seed_xml("request"), now_timestamp()).encode()
    assert post(server.endpoint, request)[0] == 200
    status, body = post(server.endpoint, resign(seed_xml("request"), now_timestamp()).encode())
    expected = seed_xml("response").replace("1090240", "1").replace("1090239", "2")
    assert (status, canonical(body)) == (200, canonical(expected))


def _raw(server: ServerProcess, data: bytes, timeout: float = 10) -> bytes:
    parts = urlsplit(server.base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_http_1_0_clients_get_a_content_length(server: ServerProcess) -> None:
    body = sync_request([{"Email": "old@x.com"}])
    answer = _raw(
        server,
        b"POST /soap/mktows/2_2 HTTP/1.0\r\nContent-Type: text/xml\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body,
    )
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200") or head.startswith(b"HTTP/1.1 200")
    assert f"content-length: {len(payload)}".encode() in head.lower()
    assert b"transfer-encoding" not in head.lower()
    assert read_statuses(payload) == [(1, "CREATED", None)]


def test_a_huge_body_is_refused_without_reading_it_all(server: ServerProcess) -> None:
    started = time.monotonic()
    answer = _raw(
        server,
        b"POST /soap/mktows/2_2 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml"
        b"\r\nContent-Length: 1000000000\r\n\r\n" + b"<" * 65536,
    )
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 500")
    assert read_fault(payload).code == 20012
    assert time.monotonic() - started < 5
    # ... and the server keeps serving.
    assert post(server.endpoint, sync_request([{"Email": "next@x.com"}]))[0] == 200


def test_an_acknowledged_lead_survives_sigkill(store: Store, db: str) -> None:
    running = ServerProcess(db).start()
    try:
        status, body = post(
            running.endpoint, sync_request([{"Email": "durable@x.com", "attrs": {"Company": "D"}}])
        )
        running.kill()  # right after the response: no shutdown, no checkpoint
    finally:
        running.stop()
    assert (status, read_statuses(body)) == (200, [(1, "CREATED", None)])
    restarted = ServerProcess(db).start()
    try:
        rows = export(db)
        assert [(r["Id"], r["Email"], r["Company"]) for r in rows] == [(1, "durable@x.com", "D")]
        status, body = post(restarted.endpoint, sync_request([{"Email": "durable@x.com"}]))
        assert read_statuses(body) == [(1, "UPDATED", None)]
    finally:
        restarted.stop()


def test_a_chunked_body_past_the_limit_is_refused_while_streaming(store: Store, db: str) -> None:
    running = ServerProcess(db, ("--max-body-bytes", "4096")).start()
    try:
        chunk = b"<" * 3000
        framed = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(4))
        answer = _raw(
            running,
            b"POST /soap/mktows/2_2 HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + framed + b"0\r\n\r\n",
        )
        head, _, payload = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 500")
        assert b"connection: close" in head.lower()
        assert read_fault(payload).message == (
            "Request not understood: body exceeds 4096 bytes (20012)"
        )
        status, body = post(running.endpoint, sync_request([{"Email": "small@x.com"}]))
        assert (status, read_statuses(body)) == (200, [(1, "CREATED", None)])
    finally:
        running.stop()
