"""Perl's SOAP::Lite (document/literal built by hand, no WSDL) through the common scenario."""

from __future__ import annotations

import pytest

from tests.clients.harness import CLIENTS, require, run_scenario
from tests.server import ServerProcess

pytestmark = pytest.mark.clients


def test_perl_soap_lite(server: ServerProcess) -> None:
    require("perl")
    run_scenario(server, "perl", ["perl", str(CLIENTS / "perl" / "sync_multiple_leads.pl")])
