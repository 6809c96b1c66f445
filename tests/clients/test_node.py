"""Node's SOAP clients, node-soap (npm "soap") and strong-soap, through the common scenario."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest

from leadsync import Client
from tests.clients.harness import CLIENTS, require, run_scenario
from tests.server import ServerProcess
from tests.soap import DEMO_SECRET, DEMO_USER

pytestmark = pytest.mark.clients

NODE = CLIENTS / "node"


def require_node_modules() -> None:
    """Skip (outside CI) or fail (in CI) like ``require`` when ``npm ci`` has not run."""
    require("node")
    if (NODE / "node_modules").is_dir():
        return
    reason = (
        f"missing client toolchain: {NODE / 'node_modules'} (scripts/install-client-toolchains.sh)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def test_node_soap(server: ServerProcess) -> None:
    require_node_modules()
    run_scenario(server, "node-soap", ["node", str(NODE / "node_soap_client.js")], cwd=NODE)


def test_strong_soap(server: ServerProcess) -> None:
    require_node_modules()
    run_scenario(server, "strong-soap", ["node", str(NODE / "strong_soap_client.js")], cwd=NODE)


ACTIVITY_FIELDS = [
    ["id", "integer"],
    ["activityDateTime", "dateTime"],
    ["activityType", "string"],
    ["mktgAssetName", "string"],
    ["activityAttributes", "Array"],
    ["campaign", "string"],
    ["personName", "string"],
    ["mktPersonId", "integer"],
    ["foreignSysId", "string"],
    ["orgName", "string"],
    ["foreignSysOrgId", "string"],
]


def _node_steps(server: ServerProcess, script: str, **env: str) -> list[dict[str, Any]]:
    """Run a node-soap program against the server; its JSON lines."""
    done = subprocess.run(
        ["node", str(NODE / script)],
        cwd=NODE,
        env={
            **os.environ,
            "LEADSYNC_WSDL": f"{server.endpoint}?WSDL",
            "LEADSYNC_USER": DEMO_USER,
            "LEADSYNC_SECRET": DEMO_SECRET,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def test_node_soap_logs_in_as_datahero_does(server: ServerProcess) -> None:
    require_node_modules()
    client = Client(server.endpoint, DEMO_USER, DEMO_SECRET)
    with client:
        client.sync_multiple_leads([{"Email": "one@x.com"}, {"Email": "two@x.com"}])
    steps = _node_steps(server, "node_soap_login.js")
    described = {step["name"]: step["fields"] for step in steps if step["step"] == "describe"}
    assert described["ActivityRecord"] == ACTIVITY_FIELDS
    assert [name for name, _ in described["Opportunity"]][:3] == [
        "Id",
        "ExternalOpportunityId",
        "Name",
    ]
    assert ["Role", "string"] in described["OpportunityPersonRole"]
    assert steps[3] == {
        "step": "list",
        "objects": ["ActivityRecord", "LeadRecord", "Opportunity", "OpportunityPersonRole"],
    }
    # node-soap reads the xs:int answers as numbers.
    assert steps[4] == {"step": "first_page", "returnCount": 1, "remainingCount": 1, "ids": [1]}


def test_node_soap_reads_opportunities_as_datahero_does(server: ServerProcess) -> None:
    require_node_modules()
    client = Client(server.endpoint, DEMO_USER, DEMO_SECRET)
    with client:
        [status] = client.sync_multiple_leads([{"Email": "buyer@x.com"}])
    lines = _node_steps(server, "node_soap_mobjects.js", LEADSYNC_LEAD=str(status.lead_id))
    steps = {step.pop("step"): step for step in lines}
    assert steps == {
        "sync": {"statuses": ["CREATED", "CREATED"]},
        "opportunities": {
            "hasMore": False,
            "objects": [{"id": 1, "attributes": {"Amount": "1200", "Name": "Big deal"}}],
        },
        "roles": {
            "objects": [
                {
                    "id": 2,
                    "attributes": {
                        "Role": "Buyer",
                        "OpportunityId": "1",
                        "PersonId": str(status.lead_id),
                    },
                }
            ]
        },
    }
