"""Operations: emulated limits through the app, metrics, call logs, keys outside the store."""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from leadsync.auth import sign
from leadsync.config import Settings
from leadsync.errors import ConfigError
from leadsync.http.app import create_app
from leadsync.http.keyfile import load_keys
from leadsync.limits import LimitSettings
from leadsync.store import Store
from tests.server import ServerProcess
from tests.soap import (
    DEMO_SECRET,
    DEMO_USER,
    auth_header,
    envelope,
    read_fault,
    read_statuses,
    sync_body,
    sync_request,
)

URL = "/soap/mktows/2_2"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def test_emulated_rate_limit_answers_20023_with_marketos_texts(store: Store, db: str) -> None:
    settings = Settings(db=db, emulate_limits=True, limits=LimitSettings(rate_calls=2))
    with TestClient(create_app(store, settings, Clock())) as client:
        for i in range(2):
            response = client.post(URL, content=sync_request([{"Email": f"r{i}@x.com"}]))
            assert response.status_code == 200
        response = client.post(URL, content=sync_request([{"Email": "r3@x.com"}]))
    fault = read_fault(response.content)
    assert (response.status_code, fault.code, fault.faultstring) == (
        500,
        20023,
        "20023 - Rate limit exceeded",
    )
    assert fault.message == (
        "Rate limit exceeded: more than 2 calls in 20 seconds for this instance (20023)"
    )
    assert [lead.email for lead in store.iter_leads()] == ["r0@x.com", "r1@x.com"]


def test_the_daily_quota_answers_20015_and_limits_are_off_by_default(store: Store, db: str) -> None:
    settings = Settings(db=db, emulate_limits=True, limits=LimitSettings(daily_quota=1))
    with TestClient(create_app(store, settings, Clock())) as client:
        assert client.post(URL, content=sync_request([{"Email": "q@x.com"}])).status_code == 200
        response = client.post(URL, content=sync_request([{"Email": "q@x.com"}]))
        assert read_fault(response.content).code == 20015
    unlimited = Settings(db=db, limits=LimitSettings(daily_quota=1, rate_calls=1))
    with TestClient(create_app(store, unlimited, Clock())) as client:
        for _ in range(3):
            response = client.post(URL, content=sync_request([{"Email": "q@x.com"}]))
            assert response.status_code == 200


def test_metrics_count_calls_faults_records_and_latency(client: TestClient) -> None:
    client.post(
        URL,
        content=sync_request(
            [{"Email": "m@x.com"}, {"Email": "m@x.com"}, {"attrs": {"Company": "no key"}}]
        ),
    )
    client.post(URL, content=envelope(sync_body([{"Email": "m@x.com"}]), header=""))
    text = client.get("/metrics").text
    assert 'leadsync_calls_total{operation="syncMultipleLeads"} 2.0' in text
    assert 'leadsync_faults_total{code="20014"} 1.0' in text
    assert 'leadsync_records_total{status="CREATED"} 1.0' in text
    assert 'leadsync_records_total{status="UPDATED"} 1.0' in text
    assert 'leadsync_records_total{status="FAILED"} 1.0' in text
    assert re.search(
        r'leadsync_call_duration_seconds_count\{operation="syncMultipleLeads"\} 2\.0', text
    )


def test_one_json_log_line_per_call(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="leadsync.calls"):
        client.post(URL, content=sync_request([{"Email": "l@x.com"}, {"Email": "l2@x.com"}]))
    [record] = [r for r in caplog.records if r.name == "leadsync.calls"]
    line = json.loads(record.getMessage())
    assert line.pop("ms") >= 0
    assert line == {
        "operation": "syncMultipleLeads",
        "instance": "default",
        "user": DEMO_USER,
        "records": 2,
        "statuses": {"CREATED": 2},
        "fault": None,
    }


@pytest.mark.e2e
@pytest.mark.parametrize("workers", ["1", "2"])
def test_secrets_and_signatures_never_reach_the_log(store: Store, db: str, workers: str) -> None:
    store.close()
    server = ServerProcess(db, ("--log-level", "debug", "--workers", workers)).start()
    headers = [auth_header(), auth_header(secret="wrong-secret-value"), auth_header(user="nobody")]
    signatures = re.findall(r"<requestSignature>(\w+)<", "".join(headers))
    try:
        for header in headers:
            request = urllib.request.Request(
                server.endpoint, envelope(sync_body([{"Email": "s@x.com"}]), header)
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    response.read()
            except urllib.error.HTTPError as error:
                error.read()
                error.close()
    finally:
        server.stop()
    assert server.log.count('"operation":"syncMultipleLeads"') == 3
    assert server.log.count('"fault":20014') == 2
    for secret in (DEMO_SECRET, "wrong-secret-value", *signatures):
        assert secret not in server.log


def test_keys_from_a_secrets_file_win_over_the_store_for_its_users(
    store: Store, db: str, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    keys.write_text(f"# comment\n\n{DEMO_USER} file-key\nonly_in_file other-key\n")
    keys.chmod(0o600)
    settings = Settings(db=db, secrets_file=str(keys))
    with TestClient(create_app(store, settings)) as client:
        by_file = envelope(sync_body([{"Email": "k@x.com"}]), auth_header(secret="file-key"))
        by_store = envelope(sync_body([{"Email": "k@x.com"}]))
        only_file = envelope(
            sync_body([{"Email": "k2@x.com"}]), auth_header(user="only_in_file", secret="other-key")
        )
        assert read_statuses(client.post(URL, content=by_file).content)[0][1] == "CREATED"
        assert read_fault(client.post(URL, content=by_store).content).code == 20014
        # The file supplies keys for the store's users, nothing more.
        assert read_fault(client.post(URL, content=only_file).content).code == 20014
        assert store.remove_user(DEMO_USER)
        assert read_fault(client.post(URL, content=by_file).content).code == 20014


def test_a_secrets_file_readable_by_others_or_malformed_is_refused(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text("user key\n")
    keys.chmod(0o644)
    with pytest.raises(ConfigError, match="readable by others: chmod 600"):
        load_keys(str(keys))
    keys.write_text("user key extra-secret\n")
    keys.chmod(0o600)
    with pytest.raises(ConfigError) as caught:
        load_keys(str(keys))
    assert str(caught.value) == f"{keys}, line 1: expected 'USER_ID SECRET' (two fields)"
    assert "extra-secret" not in str(caught.value)
    assert sign("k", "t", "u") not in str(caught.value)


@pytest.mark.e2e
def test_serve_warns_of_secrets_file_users_the_store_does_not_know(
    store: Store, db: str, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    keys.write_text(f"{DEMO_USER} file-key\nghost_user ghost-key\n")
    keys.chmod(0o600)
    store.close()
    server = ServerProcess(db, ("--secrets-file", str(keys))).start()
    try:
        urllib.request.urlopen(f"{server.base_url}/healthz", timeout=10).close()  # past the banner
    finally:
        server.stop()
    assert "users:    1\n" in server.banner
    assert (
        "warning:  the secrets file has keys for users the store does not know, who cannot "
        "call: ghost_user (add them with leadsync users add)\n"
    ) in server.log
    assert "ghost-key" not in server.log
