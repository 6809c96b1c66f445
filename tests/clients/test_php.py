"""PHP's SoapClient (WSDL mode, the vendor sample's flow) through the common scenario."""

from __future__ import annotations

import pytest

from leadsync.store import SqliteStore
from tests.clients.campaigns import run_campaigns
from tests.clients.custom_objects import run_custom_objects
from tests.clients.harness import CLIENTS, require, run_scenario
from tests.clients.history import run_history
from tests.clients.lists import run_lists
from tests.server import ServerProcess

pytestmark = pytest.mark.clients


def test_php_soapclient(server: ServerProcess) -> None:
    require("php")
    run_scenario(
        server,
        "php",
        ["php", str(CLIENTS / "php" / "sync_multiple_leads.php")],
        read_back=True,
    )


def test_php_soapclient_history_from_the_2_3_wsdl(server: ServerProcess) -> None:
    require("php")
    run_history(
        server,
        "php",
        ["php", str(CLIENTS / "php" / "history.php")],
        wsdl=server.endpoint.replace("/2_2", "/2_3") + "?WSDL",
    )


def test_php_soapclient_lists(server: ServerProcess, sqlite_store: SqliteStore) -> None:
    require("php")
    run_lists(server, sqlite_store, "php", ["php", str(CLIENTS / "php" / "lists.php")])


def test_php_soapclient_campaigns(server: ServerProcess, sqlite_store: SqliteStore) -> None:
    require("php")
    run_campaigns(server, sqlite_store, "php", ["php", str(CLIENTS / "php" / "campaigns.php")])


def test_php_soapclient_custom_objects(server: ServerProcess, sqlite_store: SqliteStore) -> None:
    require("php")
    run_custom_objects(
        server, sqlite_store, "php", ["php", str(CLIENTS / "php" / "custom_objects.php")]
    )
