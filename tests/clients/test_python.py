"""Python's SOAP clients, zeep and suds-community, through the common scenario."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from leadsync.lists import Channel
from leadsync.store import SqliteStore
from tests.clients.campaigns import run_campaigns
from tests.clients.custom_objects import run_custom_objects
from tests.clients.harness import CLIENTS, run_scenario, run_steps
from tests.clients.history import run_history
from tests.clients.lists import run_lists
from tests.server import ServerProcess
from tests.soap import REFERENCE_WSDL, shared

pytestmark = pytest.mark.clients


def test_zeep(server: ServerProcess) -> None:
    run_scenario(
        server,
        "zeep",
        [sys.executable, str(CLIENTS / "python" / "zeep_client.py")],
        read_back=True,
    )


def test_suds(server: ServerProcess) -> None:
    run_scenario(server, "suds", [sys.executable, str(CLIENTS / "python" / "suds_client.py")])


def test_zeep_over_https_with_a_throwaway_certificate(
    tls_files: tuple[Path, Path], db_path: str, sqlite_store: SqliteStore
) -> None:
    cert, key = tls_files
    server = ServerProcess(db_path, ("--tls-cert", str(cert), "--tls-key", str(key))).start()
    try:
        assert server.endpoint.startswith("https://127.0.0.1:")
        run_scenario(
            server,
            "zeep-https",
            [sys.executable, str(CLIENTS / "python" / "zeep_client.py")],
            extra_env={"REQUESTS_CA_BUNDLE": str(cert)},
            read_back=True,
        )
    finally:
        server.stop()


def test_zeep_history_from_the_reference_wsdl(server: ServerProcess) -> None:
    reference = shared(REFERENCE_WSDL)
    run_history(
        server,
        "zeep",
        [sys.executable, "-m", "tests.clients.python.zeep_history"],
        wsdl=str(reference),
    )


@pytest.mark.parametrize(
    ("scenario", "module"),
    [
        (run_lists, "zeep_lists"),
        (run_campaigns, "zeep_campaigns"),
        (run_custom_objects, "zeep_objects"),
    ],
    ids=["lists", "campaigns", "custom_objects"],
)
def test_zeep_scenarios_from_the_reference_wsdl(
    server: ServerProcess,
    sqlite_store: SqliteStore,
    scenario: Callable[..., None],
    module: str,
) -> None:
    argv = [sys.executable, "-m", f"tests.clients.python.{module}"]
    scenario(server, sqlite_store, "zeep", argv, wsdl=str(shared(REFERENCE_WSDL)))


def test_zeep_every_other_operation_from_the_reference_wsdl(
    server: ServerProcess, sqlite_store: SqliteStore
) -> None:
    sqlite_store.add_channel("default", Channel.numbered(0, "Webinar", ["Invited"], []))
    sqlite_store.add_program("default", "Spring", "Webinar", [("Region", "EMEA")], 1)
    sqlite_store.add_list("default", "Imported", "Spring", 1)
    argv = [sys.executable, "-m", "tests.clients.python.zeep_operations"]
    steps, output = run_steps(server, "zeep", argv, str(shared(REFERENCE_WSDL)))
    assert steps == {
        "sync_lead": {"ids": [1, 2]},
        "get_multiple": {"returnCount": 1},
        "list_mobjects": {
            "objects": ["ActivityRecord", "LeadRecord", "Opportunity", "OpportunityPersonRole"]
        },
        "describe": {"name": "Opportunity"},
        "channels": {"names": ["Webinar"]},
        "tags": {"tags": [["Region", ["EMEA"]]]},
        "merge": {"status": "MERGED", "losers": [2]},
        "import": {"started": "PROCESSING", "status": "COMPLETE", "imported": 1},
        "mobjects": {"synced": "CREATED", "found": [1], "deleted": "DELETED"},
    }, output
