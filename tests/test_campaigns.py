"""getCampaignsForSource, requestCampaign and scheduleCampaign over the wire, on both
stores: Marketo's parameter rules and faults, the runs recorded, the activities."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.testclient import TestClient

from leadsync.campaigns import RunKind
from leadsync.lists import Channel
from leadsync.store import Store
from tests.soap import answer_of, fault_code, read_statuses, sync_request

URL = "/soap/mktows/2_2"


def _campaigns(store: Store) -> dict[str, int]:
    store.add_program("default", "Onboarding", None, (), 1)
    store.add_program("default", "Batch Program", None, (), 1)
    return {
        "welcome": store.add_campaign("default", "Welcome Trigger", "Onboarding", "Hi", True, 1),
        "nurture": store.add_campaign("default", "Nurture", "Onboarding", "", True, 1),
        "batch": store.add_campaign("default", "Monthly", "Batch Program", "", False, 1),
    }


def _for_source(client: TestClient, extra: str = "") -> list[tuple[int, str, str]]:
    tree = answer_of(
        client,
        f"<ns1:paramsGetCampaignsForSource><source>MKTOWS</source>{extra}"
        "</ns1:paramsGetCampaignsForSource>",
    )
    records = [
        (int(r.findtext("id") or 0), r.findtext("name") or "", r.findtext("description") or "")
        for r in tree.iter("campaignRecord")
    ]
    assert tree.findtext(".//returnCount") == str(len(records))
    return records


def _keys(*emails: str) -> str:
    return "".join(
        f"<leadKey><keyType>EMAIL</keyType><keyValue>{e}</keyValue></leadKey>" for e in emails
    )


def _request(inner: str) -> str:
    return f"<ns1:paramsRequestCampaign>{inner}</ns1:paramsRequestCampaign>"


def test_campaigns_for_source_lists_requestable_ones_by_name(
    client: TestClient, store: Store
) -> None:
    ids = _campaigns(store)
    assert _for_source(client) == [
        (ids["nurture"], "Onboarding.Nurture", ""),
        (ids["welcome"], "Onboarding.Welcome Trigger", "Hi"),
    ]
    assert _for_source(client, "<name>trigger</name><exactName>false</exactName>") == [
        (ids["welcome"], "Onboarding.Welcome Trigger", "Hi")
    ]
    assert _for_source(client, "<name>Nurture</name><exactName>true</exactName>") == [
        (ids["nurture"], "Onboarding.Nurture", "")
    ]
    assert _for_source(client, "<name>Nurt</name><exactName>true</exactName>") == []
    bad = "<ns1:paramsGetCampaignsForSource><source>WEB</source></ns1:paramsGetCampaignsForSource>"
    assert fault_code(client, bad)[0] == 20110


def test_request_campaign_by_id_and_by_name_records_runs_and_activities(
    client: TestClient, store: Store
) -> None:
    ids = _campaigns(store)
    response = client.post(URL, content=sync_request([{"Email": "a@x.com"}, {"Email": "b@x.com"}]))
    ann, bo = [lead_id for lead_id, _, _ in read_statuses(response.content)]
    by_id = _request(
        f"<source>MKTOWS</source><campaignId>{ids['welcome']}</campaignId>"
        f"<leadList>{_keys('a@x.com', 'nobody@x.com', 'b@x.com')}</leadList>"
    )
    assert answer_of(client, by_id).findtext(".//success") == "true"
    by_name = _request(
        f"<source>MKTOWS</source><leadList>{_keys('b@x.com')}</leadList>"
        "<programName>Onboarding</programName><campaignName>Nurture</campaignName>"
        "<programTokenList><attrib><name>{{my.message}}</name><value>Hello</value></attrib>"
        "</programTokenList>"
    )
    assert answer_of(client, by_name).findtext(".//success") == "true"
    runs = store.campaign_runs("default")
    assert [(r.campaign, r.kind, r.lead_ids, r.tokens) for r in runs] == [
        ("Onboarding.Welcome Trigger", RunKind.REQUESTED, (ann, bo), ()),
        ("Onboarding.Nurture", RunKind.REQUESTED, (bo,), (("{{my.message}}", "Hello"),)),
    ]
    requested = [
        (a.lead_id, a.asset, a.campaign, a.values)
        for a in store.iter_activities("default")
        if a.kind_info.name == "Request Campaign"
    ]
    assert requested == [
        (ann, "Welcome Trigger", "Welcome Trigger", (str(ids["welcome"]), "Web Service API")),
        (bo, "Welcome Trigger", "Welcome Trigger", (str(ids["welcome"]), "Web Service API")),
        (bo, "Nurture", "Nurture", (str(ids["nurture"]), "Web Service API")),
    ]


def test_request_campaign_faults(client: TestClient, store: Store) -> None:
    ids = _campaigns(store)
    client.post(URL, content=sync_request([{"Email": "a@x.com"}]))
    leads = f"<leadList>{_keys('a@x.com')}</leadList>"
    cases = [
        (  # campaignId with campaignName
            f"<source>MKTOWS</source><campaignId>{ids['welcome']}</campaignId>{leads}"
            "<campaignName>Nurture</campaignName>",
            20110,
        ),
        (f"<source>MKTOWS</source>{leads}<campaignName>Nurture</campaignName>", 20110),
        (f"<source>MKTOWS</source><campaignId>999</campaignId>{leads}", 20113),
        (f"<source>MKTOWS</source><campaignId>{ids['batch']}</campaignId>{leads}", 20113),
        (
            f"<source>MKTOWS</source>{leads}<programName>Onboarding</programName>"
            "<campaignName>Nope</campaignName>",
            20113,
        ),
        (
            f"<source>MKTOWS</source><campaignId>{ids['welcome']}</campaignId>"
            f"<leadList>{_keys('nobody@x.com')}</leadList>",
            20103,
        ),
        (f"<source>MKTOWS</source><campaignId>{ids['welcome']}</campaignId>", 20109),
        (f"<campaignId>{ids['welcome']}</campaignId>{leads}", 20109),
        (f"<source>MKTOWS</source><campaignId>abc</campaignId>{leads}", 20110),
    ]
    for inner, code in cases:
        assert fault_code(client, _request(inner))[0] == code, inner
    assert store.campaign_runs("default") == []


def test_request_campaign_takes_the_first_100_leads(client: TestClient, store: Store) -> None:
    ids = _campaigns(store)
    emails = [f"l{i}@x.com" for i in range(101)]
    client.post(URL, content=sync_request([{"Email": e} for e in emails[:100]]))
    client.post(URL, content=sync_request([{"Email": emails[100]}]))
    body = _request(
        f"<source>MKTOWS</source><campaignId>{ids['welcome']}</campaignId>"
        f"<leadList>{_keys(*emails)}</leadList>"
    )
    assert answer_of(client, body).findtext(".//success") == "true"
    [run] = store.campaign_runs("default")
    assert run.lead_ids == tuple(range(1, 101))


def test_schedule_campaign_records_when_and_tokens(client: TestClient, store: Store) -> None:
    _campaigns(store)
    body = (
        "<ns1:paramsScheduleCampaign><programName>Batch Program</programName>"
        "<campaignName>Monthly</campaignName><campaignRunAt>2027-01-05T09:00:00-08:00"
        "</campaignRunAt><cloneToProgramName>Batch Copy</cloneToProgramName>"
        "<programTokenList><attrib><name>{{my.offer}}</name><value>10%</value></attrib>"
        "</programTokenList></ns1:paramsScheduleCampaign>"
    )
    assert answer_of(client, body).findtext(".//success") == "true"
    [run] = store.campaign_runs("default")
    expected_at = int(datetime(2027, 1, 5, 17, 0, tzinfo=UTC).timestamp() * 1_000_000)
    assert (run.campaign, run.kind, run.run_at, run.tokens, run.clone_to) == (
        "Batch Program.Monthly",
        RunKind.SCHEDULED,
        expected_at,
        (("{{my.offer}}", "10%"),),
        "Batch Copy",
    )
    missing = body.replace("Monthly", "Weekly")
    assert fault_code(client, missing) == (
        20113,
        "Campaign not found: no campaign Weekly in program Batch Program (20113)",
    )
    assert fault_code(client, "<ns1:paramsScheduleCampaign><programName>Batch Program"
                  "</programName></ns1:paramsScheduleCampaign>")[0] == 20109  # fmt: skip


def test_channels_and_tags(client: TestClient, store: Store) -> None:
    store.add_channel(
        "default", Channel.numbered(0, "Webinar", ["Invited", "Attended"], ["Attended"])
    )
    store.add_channel("default", Channel.numbered(0, "Blog", ["Read"], []))
    store.add_program("default", "Spring", "Webinar", [("Region", "EMEA"), ("Author", "Ann")], 1)
    store.add_program("default", "Fall", "Blog", [("Region", "North"), ("Region", "EMEA")], 1)
    tree = answer_of(client, "<ns1:paramsGetChannels/>")
    found = [
        (
            status.findtext("tagValue"),
            [
                [(a.findtext("name"), a.findtext("value")) for a in item.iter("attrib")]
                for item in status.iter("progressionStatusItem")
            ],
        )
        for status in tree.iter("tagStatus")
    ]
    assert found == [
        (
            "Webinar",
            [
                [("Status", "Invited"), ("Step", "10"), ("Success", "false")],
                [("Status", "Attended"), ("Step", "20"), ("Success", "true")],
            ],
        ),
        ("Blog", [[("Status", "Read"), ("Step", "10"), ("Success", "false")]]),
    ]
    only = answer_of(
        client,
        "<ns1:paramsGetChannels><tag><values><stringItem>Blog</stringItem><stringItem>Radio"
        "</stringItem></values></tag></ns1:paramsGetChannels>",
    )
    assert [t.findtext("tagValue") for t in only.iter("tagStatus")] == ["Blog"]

    def tags(body: str) -> list[tuple[str | None, list[str | None]]]:
        tree = answer_of(client, f"<ns1:paramsGetTags>{body}</ns1:paramsGetTags>")
        return [
            (t.findtext("type"), [v.text for v in t.iter("stringItem")]) for t in tree.iter("tag")
        ]

    assert tags("") == [("Region", ["EMEA", "North"]), ("Author", ["Ann"])]
    assert tags(
        "<tagList><tag><type>Region</type><values><stringItem>North</stringItem></values>"
        "</tag><tag><type>Colour</type></tag></tagList>"
    ) == [("Region", ["North"])]
