"""The REST API over real sockets, on each back end, through two worker processes: a
token one process issued is accepted by the other, SOAP and REST see the same leads,
and bad input never costs the server."""

from __future__ import annotations

import httpx
import pytest

from leadsync import Client
from leadsync.store import Store
from tests.rest import Rest, add_client, error_code, sync, token
from tests.server import ServerProcess
from tests.soap import DEMO_SECRET, DEMO_USER

pytestmark = pytest.mark.e2e


def test_two_workers_share_tokens_and_leads_with_soap(
    store: Store, two_workers: ServerProcess
) -> None:
    add_client(store)
    # A new connection per call: the balancer deals connections to both workers in turn.
    with httpx.Client(base_url=two_workers.base_url, headers={"Connection": "close"}) as http:
        rest = Rest(http, token(http))
        for round_ in range(4):
            [made] = sync(rest, [{"email": f"e{round_}@x.test", "firstName": f"R{round_}"}])
            assert made["status"] == "created"
        with Client(two_workers.endpoint, DEMO_USER, DEMO_SECRET) as soap:
            [status] = soap.sync_multiple_leads([{"Email": "soap@x.test", "LastName": "Over SOAP"}])
            [soap_lead] = soap.get_lead("EMAIL", "e3@x.test")
        assert soap_lead.attributes["FirstName"] == "R3"
        [read] = rest.ok(
            "GET",
            "/rest/v1/leads.json",
            params={"filterType": "email", "filterValues": "soap@x.test", "fields": "id,lastName"},
        )
        assert read == {"id": status.lead_id, "lastName": "Over SOAP"}


def test_hostile_bodies_get_codes_and_the_server_stays_up(
    store: Store, two_workers: ServerProcess
) -> None:
    add_client(store)
    with httpx.Client(base_url=two_workers.base_url) as http:
        rest = Rest(http, token(http))
        oversized = http.post(
            "/rest/v1/leads.json",
            content=b'{"input": [' + b'{"email": "x@x.test"},' * 60_000 + b"{}]}",
            headers={"Authorization": f"Bearer {rest.token}", "Content-Type": "application/json"},
        )
        assert oversized.status_code == 413
        assert error_code(oversized.json()) == "413"
        deep = b"[" * 100_000 + b"]" * 100_000
        answer = rest.call(
            "POST",
            "/rest/v1/leads.json",
            content=deep,
            headers={"Content-Type": "application/json"},
        )
        assert error_code(answer) == "609"
        wrong_types = rest.post(
            "/rest/v1/leads.json", {"input": [{"email": ["a"]}, {"leadScore": {}}]}
        )
        assert [r["reasons"][0]["code"] for r in wrong_types["result"]] == ["1003", "1003"]
        assert sync(rest, [{"email": "still@x.test"}])[0]["status"] == "created"
    assert list(store.iter_leads()) != []
    assert [lead.email for lead in store.iter_leads()] == ["still@x.test"]
