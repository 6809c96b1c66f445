"""Ruby's soap4r, WSDL-driven with a SimpleHandler AuthenticationHeader, through the scenario."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.clients.harness import CLIENTS, require, run_scenario
from tests.server import ServerProcess

pytestmark = pytest.mark.clients


def require_soap4r() -> None:
    """Skip (outside CI) or fail (in CI) when soap4r cannot be loaded by ``ruby``."""
    require("ruby")
    probe = subprocess.run(
        ["ruby", "-e", 'require "soap/wsdlDriver"'],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if probe.returncode == 0:
        return
    reason = f"ruby cannot load soap4r (apt-get install ruby-soap4r): {probe.stderr.strip()}"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def test_soap4r(server: ServerProcess) -> None:
    require_soap4r()
    run_scenario(server, "soap4r", ["ruby", str(CLIENTS / "ruby" / "sync_multiple_leads.rb")])
