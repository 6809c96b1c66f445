"""The REST Leads endpoints through the app, on both stores: sync actions and their
per-record reasons, reads by filter and id, describe, delete, merge, push, and the
call errors of bad input (nothing half-written)."""

from __future__ import annotations

import pytest

from leadsync.fields import FieldDef, FieldType
from leadsync.model import DEFAULT_INSTANCE
from leadsync.store import Store
from tests.rest import Rest, error_code, sync


def test_create_or_update_creates_then_updates_by_email(rest: Rest, store: Store) -> None:
    first = sync(rest, [{"email": "a@x.test", "firstName": "Ann", "leadScore": 5}])
    assert first == [{"id": first[0]["id"], "status": "created"}]
    lead_id = first[0]["id"]
    again = sync(rest, [{"email": "A@X.test", "lastName": "Lee"}])
    assert again == [{"id": lead_id, "status": "updated"}]
    [lead] = store.read_leads(DEFAULT_INSTANCE, ids=[lead_id])
    assert lead.email == "A@X.test"  # the email as last sent, as a field
    assert lead.attributes == {"FirstName": "Ann", "LeadScore": "5", "LastName": "Lee"}


def test_actions_give_their_documented_reasons(rest: Rest) -> None:
    [made] = sync(rest, [{"email": "b@x.test"}])
    result = sync(
        rest,
        [{"email": "b@x.test"}, {"email": "new@x.test"}],
        action="createOnly",
    )
    assert result[0] == {
        "status": "skipped",
        "reasons": [{"code": "1005", "message": "Lead already exists"}],
    }
    assert result[1]["status"] == "created"
    result = sync(rest, [{"email": "nobody@x.test"}], action="updateOnly")
    assert result == [
        {"status": "skipped", "reasons": [{"code": "1004", "message": "Lead not found"}]}
    ]
    result = sync(
        rest, [{"id": made["id"], "firstName": "Bo"}], action="updateOnly", lookupField="id"
    )
    assert result == [{"id": made["id"], "status": "updated"}]
    result = sync(rest, [{"email": "b@x.test"}], action="createDuplicate")
    assert result[0]["status"] == "created" and result[0]["id"] != made["id"]
    # Two leads hold b@x.test now: an update by email cannot pick one.
    result = sync(rest, [{"email": "b@x.test", "city": "Oslo"}])
    assert result[0]["reasons"][0]["code"] == "1007"


def test_record_errors_skip_alone_and_write_nothing_of_themselves(rest: Rest, store: Store) -> None:
    result = sync(
        rest,
        [
            {"email": "ok@x.test"},
            {"email": "c@x.test", "noSuchField": 1},
            {"email": "d@x.test", "leadScore": "many"},
            {"id": 5, "email": "e@x.test"},
            {"email": "ok@x.test", "city": "Rome"},
            {"firstName": "no key"},
            "not an object",
        ],
    )
    codes = [r["reasons"][0]["code"] if r["status"] == "skipped" else r["status"] for r in result]
    assert codes == ["created", "1006", "1003", "1003", "1036", "1003", "1003"]
    assert result[1]["reasons"][0]["message"] == "Field 'noSuchField' not found"
    emails = sorted(lead.email or "" for lead in store.iter_leads(DEFAULT_INSTANCE))
    assert emails == ["ok@x.test"]


def test_lookup_fields(rest: Rest, store: Store) -> None:
    result = sync(rest, [{"email": "f@x.test"}], lookupField="firstName")
    assert result[0]["reasons"][0]["code"] == "1011"
    result = sync(rest, [{"email": "f@x.test"}], lookupField="id")
    assert result[0]["reasons"][0]["code"] == "1003"
    store.add_field(
        DEFAULT_INSTANCE, FieldDef("ExternalKey", FieldType.STRING, True, 0, "externalKey", "X")
    )
    first = sync(rest, [{"externalKey": "k-1", "email": "g@x.test"}], lookupField="externalKey")
    again = sync(rest, [{"externalKey": "k-1", "city": "Lima"}], lookupField="externalKey")
    assert first[0]["status"] == "created"
    assert again == [{"id": first[0]["id"], "status": "updated"}]


def test_get_by_filter_type_pages_with_tokens(rest: Rest) -> None:
    made = sync(rest, [{"email": f"p{i}@x.test", "firstName": f"P{i}"} for i in range(5)])
    ids = [m["id"] for m in made]
    body = rest.get(
        "/rest/v1/leads.json",
        filterType="id",
        filterValues=",".join(map(str, ids)),
        fields="email,firstName,leadScore",
        batchSize=2,
    )
    assert body["success"] is True
    assert body["result"] == [
        {"email": "p0@x.test", "firstName": "P0", "leadScore": None},
        {"email": "p1@x.test", "firstName": "P1", "leadScore": None},
    ]
    seen = [r["email"] for r in body["result"]]
    while "nextPageToken" in body:
        body = rest.get(
            "/rest/v1/leads.json",
            filterType="id",
            filterValues=",".join(map(str, ids)),
            fields="email",
            batchSize=2,
            nextPageToken=body["nextPageToken"],
        )
        seen += [r["email"] for r in body["result"]]
    assert seen == [f"p{i}@x.test" for i in range(5)]


def test_get_by_email_default_fields_and_by_id(rest: Rest) -> None:
    [made] = sync(rest, [{"email": "h@x.test", "firstName": "Hal", "lastName": "Ng"}])
    [lead] = rest.ok(
        "GET", "/rest/v1/leads.json", params={"filterType": "email", "filterValues": "H@x.test"}
    )
    assert list(lead) == ["id", "updatedAt", "lastName", "email", "createdAt", "firstName"]
    assert (lead["id"], lead["email"], lead["firstName"]) == (made["id"], "h@x.test", "Hal")
    assert lead["createdAt"].endswith("Z") and len(lead["createdAt"]) == 20
    assert rest.ok("GET", f"/rest/v1/lead/{made['id']}.json", params={"fields": "id,lastName"}) == [
        {"id": made["id"], "lastName": "Ng"}
    ]
    assert rest.ok("GET", "/rest/v1/lead/999999.json") == []


def test_post_with_method_get_is_that_get(rest: Rest) -> None:
    [made] = sync(rest, [{"email": "m@x.test"}])
    body = rest.call(
        "POST",
        "/rest/v1/leads.json",
        params={"_method": "GET"},
        data={"filterType": "email", "filterValues": "m@x.test", "fields": "id"},
    )
    assert body["result"] == [{"id": made["id"]}]


def test_describe_names_rest_and_soap(rest: Rest) -> None:
    fields = rest.ok("GET", "/rest/v1/leads/describe.json")
    by_rest = {f["rest"]["name"]: f for f in fields}
    assert by_rest["firstName"]["soap"] == {"name": "FirstName", "readOnly": False}
    assert by_rest["email"]["dataType"] == "email"
    assert by_rest["id"]["rest"]["readOnly"] is True
    [described] = rest.ok("GET", "/rest/v1/leads/describe2.json")
    assert described["name"] == "API Lead"
    assert ["email"] in described["searchableFields"]


def test_delete_and_merge(rest: Rest, store: Store) -> None:
    made = sync(
        rest, [{"email": "w@x.test"}, {"email": "l@x.test", "city": "Kyiv"}, {"email": "z@x.test"}]
    )
    winner, loser, doomed = (m["id"] for m in made)
    body = rest.call("POST", f"/rest/v1/leads/{winner}/merge.json", params={"leadId": loser})
    assert body["success"] is True and "errors" not in body
    [kept] = store.read_leads(DEFAULT_INSTANCE, ids=[winner])
    assert kept.attributes["City"] == "Kyiv"
    assert store.read_leads(DEFAULT_INSTANCE, ids=[loser]) == []
    result = rest.ok(
        "POST", "/rest/v1/leads/delete.json", json={"input": [{"id": doomed}, {"id": loser}]}
    )
    assert result == [
        {"id": doomed, "status": "deleted"},
        {
            "id": loser,
            "status": "skipped",
            "reasons": [{"code": "1004", "message": "Lead not found"}],
        },
    ]
    assert store.read_leads(DEFAULT_INSTANCE, ids=[doomed]) == []
    # The older spelling marketorestpython's delete_lead sends: DELETE leads.json
    assert rest.ok("DELETE", "/rest/v1/leads.json", json={"input": [{"id": winner}]}) == [
        {"id": winner, "status": "deleted"}
    ]


def test_push_upserts_with_its_reason_and_source(rest: Rest, store: Store) -> None:
    result = rest.ok(
        "POST",
        "/rest/v1/leads/push.json",
        json={
            "programName": "Launch",
            "source": "Site",
            "reason": "Pricing",
            "input": [{"email": "q@x.test", "city": "Bern"}],
        },
    )
    assert result[0]["status"] == "created"
    history = list(store.iter_activities(DEFAULT_INSTANCE, lead_id=result[0]["id"]))
    change = [a for a in history if a.kind == 13]
    assert change[0].values[3:] == ("Pricing", "Site")
    body = rest.post("/rest/v1/leads/push.json", {"input": [{"email": "q@x.test"}]})
    assert error_code(body) == "701"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "609"),
        (b'{"input": {"email": "x"}}', "1003"),
        (b'{"action": "upsert", "input": []}', "1003"),
        (b'{"action": "createOnly"}', "701"),
        (b'{"input": [], "partitionName": "Europe"}', "1003"),
    ],
)
def test_bad_bodies_get_call_errors(rest: Rest, body: bytes, code: str) -> None:
    answer = rest.call(
        "POST", "/rest/v1/leads.json", content=body, headers={"Content-Type": "application/json"}
    )
    assert error_code(answer) == code


def test_301_records_are_refused_whole(rest: Rest, store: Store) -> None:
    body = rest.post(
        "/rest/v1/leads.json", {"input": [{"email": f"r{i}@x.test"} for i in range(301)]}
    )
    assert error_code(body) == "1003"
    assert list(store.iter_leads(DEFAULT_INSTANCE)) == []


def test_tokens_and_paths(rest: Rest, store: Store) -> None:
    http = rest.http
    assert error_code(http.request("GET", "/rest/v1/lead/1.json").json()) == "601"
    bad = http.request("GET", "/rest/v1/lead/1.json", headers={"Authorization": "Bearer nope"})
    assert error_code(bad.json()) == "601"
    by_param = http.request("GET", "/rest/v1/lead/1.json", params={"access_token": rest.token})
    assert by_param.json()["success"] is True
    missing = http.request(
        "GET", "/rest/v1/nothing.json", headers={"Authorization": f"Bearer {rest.token}"}
    )
    assert missing.status_code == 404 and error_code(missing.json()) == "610"
    wrong = rest.call("PATCH", "/rest/v1/leads.json")
    assert error_code(wrong) == "605"
    refused = http.request(
        "GET",
        "/identity/oauth/token",
        params={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"},
    )
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    no_grant = http.request("POST", "/identity/oauth/token", data={"client_id": "x"})
    assert no_grant.status_code == 400 and no_grant.json()["error"] == "invalid_request"
    other = http.request("GET", "/identity/oauth/token", params={"grant_type": "password"})
    assert other.status_code == 400 and other.json()["error"] == "unsupported_grant_type"
