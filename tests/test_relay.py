"""Relay mode over real sockets: a relay server answers SOAP calls by calling an upstream
leadsync's REST API (a second server process, on its own store); leads land upstream with
the right keys and names, reads come back from upstream, and what REST cannot express is
20019."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from leadsync import Client
from leadsync.fields import FieldDef, FieldType
from leadsync.model import DEFAULT_INSTANCE
from leadsync.store import SqliteStore, open_store
from tests.rest import CLIENT_ID, CLIENT_SECRET, add_client
from tests.server import ServerProcess
from tests.soap import DEMO_SECRET, DEMO_USER, envelope

pytestmark = pytest.mark.e2e


@pytest.fixture
def upstream(tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    """The 'live Marketo': a leadsync serving REST, with a client and a custom field."""
    db = str(tmp_path / "upstream.db")
    store = SqliteStore(db)
    add_client(store)
    store.add_field(
        DEFAULT_INSTANCE, FieldDef("ExternalId", FieldType.STRING, True, 0, "externalId", "X")
    )
    store.close()
    server = ServerProcess(db).start()
    yield server, db
    server.stop()


@pytest.fixture
def relay(tmp_path: Path, upstream: tuple[ServerProcess, str]) -> Iterator[ServerProcess]:
    db = str(tmp_path / "relay.db")
    store = SqliteStore(db)
    store.add_user(DEMO_USER, DEMO_SECRET)
    store.close()
    secret = tmp_path / "upstream-secret"
    secret.write_text(CLIENT_SECRET + "\n")
    args = (
        "--upstream", upstream[0].base_url,
        "--upstream-client-id", CLIENT_ID,
        "--upstream-client-secret-file", str(secret),
        "--upstream-foreign-id-field", "externalId",
    )  # fmt: skip
    server = ServerProcess(db, args).start()
    yield server
    server.stop()


def test_sync_lands_upstream_with_keys_and_names(
    relay: ServerProcess, upstream: tuple[ServerProcess, str]
) -> None:
    with Client(relay.endpoint, DEMO_USER, DEMO_SECRET) as soap:
        made = soap.sync_multiple_leads(
            [
                {"Email": "a@relay.test", "FirstName": "Ann", "LeadScore": "7"},
                {"ForeignSysPersonId": "SF-1", "Email": "b@relay.test", "LastName": "Bo"},
                {"Email": "c@relay.test", "Shoe": "42"},
            ]
        )
        assert [(r.status.value, r.error) for r in made] == [
            ("CREATED", None),
            ("CREATED", None),
            ("FAILED", "unknown fields for import: Shoe"),
        ]
        again = soap.sync_multiple_leads([{"Id": made[0].lead_id, "City": "Oslo"}])
        assert [(r.lead_id, r.status.value) for r in again] == [(made[0].lead_id, "UPDATED")]
        [read] = soap.get_lead("EMAIL", "a@relay.test")
        assert read.id == made[0].lead_id
        assert read.attributes["FirstName"] == "Ann" and read.attributes["City"] == "Oslo"
        assert read.attributes["LeadScore"] == "7"
        missing = soap.sync_multiple_leads([{"Id": 999_999, "City": "Rome"}])
        assert missing[0].status.value == "FAILED"
        assert missing[0].error == "upstream 1004: Lead not found"
        assert soap.get_lead("EMAIL", "nobody@relay.test") == []  # the client's 20103
    store = open_store(upstream[1], create=False)
    try:
        leads = {lead.email or "": lead for lead in store.iter_leads(DEFAULT_INSTANCE)}
    finally:
        store.close()
    assert sorted(leads) == ["a@relay.test", "b@relay.test"]
    assert leads["a@relay.test"].id == made[0].lead_id
    assert leads["a@relay.test"].attributes == {
        "FirstName": "Ann",
        "LeadScore": "7",
        "City": "Oslo",
    }
    # The ForeignSysPersonId went to the custom field named by --upstream-foreign-id-field.
    assert leads["b@relay.test"].attributes == {"LastName": "Bo", "ExternalId": "SF-1"}


def test_what_rest_cannot_carry_is_20019(relay: ServerProcess) -> None:
    body = (
        "<ns1:paramsListOperation><listOperation>ADDTOLIST</listOperation><listKey>"
        "<keyType>MKTOLISTNAME</keyType><keyValue>L</keyValue></listKey><listMemberList>"
        "<leadKey><keyType>IDNUM</keyType><keyValue>1</keyValue></leadKey></listMemberList>"
        "</ns1:paramsListOperation>"
    )
    answer = httpx.post(
        relay.endpoint, content=envelope(body), headers={"Content-Type": "text/xml"}
    )
    assert answer.status_code == 500
    assert b"<code>20019</code>" in answer.content
    assert b"the relay does not carry listOperation" in answer.content
