"""leadsync.Client's sync_lead, get_lead and get_multiple_leads against a real server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from leadsync import Client, RemoteFault
from leadsync.store import SqliteStore
from tests.server import ServerProcess
from tests.soap import DEMO_SECRET, DEMO_USER

pytestmark = pytest.mark.e2e


@pytest.fixture
def client(sqlite_store: SqliteStore, db_path: str) -> Iterator[Client]:
    server = ServerProcess(db_path).start()
    try:
        with Client(server.endpoint, DEMO_USER, DEMO_SECRET) as connected:
            yield connected
    finally:
        server.stop()


def test_sync_lead_and_read_it_back(client: Client) -> None:
    status, lead = client.sync_lead({"Email": "r@x.com", "FirstName": "Rosa"}, cookie="ck-1")
    assert (status.lead_id, status.status.value) == (1, "CREATED")
    assert lead is not None
    assert (lead.id, lead.email, lead.attributes) == (1, "r@x.com", {"FirstName": "Rosa"})
    status, lead = client.sync_lead({"Email": "r@x.com", "Title": "CTO"}, return_lead=False)
    assert (status.status.value, lead) == ("UPDATED", None)
    [by_cookie] = client.get_lead("COOKIE", "ck-1")
    assert by_cookie.attributes == {"FirstName": "Rosa", "Title": "CTO"}
    assert client.get_lead("EMAIL", "nobody@x.com") == []
    with pytest.raises(RemoteFault) as caught:
        client.sync_lead({"Email": "r@x.com", "pants": "corduroy"})
    assert caught.value.code == 20105


def test_get_multiple_leads_follows_every_page(client: Client) -> None:
    client.sync_multiple_leads(
        [{"Email": f"p{i}@x.com", "Company": f"C{i}", "Phone": "1"} for i in range(250)]
    )
    by_key = list(
        client.get_multiple_leads(
            emails=[f"p{i}@x.com" for i in range(0, 250, 3)], batch_size=7, attributes=["Company"]
        )
    )
    assert [lead.email for lead in by_key] == [f"p{i}@x.com" for i in range(0, 250, 3)]
    assert by_key[1].attributes == {"Company": "C3"}
    yesterday = datetime.now(UTC) - timedelta(days=1)
    everything = list(client.get_multiple_leads(updated_since=yesterday, batch_size=40))
    assert [lead.id for lead in everything] == list(range(1, 251))
    assert list(client.get_multiple_leads(ids=[2, 4, 999])) == [everything[1], everything[3]]
    # More keys than one selector takes (100) go as several selectors: none is dropped.
    many = list(client.get_multiple_leads(ids=range(250, 0, -1), batch_size=60))
    assert [lead.id for lead in many] == [*range(151, 251), *range(51, 151), *range(1, 51)]
    assert sorted(many, key=lambda lead: lead.id) == everything
    by_email = client.get_multiple_leads(emails=[f"p{i}@x.com" for i in range(250)])
    assert [lead.id for lead in by_email] == list(range(1, 251))
