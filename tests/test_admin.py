"""The test kit's admin API (/leadsync-api/) through the app, on both stores: reset, seed,
snapshots, the journal and its redaction, fault rules and the magic emails; and over a
real socket, the loopback-only default."""

from __future__ import annotations

import math
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from starlette.testclient import TestClient

from leadsync.auth import sign
from leadsync.config import Settings
from leadsync.http.app import create_app
from leadsync.limits import LimitSettings
from leadsync.model import DEFAULT_INSTANCE
from leadsync.store import SqliteStore, Store
from tests.rest import CLIENT_SECRET, Rest, add_client, sync, token
from tests.server import ServerProcess
from tests.soap import DEMO_SECRET, DEMO_USER, fault_code, read_statuses, sync_body, sync_request

TOKEN = "admin-token-for-tests"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def kit(store: Store, db: str, tmp_path: Path) -> Iterator[TestClient]:
    token_file = tmp_path / "admin-token"
    token_file.write_text(TOKEN + "\n")
    add_client(store)
    settings = Settings(db=db, admin_token_file=str(token_file))
    with TestClient(create_app(store, settings), raise_server_exceptions=False) as http:
        yield http


def _soap_sync(
    http: TestClient, records: list[dict[str, Any]]
) -> list[tuple[int, str, str | None]]:
    response = http.post("/soap/mktows/2_2", content=sync_request(records))
    return read_statuses(response.content)


def test_the_admin_api_needs_its_token(kit: TestClient) -> None:
    assert kit.post("/leadsync-api/reset").status_code == 401
    wrong = kit.post("/leadsync-api/reset", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert kit.post("/leadsync-api/reset", headers=ADMIN).json() == {
        "reset": ["default"],
        "everything": False,
    }


def test_off_by_default(store: Store, settings: Settings) -> None:
    with TestClient(create_app(store, settings)) as http:
        answer = http.post("/leadsync-api/reset", headers=ADMIN)
    assert answer.status_code == 404
    assert answer.json() == {"error": "the admin API is off: start the server with --admin"}


def test_reset_keeps_users_and_definitions_unless_everything(kit: TestClient, store: Store) -> None:
    list_id = store.add_list(DEFAULT_INSTANCE, "Kept", None, 0)
    assert [s[1] for s in _soap_sync(kit, [{"Email": "r@kit.test"}])] == ["CREATED"]
    assert kit.post("/leadsync-api/reset", headers=ADMIN).status_code == 200
    assert list(store.iter_leads()) == []
    assert list(store.iter_activities(DEFAULT_INSTANCE)) == []
    assert [item.id for item in store.list_lists(DEFAULT_INSTANCE)] == [list_id]
    assert [s[1] for s in _soap_sync(kit, [{"Email": "r@kit.test"}])] == ["CREATED"]  # user kept
    done = kit.post("/leadsync-api/reset?instance=default&everything=true", headers=ADMIN)
    assert done.json() == {"reset": ["default"], "everything": True}
    assert store.list_users() == [] and store.list_lists(DEFAULT_INSTANCE) == []
    assert kit.post("/leadsync-api/reset?instance=nope", headers=ADMIN).status_code == 400


def test_seed_json_lines_and_csv(kit: TestClient, store: Store) -> None:
    lines = b'{"Email": "s1@kit.test", "FirstName": "Sue"}\n{"Email": "s2@kit.test"}\n'
    seeded = kit.post("/leadsync-api/seed", content=lines, headers=ADMIN).json()["result"]
    assert [r["status"] for r in seeded] == ["CREATED", "CREATED"]
    table = b"Id,Email,FirstName,Shoe\n,s1@kit.test,Susan,\n,s3@kit.test,Sam,42\n"
    csv_seeded = kit.post(
        "/leadsync-api/seed", content=table, headers={**ADMIN, "Content-Type": "text/csv"}
    ).json()["result"]
    assert [(r["id"], r["status"]) for r in csv_seeded][0] == (seeded[0]["id"], "UPDATED")
    assert csv_seeded[1] == {
        "id": 0,
        "status": "FAILED",
        "error": "unknown fields for import: Shoe",
    }
    [lead] = store.read_leads(DEFAULT_INSTANCE, ids=[seeded[0]["id"]])
    assert lead.attributes == {"FirstName": "Susan"}
    bad = kit.post("/leadsync-api/seed", content=b"{not json", headers=ADMIN)
    assert (bad.status_code, bad.json()) == (400, {"error": "line 1 is not JSON"})


def test_snapshots_restore_a_known_state(kit: TestClient, store: Store) -> None:
    rows = b"".join(orjson.dumps({"Email": f"n{i}@kit.test"}) + b"\n" for i in range(3))
    kit.post("/leadsync-api/seed", content=rows, headers=ADMIN)
    made = kit.post("/leadsync-api/snapshots", json={"name": "base"}, headers=ADMIN)
    assert made.json() == {"snapshot": "base"}
    _soap_sync(kit, [{"Email": "later@kit.test"}])
    assert len(list(store.iter_leads())) == 4
    restored = kit.post("/leadsync-api/snapshots/base/restore", headers=ADMIN)
    assert restored.json() == {"restored": "base"}
    assert sorted(lead.email or "" for lead in store.iter_leads()) == [
        "n0@kit.test",
        "n1@kit.test",
        "n2@kit.test",
    ]
    missing = kit.post("/leadsync-api/snapshots/nope/restore", headers=ADMIN)
    assert (missing.status_code, missing.json()) == (400, {"error": "no snapshot nope"})
    bad = kit.post("/leadsync-api/snapshots", json={"name": "../x"}, headers=ADMIN)
    assert bad.status_code == 400


def test_the_journal_keeps_calls_and_never_a_secret(kit: TestClient) -> None:
    _soap_sync(kit, [{"Email": "j@kit.test"}])
    rest = Rest(kit, token(kit))
    sync(rest, [{"email": "k@kit.test"}])
    lines = kit.get("/leadsync-api/journal", headers=ADMIN).text.splitlines()
    entries = [orjson.loads(line) for line in lines]
    assert [(e["api"], e["operation"], e["status"]) for e in entries] == [
        ("soap", "syncMultipleLeads", 200),
        ("rest", "sync_leads", 200),
    ]
    assert entries[0]["user"] == DEMO_USER and entries[1]["instance"] == "default"
    assert "<Email>j@kit.test</Email>" in entries[0]["request"]
    assert "CREATED" in entries[0]["response"]
    text = "\n".join(lines)
    for secret in (DEMO_SECRET, CLIENT_SECRET, rest.token, TOKEN):
        assert secret not in text
    only = kit.get("/leadsync-api/journal?operation=sync_leads", headers=ADMIN)
    assert [orjson.loads(x)["api"] for x in only.text.splitlines()] == ["rest"]
    assert kit.delete("/leadsync-api/journal", headers=ADMIN).json() == {"cleared": True}
    assert kit.get("/leadsync-api/journal", headers=ADMIN).text == ""


def test_a_signature_in_the_journal_is_redacted(kit: TestClient) -> None:
    response = kit.post("/soap/mktows/2_2", content=sync_request([{"Email": "sig@kit.test"}]))
    assert response.status_code == 200
    [entry] = [
        orjson.loads(x) for x in kit.get("/leadsync-api/journal", headers=ADMIN).text.splitlines()
    ]
    assert "<requestSignature>***</requestSignature>" in entry["request"]
    ts = entry["request"].split("<requestTimestamp>")[1].split("<")[0]
    assert sign(DEMO_SECRET, ts, DEMO_USER) not in entry["request"]


def test_fault_rules_fire_their_count_then_stop(kit: TestClient) -> None:
    rule = kit.post(
        "/leadsync-api/faults", json={"operation": "syncMultipleLeads", "code": 20023, "count": 2},
        headers=ADMIN,
    ).json()  # fmt: skip
    assert rule["id"] >= 1 and rule["count"] == 2
    body = sync_request([{"Email": "f@kit.test"}])
    codes = [kit.post("/soap/mktows/2_2", content=body).status_code for _ in range(3)]
    assert codes == [500, 500, 200]
    assert kit.get("/leadsync-api/faults", headers=ADMIN).json() == {"result": []}
    kit.post("/leadsync-api/faults", json={"operation": "get_lead", "status": 503}, headers=ADMIN)
    rest = Rest(kit, token(kit))
    assert rest.call("GET", "/rest/v1/lead/1.json", status=503)["success"] is False
    assert kit.delete("/leadsync-api/faults", headers=ADMIN).json() == {"removed": "all"}
    assert rest.get("/rest/v1/lead/1.json")["success"] is True
    bad = kit.post("/leadsync-api/faults", json={"operation": "x"}, headers=ADMIN)
    assert bad.json() == {"error": 'give "code", "status" or "latency_ms"'}


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)  # the rules live in the process
def test_a_faults_probability_holds_over_1000_calls(kit: TestClient) -> None:
    kit.post(
        "/leadsync-api/faults", json={"operation": "get_lead", "code": 611, "probability": 0.3},
        headers=ADMIN,
    )  # fmt: skip
    rest = Rest(kit, token(kit))
    failed = sum(rest.get("/rest/v1/lead/1.json")["success"] is False for _ in range(1000))
    bound = 4 * math.sqrt(1000 * 0.3 * 0.7)  # four standard deviations: ~58
    assert abs(failed - 300) < bound, failed


def test_magic_emails_fail_their_record_with_the_code(kit: TestClient) -> None:
    statuses = _soap_sync(kit, [{"Email": "ok@kit.test"}, {"Email": "x@fail-20103.leadsync.test"}])
    assert statuses[0][1] == "CREATED"
    assert statuses[1] == (0, "FAILED", "injected failure (20103): the email asks for it")
    rest = Rest(kit, token(kit))
    result = sync(rest, [{"email": "y@fail-1004.leadsync.test"}])
    assert result == [
        {
            "status": "skipped",
            "reasons": [
                {"code": "1004", "message": "Injected failure 1004: the email asks for it"}
            ],
        }
    ]


@pytest.mark.e2e
def test_the_loopback_default_refuses_another_address(db_path: str) -> None:
    store = SqliteStore(db_path)
    store.close()
    try:
        outside = next(
            addr
            for addr in socket.gethostbyname_ex(socket.gethostname())[2] + ["192.0.2.2"]
            if not addr.startswith("127.")
        )
        socket.create_connection((outside, 9), timeout=0.2).close()
    except ConnectionRefusedError:
        pass  # reachable: the address is this machine's
    except (StopIteration, OSError):
        pytest.skip("this machine has no address besides loopback")
    server = ServerProcess(db_path, ("--admin", "--host", "0.0.0.0")).start()
    try:
        port = server.base_url.rsplit(":", 1)[1]
        local = httpx.post(f"http://127.0.0.1:{port}/leadsync-api/reset")
        assert local.status_code == 200
        remote = httpx.post(f"http://{outside}:{port}/leadsync-api/reset")
        assert remote.status_code == 403
        assert remote.json() == {
            "error": "the admin API answers loopback clients only (or use a token)"
        }
    finally:
        server.stop()


def test_reset_clears_the_limits_counters(store: Store, db: str, tmp_path: Path) -> None:
    token_file = tmp_path / "admin-token"
    token_file.write_text(TOKEN)
    settings = Settings(
        db=db, admin_token_file=str(token_file), emulate_limits=True,
        limits=LimitSettings(daily_quota=1),
    )  # fmt: skip
    with TestClient(create_app(store, settings), raise_server_exceptions=False) as http:
        body = sync_request([{"Email": "q@kit.test"}])
        assert http.post("/soap/mktows/2_2", content=body).status_code == 200
        assert fault_code(http, sync_body([{"Email": "q@kit.test"}]))[0] == 20015  # quota used
        assert http.post("/leadsync-api/reset", headers=ADMIN).status_code == 200
        assert http.post("/soap/mktows/2_2", content=body).status_code == 200


@pytest.mark.e2e
def test_the_token_path_over_a_real_socket_from_another_address(
    db_path: str, tmp_path: Path
) -> None:
    outside = "192.0.2.2"
    if outside not in socket.gethostbyname_ex(socket.gethostname())[2] + _addresses():
        pytest.skip("this machine has no address besides loopback")
    token_file = tmp_path / "admin-token"
    token_file.write_text(TOKEN)
    SqliteStore(db_path).close()
    server = ServerProcess(
        db_path, ("--admin-token-file", str(token_file), "--host", "0.0.0.0")
    ).start()
    try:
        port = server.base_url.rsplit(":", 1)[1]
        url = f"http://{outside}:{port}/leadsync-api/reset"
        assert httpx.post(url).status_code == 401
        assert httpx.post(url, headers=ADMIN).json() == {"reset": ["default"], "everything": False}
    finally:
        server.stop()


def _addresses() -> list[str]:
    try:
        done = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5)
    except OSError:
        return []
    return done.stdout.split()
