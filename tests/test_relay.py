"""Relay mode over real sockets: a relay server answers SOAP calls by calling an upstream
leadsync's REST API (a second server process, on its own store); leads land upstream with
the right keys and names, reads come back from upstream, and what REST cannot express is
20019."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from lxml import etree

from leadsync import Client
from leadsync.custom_objects import ObjectType
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
    server = ServerProcess(_upstream_store(tmp_path)).start()
    yield server, server.db
    server.stop()


def _upstream_store(tmp_path: Path) -> str:
    db = str(tmp_path / "upstream.db")
    store = SqliteStore(db)
    add_client(store)
    store.add_field(
        DEFAULT_INSTANCE, FieldDef("ExternalId", FieldType.STRING, True, 0, "externalId", "X")
    )
    store.add_list(DEFAULT_INSTANCE, "Webinar", None, 0)
    store.add_program(DEFAULT_INSTANCE, "Launch", None, (), 0)
    store.add_campaign(DEFAULT_INSTANCE, "Welcome", "Launch", "hello", True, 0)
    store.add_campaign(DEFAULT_INSTANCE, "Monthly", "Launch", "", False, 0)
    car = ObjectType(0, "Car", ("VIN",), (("VIN", FieldType.STRING), ("Miles", FieldType.INTEGER)))
    store.add_object_type(DEFAULT_INSTANCE, car, 0)
    store.close()
    return db


def start_relay(
    tmp_path: Path, upstream: ServerProcess, name: str, *extra: str
) -> tuple[ServerProcess, str]:
    """A relay process (its own store with the demo user) in front of ``upstream``,
    started with ``extra`` options; the server and its store's path."""
    db = str(tmp_path / f"{name}.db")
    store = SqliteStore(db)
    store.add_user(DEMO_USER, DEMO_SECRET)
    store.close()
    secret = tmp_path / f"{name}-secret"
    secret.write_text(CLIENT_SECRET + "\n")
    args = (
        "--upstream", upstream.base_url,
        "--upstream-client-id", CLIENT_ID,
        "--upstream-client-secret-file", str(secret),
        *extra,
    )  # fmt: skip
    return ServerProcess(db, args).start(), db


@pytest.fixture
def relay(tmp_path: Path, upstream: tuple[ServerProcess, str]) -> Iterator[ServerProcess]:
    server, _ = start_relay(
        tmp_path, upstream[0], "relay", "--upstream-foreign-id-field", "externalId"
    )
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
        described = {f.name for f in soap.describe_mobject("LeadRecord")}
        assert {"FirstName", "ExternalId"} <= described  # the upstream's own custom field
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


def _soap(relay: ServerProcess, body: str) -> etree._Element:
    answer = httpx.post(
        relay.endpoint, content=envelope(body), headers={"Content-Type": "text/xml"}
    )
    assert answer.status_code == 200, answer.text
    return etree.fromstring(answer.content)


def _renamed(relay: ServerProcess, email: str, first: str, then: str) -> int:
    """A lead created through the relay with FirstName ``first``, then renamed: its id."""
    with Client(relay.endpoint, DEMO_USER, DEMO_SECRET) as soap:
        [made] = soap.sync_multiple_leads([{"Email": email, "FirstName": first}])
        soap.sync_multiple_leads([{"Email": email, "FirstName": then}])
    return made.lead_id


def _keys(*keys: tuple[str, str]) -> str:
    return "".join(
        f"<leadKey><keyType>{t}</keyType><keyValue>{v}</keyValue></leadKey>" for t, v in keys
    )


def _list_operation(relay: ServerProcess, operation: str, keys: str) -> etree._Element:
    return _soap(
        relay,
        f"<ns1:paramsListOperation><listOperation>{operation}</listOperation><listKey>"
        "<keyType>MKTOLISTNAME</keyType><keyValue>Webinar</keyValue></listKey>"
        f"<listMemberList>{keys}</listMemberList></ns1:paramsListOperation>",
    )


def test_lists_campaigns_and_merge_go_upstream(
    relay: ServerProcess, upstream: tuple[ServerProcess, str]
) -> None:
    with Client(relay.endpoint, DEMO_USER, DEMO_SECRET) as soap:
        made = soap.sync_multiple_leads([{"Email": "l1@relay.test"}, {"Email": "l2@relay.test"}])
    first, second = (r.lead_id for r in made)
    added = _list_operation(
        relay, "ADDTOLIST", _keys(("EMAIL", "l1@relay.test"), ("IDNUM", "999999"))
    )
    assert added.findtext(".//result/success") == "false"
    statuses = [
        (s.findtext("leadKey/keyValue"), s.findtext("status"))
        for s in added.iterfind(".//statusList/leadStatus")
    ]
    assert statuses == [("l1@relay.test", "true"), ("999999", "false")]
    asked = _list_operation(
        relay, "ISMEMBEROFLIST", _keys(("IDNUM", str(first)), ("IDNUM", str(second)))
    )
    assert [s.findtext("status") for s in asked.iterfind(".//statusList/leadStatus")] == [
        "true",
        "false",
    ]
    found = _soap(
        relay,
        "<ns1:paramsGetCampaignsForSource><source>MKTOWS</source>"
        "</ns1:paramsGetCampaignsForSource>",
    )
    assert [c.findtext("name") for c in found.iterfind(".//campaignRecord")] == ["Launch.Welcome"]
    campaign_id = found.findtext(".//campaignRecord/id")
    requested = _soap(
        relay,
        f"<ns1:paramsRequestCampaign><source>MKTOWS</source><campaignId>{campaign_id}</campaignId>"
        f"<leadList>{_keys(('IDNUM', str(first)))}</leadList></ns1:paramsRequestCampaign>",
    )
    assert requested.findtext(".//result/success") == "true"
    scheduled = _soap(
        relay,
        "<ns1:paramsScheduleCampaign><programName>Launch</programName><campaignName>Monthly"
        "</campaignName><campaignRunAt>2030-01-01T00:00:00Z</campaignRunAt>"
        "</ns1:paramsScheduleCampaign>",
    )
    assert scheduled.findtext(".//result/success") == "true"
    merged = _soap(
        relay,
        "<ns1:paramsMergeLeads><winningLeadKeyList><attribute><attrName>IDNUM</attrName>"
        f"<attrValue>{first}</attrValue></attribute></winningLeadKeyList><losingLeadKeyLists>"
        "<keyList><attribute><attrName>EMAIL</attrName><attrValue>l2@relay.test</attrValue>"
        "</attribute></keyList></losingLeadKeyLists></ns1:paramsMergeLeads>",
    )
    assert merged.findtext(".//mergeStatus/status") == "MERGED"
    store = open_store(upstream[1], create=False)
    try:
        [webinar] = [item for item in store.list_lists(DEFAULT_INSTANCE) if item.name == "Webinar"]
        assert store.members_of(webinar.id, [first, second]) == {first}
        runs = store.campaign_runs(DEFAULT_INSTANCE)
        assert [(r.kind.value, r.lead_ids) for r in runs] == [
            ("requested", (first,)),
            ("scheduled", ()),
        ]
        assert [lead.id for lead in store.iter_leads(DEFAULT_INSTANCE)] == [first]
    finally:
        store.close()


def test_history_reads_the_upstream_stream(relay: ServerProcess) -> None:
    made = _renamed(relay, "h@relay.test", "Hal", "Hank")
    activity = _soap(
        relay,
        "<ns1:paramsGetLeadActivity><leadKey><keyType>EMAIL</keyType><keyValue>h@relay.test"
        "</keyValue></leadKey></ns1:paramsGetLeadActivity>",
    )
    records = [
        (r.findtext("activityType"), r.findtext("mktgAssetName"))
        for r in activity.iterfind(".//activityRecordList/activityRecord")
    ]
    assert records == [
        ("Change Data Value", "First Name"),
        ("Change Data Value", "First Name"),
        ("Change Data Value", "Email Address"),
        ("New Lead", None),
    ]
    assert activity.findtext(".//leadActivityList/returnCount") == "4"
    changes = _soap(
        relay,
        "<ns1:paramsGetLeadChanges><startPosition><oldestCreatedAt>2000-01-01T00:00:00Z"
        "</oldestCreatedAt></startPosition><activityNameFilter><stringItem>Change Data Value"
        "</stringItem></activityNameFilter><batchSize>2</batchSize></ns1:paramsGetLeadChanges>",
    )
    rows = [
        (r.findtext("mktPersonId"), r.findtext("activityType"))
        for r in changes.iterfind(".//leadChangeRecordList/leadChangeRecord")
    ]
    assert rows == [(str(made), "Change Data Value")] * 2
    assert changes.findtext(".//result/remainingCount") == "1"
    offset = changes.findtext(".//newStartPosition/offset")
    more = _soap(
        relay,
        f"<ns1:paramsGetLeadChanges><startPosition><offset>{offset}</offset></startPosition>"
        "<activityNameFilter><stringItem>Change Data Value</stringItem></activityNameFilter>"
        "<batchSize>2</batchSize></ns1:paramsGetLeadChanges>",
    )
    assert [
        r.findtext("activityType")
        for r in more.iterfind(".//leadChangeRecordList/leadChangeRecord")
    ] == ["Change Data Value"]


def test_lead_changes_of_new_leads_and_changes_are_get_lead_changes(tmp_path: Path) -> None:
    # Asked for exactly what Get Lead Changes gives, getLeadChanges goes to that endpoint
    # (the upstream logs its calls by handler) and names fields by display name.
    upstream = ServerProcess(_upstream_store(tmp_path), ("--log-level", "info")).start()
    relay, _ = start_relay(tmp_path, upstream, "relay-changes")
    try:
        made = _renamed(relay, "c@relay.test", "Cy", "Cyd")
        changes = _soap(
            relay,
            "<ns1:paramsGetLeadChanges><startPosition><oldestCreatedAt>2000-01-01T00:00:00Z"
            "</oldestCreatedAt></startPosition><activityNameFilter><stringItem>New Lead"
            "</stringItem><stringItem>Change Data Value</stringItem></activityNameFilter>"
            "</ns1:paramsGetLeadChanges>",
        )
    finally:
        relay.stop()
        upstream.stop()
    rows = [
        (
            r.findtext("mktPersonId"),
            r.findtext("activityType"),
            r.findtext("mktgAssetName"),
            {
                a.findtext("attrName"): a.findtext("attrValue")
                for a in r.iterfind("activityAttributes/attribute")
            },
        )
        for r in changes.iterfind(".//leadChangeRecordList/leadChangeRecord")
    ]
    lead = str(made)
    assert [row[:3] for row in rows] == [
        (lead, "New Lead", ""),  # xsi:nil, as leadsync's own getLeadChanges
        (lead, "Change Data Value", "Email Address"),
        (lead, "Change Data Value", "First Name"),
        (lead, "Change Data Value", "First Name"),
    ]
    last = rows[-1][3]
    assert (last["Attribute Name"], last["Old Value"], last["New Value"]) == (
        "First Name",
        "Cy",
        "Cyd",
    )
    assert changes.findtext(".//result/remainingCount") == "0"
    handlers = [
        json.loads(line[line.index("{") :]).get("operation")
        for line in upstream.log.splitlines()
        if " leadsync.calls {" in line
    ]
    assert "get_lead_changes" in handlers
    assert "get_activities" not in handlers


def test_custom_objects_go_upstream(
    relay: ServerProcess, upstream: tuple[ServerProcess, str]
) -> None:
    with Client(relay.endpoint, DEMO_USER, DEMO_SECRET) as soap:
        [made] = soap.sync_multiple_leads([{"Email": "car@relay.test"}])
    lead = made.lead_id

    def obj(keys: str, attributes: str = "") -> str:
        return (
            f"<customObj><customObjKeyList>{keys}</customObjKeyList>"
            f"<customObjAttributeList>{attributes}</customObjAttributeList></customObj>"
        )

    def attr(name: str, value: str) -> str:
        return f"<attribute><attrName>{name}</attrName><attrValue>{value}</attrValue></attribute>"

    keys = attr("MKTOID", str(lead)) + attr("VIN", "V-1")
    synced = _soap(
        relay,
        "<ns1:paramsSyncCustomObjects><objTypeName>Car</objTypeName><customObjList>"
        + obj(keys, attr("Miles", "12"))
        + obj(attr("MKTOID", "999999") + attr("VIN", "V-2"))
        + "</customObjList><operation>UPSERT</operation></ns1:paramsSyncCustomObjects>",
    )
    assert [
        (s.findtext("status"), s.findtext("error"))
        for s in synced.iterfind(".//syncCustomObjStatus")
    ][0] == ("CREATED", "")  # xsi:nil: no text
    assert synced.findall(".//syncCustomObjStatus")[1].findtext("status") == "FAILED"
    got = _soap(
        relay,
        "<ns1:paramsGetCustomObjects><objTypeName>Car</objTypeName><customObjKeyList>"
        + attr("MKTOID", str(lead))
        + "</customObjKeyList></ns1:paramsGetCustomObjects>",
    )
    values = {a.findtext("attrName"): a.findtext("attrValue") for a in got.iterfind(".//attribute")}
    assert values["VIN"] == "V-1" and values["Miles"] == "12"
    deleted = _soap(
        relay,
        "<ns1:paramsDeleteCustomObjects><objTypeName>Car</objTypeName><customObjKeyLists>"
        f"<keyList>{keys}</keyList></customObjKeyLists></ns1:paramsDeleteCustomObjects>",
    )
    assert deleted.findtext(".//deleteCustomObjStatusList/syncCustomObjStatus/status") == "DELETED"
    store = open_store(upstream[1], create=False)
    try:
        [car] = store.object_types(DEFAULT_INSTANCE)
        assert store.page_objects(car.id, lead, [None], 0, 10)[0] == []
    finally:
        store.close()


def test_what_rest_cannot_carry_is_20019(relay: ServerProcess) -> None:
    body = "<ns1:paramsGetMObjects><type>Opportunity</type></ns1:paramsGetMObjects>"
    answer = httpx.post(
        relay.endpoint, content=envelope(body), headers={"Content-Type": "text/xml"}
    )
    assert answer.status_code == 500
    assert b"<code>20019</code>" in answer.content
    assert b"the relay does not carry the MObject operations" in answer.content


def test_relay_check_reports_what_works(
    tmp_path: Path, upstream: tuple[ServerProcess, str]
) -> None:
    secret = tmp_path / "s"
    secret.write_text(CLIENT_SECRET)
    base = [sys.executable, "-m", "leadsync", "relay", "check", "--upstream", upstream[0].base_url]
    good = subprocess.run(
        [*base, "--upstream-client-id", CLIENT_ID, "--upstream-client-secret-file", str(secret),
         "--upstream-foreign-id-field", "externalId"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert good.returncode == 0, good.stderr
    lines = good.stdout.splitlines()
    assert lines[0] == f"token:     ok ({upstream[0].base_url}/identity/oauth/token)"
    assert lines[1].startswith("describe:  ok (") and lines[1].endswith(" lead fields, 1 custom)")
    assert lines[2] == "foreign id: externalId found"
    secret.write_text("wrong")
    bad = subprocess.run(
        [*base, "--upstream-client-id", CLIENT_ID, "--upstream-client-secret-file", str(secret)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 1
    assert "token:     failed: Internal Error: the upstream refused the relay's credentials" in (
        bad.stderr
    )
    assert "wrong" not in bad.stdout + bad.stderr


def test_each_relayed_call_logs_its_upstream_request_ids(
    tmp_path: Path, upstream: tuple[ServerProcess, str]
) -> None:
    server, db = start_relay(tmp_path, upstream[0], "relay-log", "--log-level", "info")
    try:
        with Client(server.endpoint, DEMO_USER, DEMO_SECRET) as soap:
            soap.sync_multiple_leads([{"Email": "log@relay.test"}])
    finally:
        server.stop()
    calls = [
        json.loads(line[line.index("{") :])
        for line in server.log.splitlines()
        if " leadsync.calls {" in line
    ]
    [sync] = [c for c in calls if c.get("operation") == "syncMultipleLeads"]
    assert len(sync["upstream"]) == 1 and "#" in sync["upstream"][0]
    assert CLIENT_SECRET not in server.log


def test_relay_mirror_keeps_what_the_upstream_confirmed(
    tmp_path: Path, upstream: tuple[ServerProcess, str]
) -> None:
    server, db = start_relay(tmp_path, upstream[0], "mirror", "--relay-mirror")
    try:
        with Client(server.endpoint, DEMO_USER, DEMO_SECRET) as soap:
            made = soap.sync_multiple_leads(
                [
                    {"Email": "m@relay.test", "FirstName": "Mia"},
                    {"Email": "x@relay.test", "Shoe": "1"},
                ]
            )
            soap.sync_multiple_leads([{"Id": made[0].lead_id, "City": "Riga"}])
    finally:
        server.stop()
    local = SqliteStore(db)
    try:
        [lead] = list(local.iter_leads(DEFAULT_INSTANCE))
    finally:
        local.close()
    assert (lead.id, lead.email) == (made[0].lead_id, "m@relay.test")
    assert lead.attributes == {"FirstName": "Mia", "City": "Riga"}


def test_two_workers_share_one_upstream_token(
    tmp_path: Path, upstream: tuple[ServerProcess, str]
) -> None:
    server, db = start_relay(tmp_path, upstream[0], "shared", "--workers", "2")

    def tokens_issued() -> int:
        upstream_store = SqliteStore(upstream[1])
        try:
            [(count,)] = upstream_store._query("SELECT count(*) FROM rest_tokens")
        finally:
            upstream_store.close()
        return int(count)

    def calls(first: int) -> None:
        for n in range(first, first + 6):  # a connection each: dealt to both workers
            with Client(server.endpoint, DEMO_USER, DEMO_SECRET) as soap:
                [made] = soap.sync_multiple_leads([{"Email": f"w{n}@relay.test"}])
                assert made.status.value == "CREATED"

    try:
        calls(0)
        shared = tokens_issued()
        calls(6)
        # Two workers starting at once may each fetch one before either has shelved it;
        # after that every call of either uses the shelved token: no new one per call.
        assert tokens_issued() == shared
        assert shared in (1, 2)
    finally:
        server.stop()


def test_an_instance_with_its_own_upstream_beside_a_local_one(
    tmp_path: Path, upstream: tuple[ServerProcess, str]
) -> None:
    db = str(tmp_path / "mixed.db")
    secret = tmp_path / "secret"
    secret.write_text(CLIENT_SECRET)
    added = subprocess.run(
        [sys.executable, "-m", "leadsync", "instances", "add", "emea", "--db", db,
         "--upstream", upstream[0].base_url, "--upstream-client-id", CLIENT_ID,
         "--upstream-client-secret-file", str(secret)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert added.stdout == f"added instance emea\nupstream: {upstream[0].base_url}\n", added.stderr
    store = SqliteStore(db)
    store.add_user(DEMO_USER, DEMO_SECRET)  # the default instance: served locally
    store.add_user("emea_user", "emea-secret", "emea")
    store.close()
    server = ServerProcess(db).start()
    try:
        with Client(server.endpoint, "emea_user", "emea-secret") as soap:
            [relayed] = soap.sync_multiple_leads([{"Email": "emea@relay.test"}])
        with Client(server.endpoint, DEMO_USER, DEMO_SECRET) as soap:
            [local] = soap.sync_multiple_leads([{"Email": "home@relay.test"}])
    finally:
        server.stop()
    assert (relayed.status.value, local.status.value) == ("CREATED", "CREATED")
    up = SqliteStore(upstream[1])
    here = SqliteStore(db)
    try:
        assert [lead.email for lead in up.iter_leads()] == ["emea@relay.test"]
        assert [lead.email for lead in here.iter_leads()] == ["home@relay.test"]
    finally:
        up.close()
        here.close()
