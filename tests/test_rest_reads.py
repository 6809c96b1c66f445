"""The REST lists, activities, campaigns, programs and custom objects endpoints through
the app, on both stores, over what SOAP writes and the CLI defines."""

from __future__ import annotations

from typing import Any

from leadsync.custom_objects import ObjectType
from leadsync.fields import FieldType
from leadsync.model import DEFAULT_INSTANCE
from leadsync.store import Store
from tests.rest import CLIENT_SECRET, Rest, add_client, error_code, sync, token


def _leads(rest: Rest, *emails: str) -> list[int]:
    return [r["id"] for r in sync(rest, [{"email": e} for e in emails])]


def test_list_membership(rest: Rest, store: Store) -> None:
    list_id = store.add_list(DEFAULT_INSTANCE, "Webinar", None, 0)
    a, b = _leads(rest, "a@x.test", "b@x.test")
    [listed] = rest.ok("GET", "/rest/v1/lists.json", params={"name": "Webinar"})
    assert listed == {"id": list_id, "name": "Webinar", "workspaceName": "Default"}
    assert rest.ok("GET", f"/rest/v1/lists/{list_id}.json") == [listed]
    added = rest.ok(
        "POST", f"/rest/v1/lists/{list_id}/leads.json", json={"input": [{"id": a}, {"id": 999999}]}
    )
    assert added == [
        {"id": a, "status": "added"},
        {
            "id": 999999,
            "status": "skipped",
            "reasons": [{"code": "1004", "message": "Lead not found"}],
        },
    ]
    members = rest.ok("GET", f"/rest/v1/list/{list_id}/leads.json", params={"fields": "id,email"})
    assert members == [{"id": a, "email": "a@x.test"}]
    asked = rest.ok(
        "GET", f"/rest/v1/lists/{list_id}/leads/ismember.json", params={"id": f"{a},{b}"}
    )
    assert asked == [{"id": a, "status": "memberof"}, {"id": b, "status": "notmemberof"}]
    # marketorestpython's member_of_list: a JSON body with _method=GET
    by_body = rest.ok(
        "POST",
        f"/rest/v1/lists/{list_id}/leads/ismember.json",
        params={"_method": "GET"},
        json={"input": [{"id": a}, {"id": b}]},
    )
    assert by_body == asked
    removed = rest.ok("DELETE", f"/rest/v1/lists/{list_id}/leads.json", params={"id": f"{a},{b}"})
    assert removed == [
        {"id": a, "status": "removed"},
        {
            "id": b,
            "status": "skipped",
            "reasons": [{"code": "1015", "message": "Lead not in list"}],
        },
    ]
    kinds = [x.kind for x in store.iter_activities(DEFAULT_INSTANCE, lead_id=a)]
    assert kinds == [12, 13, 24, 25]
    assert error_code(rest.get("/rest/v1/lists/424242.json")) == "1013"


def test_list_leads_page_with_tokens(rest: Rest, store: Store) -> None:
    list_id = store.add_list(DEFAULT_INSTANCE, "Big", None, 0)
    ids = _leads(rest, *(f"m{i}@x.test" for i in range(5)))
    rest.ok(
        "POST", f"/rest/v1/lists/{list_id}/leads.json", json={"input": [{"id": i} for i in ids]}
    )
    seen: list[int] = []
    params: dict[str, Any] = {"batchSize": 2, "fields": "id"}
    while True:
        body = rest.get(f"/rest/v1/lists/{list_id}/leads.json", **params)
        seen += [r["id"] for r in body["result"]]
        if "nextPageToken" not in body:
            break
        params["nextPageToken"] = body["nextPageToken"]
    assert seen == ids


def test_activity_types_and_streams(rest: Rest) -> None:
    types = {t["id"]: t for t in rest.ok("GET", "/rest/v1/activities/types.json")}
    assert types[13]["name"] == "Change Data Value"
    assert [a["name"] for a in types[13]["attributes"]] == [
        "Attribute Name",
        "Old Value",
        "New Value",
        "Reason",
        "Source",
    ]
    start = rest.get("/rest/v1/activities/pagingtoken.json", sinceDatetime="2000-01-01T00:00:00Z")
    [lead] = sync(rest, [{"email": "s@x.test", "firstName": "Sam"}])
    sync(rest, [{"email": "s@x.test", "firstName": "Samuel"}])
    body = rest.get(
        "/rest/v1/activities.json", activityTypeIds="12,13", nextPageToken=start["nextPageToken"]
    )
    assert body["moreResult"] is False
    records = body["result"]
    assert [(r["activityTypeId"], r["leadId"]) for r in records] == [
        (12, lead["id"]),
        (13, lead["id"]),
        (13, lead["id"]),
        (13, lead["id"]),
    ]
    last = records[-1]
    assert last["primaryAttributeValue"] == "First Name"
    assert last["attributes"] == [
        {"name": "Attribute Name", "value": "First Name"},
        {"name": "Old Value", "value": "Sam"},
        {"name": "New Value", "value": "Samuel"},
        {"name": "Reason", "value": "Web service API"},
        {"name": "Source", "value": "Web service API"},
        {"name": "Lead ID", "value": lead["id"]},
    ]
    assert last["marketoGUID"] == str(last["id"])
    again = rest.get(
        "/rest/v1/activities.json", activityTypeIds="12,13", nextPageToken=body["nextPageToken"]
    )
    assert again["result"] == [] and again["moreResult"] is False
    changes = rest.get(
        "/rest/v1/activities/leadchanges.json",
        fields="firstName",
        nextPageToken=start["nextPageToken"],
    )
    rows = [(r["activityTypeId"], r["fields"]) for r in changes["result"]]
    assert rows[0] == (12, [])
    assert [f for _, f in rows[1:]] == [
        [{"id": rows[1][1][0]["id"], "name": "firstName", "newValue": "Sam", "oldValue": None}],
        [{"id": rows[1][1][0]["id"], "name": "firstName", "newValue": "Samuel", "oldValue": "Sam"}],
    ]
    assert error_code(rest.get("/rest/v1/activities.json", activityTypeIds="12")) == "701"
    assert (
        error_code(
            rest.get("/rest/v1/activities.json", activityTypeIds="12", nextPageToken="garbage")
        )
        == "1003"
    )


def test_campaigns_trigger_and_schedule(rest: Rest, store: Store) -> None:
    program = store.add_program(DEFAULT_INSTANCE, "Launch", None, (), 0)
    trigger = store.add_campaign(DEFAULT_INSTANCE, "Welcome", "Launch", "hi", True, 0)
    batch = store.add_campaign(DEFAULT_INSTANCE, "Monthly", "Launch", "", False, 0)
    [a] = _leads(rest, "c@x.test")
    listed = rest.ok("GET", "/rest/v1/campaigns.json")
    assert [(c["id"], c["type"], c["programId"]) for c in listed] == [
        (trigger, "trigger", program),
        (batch, "batch", program),
    ]
    assert rest.ok(
        "POST",
        f"/rest/v1/campaigns/{trigger}/trigger.json",
        json={"input": {"leads": [{"id": a}], "tokens": [{"name": "{{my.x}}", "value": "1"}]}},
    ) == [{"id": trigger}]
    assert rest.ok(
        "POST",
        f"/rest/v1/campaigns/{batch}/schedule.json",
        json={"input": {"runAt": "2030-01-01T00:00:00Z"}},
    ) == [{"id": batch}]
    runs = store.campaign_runs(DEFAULT_INSTANCE)
    assert [(r.kind.value, r.lead_ids, r.tokens) for r in runs] == [
        ("requested", (a,), (("{{my.x}}", "1"),)),
        ("scheduled", (), ()),
    ]
    [made] = rest.ok("GET", "/rest/asset/v1/programs.json")
    assert (made["id"], made["name"]) == (program, "Launch")
    body = rest.post(
        f"/rest/v1/campaigns/{trigger}/trigger.json", {"input": {"leads": [{"id": 999999}]}}
    )
    assert error_code(body) == "1004"
    assert (
        error_code(
            rest.post("/rest/v1/campaigns/777/trigger.json", {"input": {"leads": [{"id": a}]}})
        )
        == "1013"
    )


def test_custom_objects(rest: Rest, store: Store) -> None:
    store.add_object_type(
        DEFAULT_INSTANCE,
        ObjectType(0, "Car", ("VIN",), (("VIN", FieldType.STRING), ("Miles", FieldType.INTEGER))),
        0,
    )
    [a] = _leads(rest, "o@x.test")
    [described] = rest.ok("GET", "/rest/v1/customobjects/Car/describe.json")
    assert described["dedupeFields"] == ["leadId", "VIN"]
    synced = rest.ok(
        "POST",
        "/rest/v1/customobjects/Car.json",
        json={"input": [{"leadId": a, "VIN": "V1", "Miles": 10}, {"leadId": 999999, "VIN": "V2"}]},
    )
    assert synced[0]["status"] == "created" and synced[0]["seq"] == 0
    assert synced[1] == {
        "seq": 1,
        "status": "skipped",
        "reasons": [{"code": "1004", "message": synced[1]["reasons"][0]["message"]}],
    }
    [found] = rest.ok(
        "GET",
        "/rest/v1/customobjects/Car.json",
        params={"filterType": "leadId", "filterValues": str(a)},
    )
    assert (found["marketoGUID"], found["VIN"], found["Miles"]) == (
        synced[0]["marketoGUID"],
        "V1",
        10,
    )
    deleted = rest.ok(
        "POST",
        "/rest/v1/customobjects/Car/delete.json",
        json={"input": [{"leadId": a, "VIN": "V1"}]},
    )
    assert deleted == [{"seq": 0, "marketoGUID": found["marketoGUID"], "status": "deleted"}]
    assert [t["name"] for t in rest.ok("GET", "/rest/v1/customobjects.json")] == ["Car"]


def test_instances_never_meet(rest: Rest, store: Store) -> None:
    store.add_instance("acme")
    add_client(store, "acme-client", "acme-id", CLIENT_SECRET, "acme")
    other = Rest(rest.http, token(rest.http, "acme-id"))
    [mine] = _leads(rest, "same@x.test")
    [theirs] = _leads(other, "same@x.test")
    assert mine != theirs  # the same email, a lead in each instance
    assert rest.ok("GET", f"/rest/v1/lead/{theirs}.json") == []
    assert [lead.id for lead in store.iter_leads("acme")] == [theirs]
