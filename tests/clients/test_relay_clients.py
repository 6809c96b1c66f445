"""The real SOAP clients through a relay: PHP's SoapClient and the JAX-WS RI run the
common scenario (tests/clients/harness.py) unchanged against ``leadsync serve
--upstream``, whose upstream is a second leadsync process with no SOAP user at all, so
every lead the scenario makes can only have come through the relay's REST calls.

The harness reads back what was stored from ``server.db`` and talks to ``endpoint``: it
is given the upstream's process (its store is where the leads land; the relay's own
store keeps none by design) and the relay's endpoint. Each test then checks the
upstream's store itself, and that the relay's is empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from leadsync.model import DEFAULT_INSTANCE, Lead
from leadsync.store import SqliteStore
from tests.clients.harness import CLIENTS, LEADS, emails, require, run_scenario
from tests.clients.test_java import JAVA_OPTS, JAXWS_JARS, classpath, javac, run
from tests.rest import CLIENT_ID, CLIENT_SECRET, add_client
from tests.server import ServerProcess
from tests.soap import DEMO_SECRET, DEMO_USER

pytestmark = pytest.mark.clients


@dataclass
class Relayed:
    upstream: ServerProcess
    relay: ServerProcess


@pytest.fixture
def relayed(tmp_path: Path) -> Iterator[Relayed]:
    upstream_db, relay_db = str(tmp_path / "upstream.db"), str(tmp_path / "relay.db")
    store = SqliteStore(upstream_db)
    add_client(store)  # a REST client only: no SOAP user upstream
    store.close()
    store = SqliteStore(relay_db)
    store.add_user(DEMO_USER, DEMO_SECRET)
    store.close()
    secret = tmp_path / "upstream-secret"
    secret.write_text(CLIENT_SECRET + "\n")
    upstream = ServerProcess(upstream_db).start()
    try:
        relay = ServerProcess(
            relay_db,
            (
                "--upstream", upstream.base_url,
                "--upstream-client-id", CLIENT_ID,
                "--upstream-client-secret-file", str(secret),
            ),
        ).start()  # fmt: skip
        try:
            yield Relayed(upstream, relay)
        finally:
            relay.stop()
    finally:
        upstream.stop()


def leads_of(db: str) -> list[Lead]:
    store = SqliteStore(db)
    try:
        return list(store.iter_leads(DEFAULT_INSTANCE))
    finally:
        store.close()


def check_landed_upstream(relayed: Relayed, prefix: str, steps: dict[str, object]) -> None:
    """The scenario's two leads are upstream, once each, with the ids the client was
    given and the attributes it sent; the 301-record call left nothing; the relay's
    own store holds no lead."""
    create = steps["create"]
    assert isinstance(create, dict)
    ids = [int(status["leadId"]) for status in create["statuses"]]
    upstream = leads_of(relayed.upstream.db)
    assert [(lead.id, lead.email) for lead in upstream] == list(
        zip(ids, emails(prefix), strict=True)
    )
    for lead, sent in zip(upstream, LEADS, strict=True):
        assert lead.attributes == sent
    assert leads_of(relayed.relay.db) == []


def test_php_soapclient_through_the_relay(relayed: Relayed) -> None:
    require("php")
    steps = run_scenario(
        relayed.upstream,
        "php",
        ["php", str(CLIENTS / "php" / "sync_multiple_leads.php")],
        endpoint=relayed.relay.endpoint,
        read_back=True,
    )
    check_landed_upstream(relayed, "php", steps)


def test_jaxws_through_the_relay(relayed: Relayed, tmp_path: Path) -> None:
    # Stubs from the relay's own ?WSDL, as test_java.py makes them from a server's.
    require("wsimport", "javac", "java")
    cp = classpath(JAXWS_JARS)
    sources, classes = tmp_path / "src", tmp_path / "classes"
    sources.mkdir()
    wsdl = relayed.relay.endpoint + "?WSDL"
    wsimport = ["wsimport", "-Xnocompile", "-XadditionalHeaders", "-p", "com.marketo.mktows"]
    run([*wsimport, "-s", str(sources), "-d", str(sources), wsdl], cwd=tmp_path)
    javac(cp, sources, classes, CLIENTS / "java" / "jaxws" / "SyncMultipleLeads.java")
    steps = run_scenario(
        relayed.upstream,
        "jaxws",
        ["java", *JAVA_OPTS, "-cp", classpath(JAXWS_JARS, classes), "SyncMultipleLeads"],
        cwd=tmp_path,
        endpoint=relayed.relay.endpoint,
        read_back=True,
    )
    check_landed_upstream(relayed, "jaxws", steps)
