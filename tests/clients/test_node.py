"""Node's SOAP clients, node-soap (npm "soap") and strong-soap, through the common scenario."""

from __future__ import annotations

import os

import pytest

from tests.clients.harness import CLIENTS, require, run_scenario
from tests.server import ServerProcess

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
