"""marketorestpython (PyPI), a real third-party client of Marketo's REST API, against a
real ``leadsync serve``: its identity call, leads written, read, described and merged,
their activities and changes, list membership and a campaign request, each answer
compared exactly; and the SOAP/REST round trip with zeep on one store.

The library is driven in this process, as its README shows (``execute(method=...)``),
with its ``host`` pointed at the server. Its rate limiter waits 0.2 s between two calls
of one HTTP method, so the tests make only the calls they assert on. Flows that fail
because of the server stay asserted as Marketo answers (the library's source says what
it sends and expects).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from marketorestpython.client import MarketoClient

from leadsync.campaigns import RunKind
from leadsync.model import DEFAULT_INSTANCE
from leadsync.store import SqliteStore, Store
from tests.clients.harness import run_steps
from tests.rest import CLIENT_ID, CLIENT_SECRET, add_client
from tests.server import ServerProcess

pytestmark = pytest.mark.clients

MUNCHKIN_ID = "123-ABC-456"
REST = "Web service API"  # the Reason, Source, Source Type and Source Info of REST writes
FIRST_NAME_ID = 27  # firstName's number in Describe Leads


def leadsync(db: str, *args: str) -> str:
    """Run ``leadsync ARGS --db DB``; what it printed (exit 0 asserted)."""
    done = subprocess.run(
        [sys.executable, "-m", "leadsync", *args, "--db", db],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def made_id(output: str) -> int:
    """The id an ``add`` command printed: ``added list Newsletter (id 1)``."""
    found = re.search(r"\(id (\d+)\)", output)
    assert found is not None, output
    return int(found.group(1))


@pytest.fixture
def launch() -> Iterator[Callable[[str], ServerProcess]]:
    """Start a ``leadsync serve`` on a store (set up first); stopped after the test."""
    started: list[ServerProcess] = []

    def start(db: str) -> ServerProcess:
        started.append(ServerProcess(db).start())
        return started[-1]

    yield start
    for server in started:
        server.stop()


def marketo(server: ServerProcess) -> Any:
    """marketorestpython's client for the server, as a user points it at a pod."""
    client = MarketoClient(
        MUNCHKIN_ID,
        CLIENT_ID,
        CLIENT_SECRET,
        max_retry_time=10,  # a retryable error (606, 615, ...) fails in seconds, not 5 minutes
        requests_timeout=30,
    )
    client.host = server.base_url
    return client


class CallFailed(Exception):
    """A call the library gave up on: its name and Marketo's error {message, code}."""


def call(client: Any, method: str, **kwargs: Any) -> Any:
    """One of the library's calls, through ``execute`` as its README shows; a Marketo
    error it raises becomes ``CallFailed`` (without the library's long frames)."""
    try:
        return client.execute(method=method, **kwargs)
    except Exception as exc:
        if exc.args and isinstance(exc.args[0], dict):
            raise CallFailed(method, exc.args[0]) from None
        raise


def calls(client: Any, method: str, **kwargs: Any) -> tuple[Any, int]:
    """A call's result and how many HTTP requests the library made for it (pages)."""
    before = client.API_CALLS_MADE
    result = call(client, method, **kwargs)
    return result, client.API_CALLS_MADE - before


def skipped(lead_id: int, code: str, message: str) -> dict[str, Any]:
    """A record's answer when it was skipped, with its one reason."""
    return {"id": lead_id, "status": "skipped", "reasons": [{"code": code, "message": message}]}


def times(client: Any, lead_id: int) -> tuple[str, str]:
    """The lead's createdAt and updatedAt, as REST gives them."""
    [lead] = call(client, "get_lead_by_id", id=lead_id, fields=["createdAt", "updatedAt"])
    return lead["createdAt"], lead["updatedAt"]


def new_lead(lead_id: int, created_at: str) -> dict[str, Any]:
    """The New Lead activity (12) of a lead REST created, without its id."""
    return {
        "leadId": lead_id,
        "activityDate": created_at,
        "activityTypeId": 12,
        "attributes": [
            {"name": "Source Type", "value": REST},
            {"name": "Source Info", "value": REST},
            {"name": "Created Date", "value": created_at[:10]},
            {"name": "Lead ID", "value": lead_id},
        ],
    }


def changed(lead_id: int, date: str, field: str, new: str, old: str | None) -> dict[str, Any]:
    """A Change Data Value activity (13) of a REST write, without its id."""
    return {
        "leadId": lead_id,
        "activityDate": date,
        "activityTypeId": 13,
        "primaryAttributeValue": field,
        "attributes": [
            {"name": "Attribute Name", "value": field},
            *([] if old is None else [{"name": "Old Value", "value": old}]),
            {"name": "New Value", "value": new},
            {"name": "Reason", "value": REST},
            {"name": "Source", "value": REST},
            {"name": "Lead ID", "value": lead_id},
        ],
    }


def lead_change(
    activity: dict[str, Any], first_name: tuple[str, str | None] | None = None
) -> dict[str, Any]:
    """What Get Lead Changes with fields=firstName gives for an activity of Get Lead
    Activities: a New Lead with no fields, or a First Name change (new, old) in ``fields``
    without the attributes that named it."""
    shown = {k: v for k, v in activity.items() if k not in ("attributes", "primaryAttributeValue")}
    if first_name is None:
        return {**shown, "fields": [], "attributes": activity["attributes"]}
    new, old = first_name
    return {
        **shown,
        "fields": [{"id": FIRST_NAME_ID, "name": "firstName", "newValue": new, "oldValue": old}],
        "attributes": [
            {"name": "Reason", "value": REST},
            {"name": "Source", "value": REST},
            {"name": "Lead ID", "value": activity["leadId"]},
        ],
    }


def with_ids(ids: Iterable[int], records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Activity records given their ids (and marketoGUIDs) in front, as answered."""
    return [
        {"id": i, "marketoGUID": str(i), **record} for i, record in zip(ids, records, strict=True)
    ]


def assert_described(described: list[dict[str, Any]]) -> None:
    """Describe Leads' answer: the lead's own fields first, then the standard ones with
    their REST and SOAP names."""
    assert described[:3] == [
        {
            "id": 1,
            "displayName": "Id",
            "dataType": "integer",
            "rest": {"name": "id", "readOnly": True},
            "soap": {"name": "Id", "readOnly": True},
        },
        {
            "id": 2,
            "displayName": "Created At",
            "dataType": "datetime",
            "rest": {"name": "createdAt", "readOnly": True},
        },
        {
            "id": 3,
            "displayName": "Updated At",
            "dataType": "datetime",
            "rest": {"name": "updatedAt", "readOnly": True},
        },
    ]
    by_rest = {row["rest"]["name"]: row for row in described}
    assert by_rest["firstName"] == {
        "id": FIRST_NAME_ID,
        "displayName": "First Name",
        "dataType": "string",
        "length": 255,
        "rest": {"name": "firstName", "readOnly": False},
        "soap": {"name": "FirstName", "readOnly": False},
    }
    assert by_rest["email"]["dataType"] == "email"
    assert by_rest["leadScore"]["dataType"] == "integer"


@pytest.fixture
def rest_db(store: Store, db: str) -> str:
    """A fresh store on each back end with the REST client of tests/rest.py."""
    add_client(store)
    return db


@pytest.fixture
def sqlite_rest_db(sqlite_store: SqliteStore, db_path: str) -> str:
    """A fresh SQLite store with the demo user and the REST client of tests/rest.py."""
    add_client(sqlite_store)
    return db_path


def test_token_and_leads_written_read_and_described(
    rest_db: str, launch: Callable[[str], ServerProcess]
) -> None:
    client = marketo(launch(rest_db))
    client.authenticate()
    assert re.fullmatch(r"[0-9a-f]{32}:default", client.token), client.token
    assert (client.token_type, client.expires_in, client.scope) == (
        "bearer",
        3599,
        "tests@leadsync",
    )

    created = call(
        client,
        "create_update_leads",
        leads=[
            {"email": "ann@x.test", "firstName": "Ann", "lastName": "Lee"},
            {"email": "bo@x.test", "firstName": "Bo"},
            {"email": "cy@x.test", "firstName": "Cy", "leadScore": 7},
        ],
    )
    assert created == [
        {"id": 1, "status": "created"},
        {"id": 2, "status": "created"},
        {"id": 3, "status": "created"},
    ]
    again = call(
        client,
        "create_update_leads",
        leads=[{"email": "ann@x.test", "firstName": "Anna"}, {"email": "d@x.test", "noSuch": 1}],
        action="createOrUpdate",
        lookupField="email",
    )
    assert again == [
        {"id": 1, "status": "updated"},
        {"status": "skipped", "reasons": [{"code": "1006", "message": "Field 'noSuch' not found"}]},
    ]
    only_new = call(
        client, "create_update_leads", leads=[{"email": "bo@x.test"}], action="createOnly"
    )
    assert only_new == [
        {"status": "skipped", "reasons": [{"code": "1005", "message": "Lead already exists"}]}
    ]

    emails = ["ann@x.test", "bo@x.test", "cy@x.test"]
    by_email, requests = calls(
        client,
        "get_multiple_leads_by_filter_type",
        filterType="email",
        filterValues=emails,
        fields=["id", "email", "firstName", "lastName", "leadScore"],
        batchSize=2,
    )
    assert by_email == [
        {"id": 1, "email": "ann@x.test", "firstName": "Anna", "lastName": "Lee", "leadScore": None},
        {"id": 2, "email": "bo@x.test", "firstName": "Bo", "lastName": None, "leadScore": None},
        {"id": 3, "email": "cy@x.test", "firstName": "Cy", "lastName": None, "leadScore": 7},
    ]
    assert requests == 2  # two pages of at most 2, the second's nextPageToken followed
    by_id, requests = calls(
        client,
        "get_multiple_leads_by_filter_type",
        filterType="id",
        filterValues=["3", "1", "2", "999"],
        fields=["email"],
        batchSize=1,
    )
    assert (by_id, requests) == (
        [{"email": "ann@x.test"}, {"email": "bo@x.test"}, {"email": "cy@x.test"}],
        3,
    )

    [ann] = call(client, "get_lead_by_id", id=1)
    assert list(ann) == ["id", "updatedAt", "lastName", "email", "createdAt", "firstName"]
    created_at, updated_at = ann["createdAt"], ann["updatedAt"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created_at), ann
    assert created_at <= updated_at
    assert ann == {
        "id": 1,
        "updatedAt": updated_at,
        "lastName": "Lee",
        "email": "ann@x.test",
        "createdAt": created_at,
        "firstName": "Anna",
    }
    assert call(client, "get_lead_by_id", id=3, fields=["firstName", "leadScore"]) == [
        {"firstName": "Cy", "leadScore": 7}
    ]
    assert call(client, "get_lead_by_id", id=999) == []

    described = call(client, "describe")
    assert_described(described)

    [api_lead] = call(client, "describe2")
    fields = api_lead.pop("fields")
    assert api_lead == {
        "name": "API Lead",
        "description": "Map for API fields",
        "createdAt": api_lead["createdAt"],
        "updatedAt": api_lead["createdAt"],
        "idField": "id",
        "dedupeFields": ["email"],
        "searchableFields": [["id"], ["email"], ["cookies"]],
    }
    assert [f["name"] for f in fields] == [row["rest"]["name"] for row in described]
    assert {f["name"]: f for f in fields}["firstName"] == {
        "name": "firstName",
        "displayName": "First Name",
        "dataType": "string",
        "length": 255,
        "updateable": True,
        "crmManaged": False,
    }
    assert {f["name"]: f["updateable"] for f in fields}["id"] is False


def test_activities_and_lead_changes_of_the_leads_written(
    rest_db: str, launch: Callable[[str], ServerProcess]
) -> None:
    client = marketo(launch(rest_db))
    made = call(
        client,
        "create_update_leads",
        leads=[
            {"email": "ann@x.test", "firstName": "Ann"},
            {"email": "bo@x.test", "firstName": "Bo"},
        ],
    )
    assert made == [{"id": 1, "status": "created"}, {"id": 2, "status": "created"}]
    assert call(
        client, "create_update_leads", leads=[{"email": "ann@x.test", "firstName": "Anna"}]
    ) == [{"id": 1, "status": "updated"}]
    ann_created, ann_updated = times(client, 1)
    bo_created, _ = times(client, 2)

    # Every activity since the first lead's creation (to the second, as REST writes times).
    token = call(client, "get_paging_token", sinceDatetime=ann_created)
    assert isinstance(token, str) and token
    activities, requests = calls(
        client,
        "get_lead_activities",
        activityTypeIds=["12", "13"],
        nextPageToken=token,
        batchSize=2,
    )
    assert activities == with_ids(
        range(1, 8),
        [
            new_lead(1, ann_created),
            changed(1, ann_created, "Email Address", "ann@x.test", None),
            changed(1, ann_created, "First Name", "Ann", None),
            new_lead(2, bo_created),
            changed(2, bo_created, "Email Address", "bo@x.test", None),
            changed(2, bo_created, "First Name", "Bo", None),
            changed(1, ann_updated, "First Name", "Anna", "Ann"),
        ],
    )
    assert requests == 4  # pages of 2, 2, 2 and 1, until moreResult is false
    only_new = call(client, "get_lead_activities", activityTypeIds=["12"], nextPageToken=token)
    assert only_new == [activities[0], activities[3]]

    changes = call(client, "get_lead_changes", fields=["firstName"], nextPageToken=token)

    assert changes == [
        lead_change(activities[0]),
        lead_change(activities[2], ("Ann", None)),
        lead_change(activities[3]),
        lead_change(activities[5], ("Bo", None)),
        lead_change(activities[6], ("Anna", "Ann")),
    ]


def test_static_list_membership(
    sqlite_rest_db: str, launch: Callable[[str], ServerProcess]
) -> None:
    list_id = made_id(leadsync(sqlite_rest_db, "lists", "add", "Newsletter"))
    client = marketo(launch(sqlite_rest_db))
    made = call(
        client,
        "create_update_leads",
        leads=[{"email": f"{name}@x.test", "firstName": name} for name in ("ann", "bo", "cy")],
    )
    assert [m["id"] for m in made] == [1, 2, 3]

    assert call(client, "add_leads_to_list", listId=list_id, id=[1, 2, 999]) == [
        {"id": 1, "status": "added"},
        {"id": 2, "status": "added"},
        skipped(999, "1004", "Lead not found"),
    ]
    members, requests = calls(
        client,
        "get_multiple_leads_by_list_id",
        listId=list_id,
        fields=["id", "email", "firstName"],
        batchSize=1,
    )
    assert members == [
        {"id": 1, "email": "ann@x.test", "firstName": "ann"},
        {"id": 2, "email": "bo@x.test", "firstName": "bo"},
    ]
    assert requests == 2
    assert call(client, "remove_leads_from_list", listId=list_id, id=[2, 3]) == [
        {"id": 2, "status": "removed"},
        skipped(3, "1015", "Lead not in list"),
    ]
    assert call(client, "get_multiple_leads_by_list_id", listId=list_id, fields=["email"]) == [
        {"email": "ann@x.test"}
    ]
    # The library asks with POST ?_method=GET and the leads in a JSON body's input.
    assert call(client, "member_of_list", listId=list_id, id=[1, 2, 999]) == [
        {"id": 1, "status": "memberof"},
        {"id": 2, "status": "notmemberof"},
        skipped(999, "1004", "Lead not found"),
    ]


def test_request_campaign(
    sqlite_store: SqliteStore, sqlite_rest_db: str, launch: Callable[[str], ServerProcess]
) -> None:
    db = sqlite_rest_db
    leadsync(db, "programs", "add", "Onboarding", "--token", "{{my.greeting}}=Hello")
    campaign_id = made_id(leadsync(db, "campaigns", "add", "Welcome", "--program", "Onboarding"))
    client = marketo(launch(db))
    made = call(
        client, "create_update_leads", leads=[{"email": "ann@x.test"}, {"email": "bo@x.test"}]
    )
    assert [m["id"] for m in made] == [1, 2]
    assert call(client, "request_campaign", id=campaign_id, leads=[1]) is True
    assert (
        call(client, "request_campaign", id=campaign_id, leads=[1, 2], tokens={"my.greeting": "Hi"})
        is True
    )
    runs = [
        (r.campaign, r.kind, r.lead_ids, r.tokens, r.run_at)
        for r in sqlite_store.campaign_runs(DEFAULT_INSTANCE)
    ]
    assert runs == [
        ("Onboarding.Welcome", RunKind.REQUESTED, (1,), (), None),
        ("Onboarding.Welcome", RunKind.REQUESTED, (1, 2), (("{{my.greeting}}", "Hi"),), None),
    ]
    with pytest.raises(CallFailed) as refused:
        call(client, "request_campaign", id=999, leads=[1])
    assert refused.value.args == (
        "request_campaign",
        {"message": "Object not found: no campaign has id 999", "code": "1013"},
    )


def test_merge_lead(sqlite_rest_db: str, launch: Callable[[str], ServerProcess]) -> None:
    client = marketo(launch(sqlite_rest_db))
    made = call(
        client,
        "create_update_leads",
        leads=[
            {"email": "win@x.test", "firstName": "Wu"},
            {"email": "lose@x.test", "city": "Kyiv", "firstName": "Lo"},
        ],
    )
    assert made == [{"id": 1, "status": "created"}, {"id": 2, "status": "created"}]
    assert call(client, "merge_lead", id=1, leadIds=[2]) is True
    assert call(client, "get_lead_by_id", id=1, fields=["email", "firstName", "city"]) == [
        {"email": "win@x.test", "firstName": "Wu", "city": "Kyiv"}
    ]
    assert call(client, "get_lead_by_id", id=2) == []


def test_delete_lead(sqlite_rest_db: str, launch: Callable[[str], ServerProcess]) -> None:
    client = marketo(launch(sqlite_rest_db))
    made = call(client, "create_update_leads", leads=[{"email": "a@x.test"}, {"email": "b@x.test"}])
    assert made == [{"id": 1, "status": "created"}, {"id": 2, "status": "created"}]
    # The library sends DELETE /rest/v1/leads.json with the ids in a JSON body's input.
    assert call(client, "delete_lead", id=[1, 999]) == [
        {"id": 1, "status": "deleted"},
        skipped(999, "1004", "Lead not found"),
    ]
    assert call(client, "get_lead_by_id", id=1) == []
    assert call(client, "get_lead_by_id", id=2, fields=["email"]) == [{"email": "b@x.test"}]


def test_soap_writes_rest_reads_rest_writes_soap_reads(
    sqlite_rest_db: str, launch: Callable[[str], ServerProcess]
) -> None:
    leadsync(sqlite_rest_db, "fields", "add", "LoyaltyTier", "--type", "string")
    server = launch(sqlite_rest_db)
    client = marketo(server)
    zeep_rest = [sys.executable, "-m", "tests.clients.python.zeep_rest"]
    emails = ["rt-1@example.com", "rt-2@example.com"]

    steps, output = run_steps(server, "rt", [*zeep_rest, "write"])
    assert steps == {"write": {"statuses": [[1, "CREATED"], [2, "CREATED"]]}}, output
    read = call(
        client,
        "get_multiple_leads_by_filter_type",
        filterType="email",
        filterValues=emails,
        fields=["id", "email", "firstName", "lastName", "loyaltyTier"],
    )
    assert read == [
        {
            "id": 1,
            "email": "rt-1@example.com",
            "firstName": "Zoë",
            "lastName": "Ng",
            "loyaltyTier": "Gold",
        },
        {
            "id": 2,
            "email": "rt-2@example.com",
            "firstName": "Ålesund ☃",
            "lastName": "Berg",
            "loyaltyTier": "Silver",
        },
    ]

    written = call(
        client,
        "create_update_leads",
        leads=[
            {"email": "rt-1@example.com", "firstName": "Zoé", "loyaltyTier": "Platinum"},
            {"email": "rt-2@example.com", "loyaltyTier": "Gold"},
        ],
    )
    assert written == [{"id": 1, "status": "updated"}, {"id": 2, "status": "updated"}]
    steps, output = run_steps(server, "rt", [*zeep_rest, "read"])
    assert steps == {
        "read": {
            "leads": [
                {
                    "Id": 1,
                    "Email": "rt-1@example.com",
                    "ForeignSysPersonId": "crm-1",
                    "attributes": {"FirstName": "Zoé", "LastName": "Ng", "LoyaltyTier": "Platinum"},
                },
                {
                    "Id": 2,
                    "Email": "rt-2@example.com",
                    "ForeignSysPersonId": "crm-2",
                    "attributes": {
                        "FirstName": "Ålesund ☃",
                        "LastName": "Berg",
                        "LoyaltyTier": "Gold",
                    },
                },
            ]
        }
    }, output
