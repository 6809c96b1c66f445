"""The one scenario every real SOAP client runs against a real ``leadsync serve``.

A client program (tests/clients/<stack>/...) is started with these environment variables:

    LEADSYNC_WSDL      <endpoint>?WSDL, for WSDL-driven clients
    LEADSYNC_ENDPOINT  the endpoint URL (http://127.0.0.1:<port>/soap/mktows/2_2)
    LEADSYNC_USER      the mktowsUserId
    LEADSYNC_SECRET    its secret key
    LEADSYNC_PREFIX    the client's name, used in every email it sends

It performs the steps below in order, signing every call afresh (HMAC-SHA1 of
requestTimestamp + mktowsUserId, lower-case hex), and prints one JSON object a line:

 1. load the WSDL from LEADSYNC_WSDL (WSDL-driven clients).
 2. syncMultipleLeads with dedupEnabled=true and the two records of ``LEADS``:
        {"step": "create", "statuses": [{"leadId": 1, "status": "CREATED", "error": null}, ...]}
 3. the same call again:
        {"step": "update", "statuses": [...]}
 4. the same call signed with the key "wrong-" + LEADSYNC_SECRET; the client's own fault
    object must give the detail code:
        {"step": "wrong_key", "fault": {"faultstring": "...", "code": "20014"}}
 5. a call with 301 records, emails "<prefix>-bulk-<i>@example.com" for i in 0..300:
        {"step": "too_many", "fault": {"faultstring": "...", "code": "20110"}}
 6. (clients run with read_back=True) getLead with keyType EMAIL for each of the two
    emails, printing what the client's own response objects hold:
        {"step": "read_back", "leads": [{"Id": 1, "Email": "...",
                                         "attributes": {"FirstName": "Zoë", ...}}, ...]}

and exits 0. Anything else on stdout that is not JSON is ignored (clients may log).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.server import ServerProcess
from tests.server import export as export_leads
from tests.soap import DEMO_SECRET, DEMO_USER

CLIENTS = Path(__file__).resolve().parent

# The attributes each client sends, chosen to catch escaping and encoding mistakes.
LEADS: tuple[dict[str, str], ...] = (
    {"FirstName": "Zoë", "Company": "Acme & Co <east>", "NumberOfEmployees": "42"},
    {"FirstName": "Ålesund ☃", "Phone": "650-555-1000"},
)


def emails(prefix: str) -> list[str]:
    return [f"{prefix}-{i}@example.com" for i in (1, 2)]


def require(*tools: str) -> None:
    """Skip (outside CI) or fail (in CI) when a client toolchain is missing."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if not missing:
        return
    reason = (
        f"missing client toolchain: {', '.join(missing)} "
        "(scripts/install-client-toolchains.sh installs it)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def export(db: str) -> dict[str, dict[str, Any]]:
    """Every stored lead by Email."""
    return {row["Email"]: row for row in export_leads(db)}


def run_scenario(
    server: ServerProcess,
    prefix: str,
    argv: Sequence[str],
    cwd: Path | None = None,
    endpoint: str | None = None,
    extra_env: dict[str, str] | None = None,
    timeout: float = 180,
    read_back: bool = False,
) -> dict[str, Any]:
    """Run one client program through the scenario and assert every step exactly."""
    url = endpoint or server.endpoint
    env = {
        **os.environ,
        "LEADSYNC_WSDL": url + "?WSDL",
        "LEADSYNC_ENDPOINT": url,
        "LEADSYNC_USER": DEMO_USER,
        "LEADSYNC_SECRET": DEMO_SECRET,
        "LEADSYNC_PREFIX": prefix,
        **(extra_env or {}),
    }
    done = subprocess.run(
        list(argv), env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    output = f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert done.returncode == 0, output
    steps: dict[str, Any] = {}
    for line in done.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            item = json.loads(line)
            steps[item["step"]] = item
    expected = ["create", "too_many", "update", "wrong_key"] + (["read_back"] if read_back else [])
    assert sorted(steps) == sorted(expected), output

    created = [(s["status"], s["error"]) for s in steps["create"]["statuses"]]
    assert created == [("CREATED", None), ("CREATED", None)], output
    ids = [int(s["leadId"]) for s in steps["create"]["statuses"]]
    assert len(set(ids)) == 2 and min(ids) > 0, output

    stored = export(server.db)
    for email, attributes in zip(emails(prefix), LEADS, strict=True):
        row = stored[email]
        assert {name: row.get(name) for name in attributes} == attributes, row
    assert [stored[email]["Id"] for email in emails(prefix)] == ids

    updated = [(int(s["leadId"]), s["status"], s["error"]) for s in steps["update"]["statuses"]]
    assert updated == [(ids[0], "UPDATED", None), (ids[1], "UPDATED", None)], output

    assert str(steps["wrong_key"]["fault"]["code"]) == "20014", output
    assert steps["wrong_key"]["fault"]["faultstring"] == "20014 - Authentication failed", output
    assert str(steps["too_many"]["fault"]["code"]) == "20110", output
    assert steps["too_many"]["fault"]["faultstring"] == "20110 - Input error", output

    if read_back:
        got = [
            (int(lead["Id"]), lead["Email"], lead["attributes"])
            for lead in steps["read_back"]["leads"]
        ]
        assert got == [
            (lead_id, email, attributes)
            for lead_id, email, attributes in zip(ids, emails(prefix), LEADS, strict=True)
        ], output

    after = export(server.db)
    assert not [e for e in after if e and e.startswith(f"{prefix}-bulk-")], "301 stored some"
    return steps


def run_steps(
    server: ServerProcess, prefix: str, argv: Sequence[str], wsdl: str | None = None
) -> tuple[dict[str, dict[str, Any]], str]:
    """Run a scenario's client program (tests/clients/history.py, lists.py) with the
    harness's environment; its JSON lines by ``step`` (the key removed), and its output
    for assertion messages. The program must exit 0."""
    env = {
        **os.environ,
        "LEADSYNC_WSDL": wsdl or server.endpoint + "?WSDL",
        "LEADSYNC_ENDPOINT": server.endpoint,
        "LEADSYNC_USER": DEMO_USER,
        "LEADSYNC_SECRET": DEMO_SECRET,
        "LEADSYNC_PREFIX": prefix,
    }
    done = subprocess.run(list(argv), env=env, capture_output=True, text=True, timeout=180)
    output = f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert done.returncode == 0, output
    steps: dict[str, dict[str, Any]] = {}
    for line in done.stdout.splitlines():
        if line.strip().startswith("{"):
            item = json.loads(line)
            steps[item.pop("step")] = item
    return steps, output
