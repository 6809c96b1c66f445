"""A lead's history over SOAP: the activities writes append, getLeadActivity and
getLeadChanges, on both stores, through the app."""

from __future__ import annotations

from typing import Any

from lxml import etree
from starlette.testclient import TestClient

from leadsync.store import Store
from tests.soap import (
    XSI,
    answer_of,
    fault_code,
    read_statuses,
    sync_request,
    yesterday,
)

URL = "/soap/mktows/2_2"
LEAD_UPDATE = ["SOAP API", "Lead update"]


def _sync(client: TestClient, records: list[dict[str, Any]]) -> list[tuple[int, str, str | None]]:
    response = client.post(URL, content=sync_request(records))
    assert response.status_code == 200, response.text
    return read_statuses(response.content)


def _records(tree: etree._Element, tag: str) -> list[dict[str, Any]]:
    found = []
    for record in tree.iter(tag):
        found.append(
            {
                "id": int(record.findtext("id") or 0),
                "type": record.findtext("activityType"),
                "asset": record.findtext("mktgAssetName"),
                "lead": int(record.findtext("mktPersonId") or 0),
                "attrs": [
                    (a.findtext("attrName"), a.findtext("attrValue"))
                    for a in record.iter("attribute")
                ],
            }
        )
    return found


def _activity(
    client: TestClient, key: str, extra: str = "", key_type: str = "IDNUM"
) -> etree._Element:
    return answer_of(
        client,
        f"<ns1:paramsGetLeadActivity><leadKey><keyType>{key_type}</keyType>"
        f"<keyValue>{key}</keyValue></leadKey>{extra}</ns1:paramsGetLeadActivity>",
    )


def _changes(client: TestClient, inner: str) -> etree._Element:
    return answer_of(client, f"<ns1:paramsGetLeadChanges>{inner}</ns1:paramsGetLeadChanges>")


def _change(name: str, old: str, new: str, lead: int) -> list[tuple[str, str]]:
    return [
        ("Attribute Name", name),
        ("Old Value", old),
        ("New Value", new),
        ("Reason", LEAD_UPDATE[0]),
        ("Source", LEAD_UPDATE[1]),
        ("Lead ID", str(lead)),
    ]


def test_a_created_then_updated_lead_has_its_history_newest_first(
    client: TestClient, store: Store
) -> None:
    [(lead, status, _)] = _sync(
        client, [{"Email": "ann@x.com", "attrs": {"FirstName": "Ann", "Company": "A"}}]
    )
    assert (lead, status) == (1, "CREATED")
    # FirstName sent unchanged writes nothing; Company changes; LastName is new.
    assert _sync(
        client,
        [{"Email": "ann@x.com", "attrs": {"FirstName": "Ann", "Company": "B", "LastName": "L"}}],
    ) == [(1, "UPDATED", None)]

    tree = _activity(client, "ann@x.com", key_type="EMAIL")
    listing = tree.find(".//leadActivityList")
    assert listing is not None
    assert (listing.findtext("returnCount"), listing.findtext("remainingCount")) == ("6", "0")
    [created] = [a for a in store.iter_activities("default") if a.kind == 12]
    day = created.values[2]
    assert _records(tree, "activityRecord") == [
        {
            "id": 6,
            "type": "Change Data Value",
            "asset": "Last Name",
            "lead": 1,
            "attrs": _change("Last Name", "", "L", 1),
        },
        {
            "id": 5,
            "type": "Change Data Value",
            "asset": "Company Name",
            "lead": 1,
            "attrs": _change("Company Name", "A", "B", 1),
        },
        {
            "id": 4,
            "type": "Change Data Value",
            "asset": "Company Name",
            "lead": 1,
            "attrs": _change("Company Name", "", "A", 1),
        },
        {
            "id": 3,
            "type": "Change Data Value",
            "asset": "First Name",
            "lead": 1,
            "attrs": _change("First Name", "", "Ann", 1),
        },
        {
            "id": 2,
            "type": "Change Data Value",
            "asset": "Email Address",
            "lead": 1,
            "attrs": _change("Email Address", "", "ann@x.com", 1),
        },
        {
            "id": 1,
            "type": "New Lead",
            "asset": None,
            "lead": 1,
            "attrs": [
                ("Source Type", "Web service API"),
                ("Source Info", "Web service API"),
                ("Created Date", day),
                ("Lead ID", "1"),
            ],
        },
    ]
    # An empty value is an empty element, the attribute type nil, as Marketo sent them.
    old = tree.find(".//activityRecord[id='6']/activityAttributes/attribute[2]")
    assert old is not None
    value, kind = old.find("attrValue"), old.find("attrType")
    assert value is not None and (value.text, len(value), len(value.attrib)) == (None, 0, 0)
    assert kind is not None and kind.get(f"{{{XSI}}}nil") == "true"


def test_a_failed_record_and_an_unchanged_one_write_no_activity(
    client: TestClient, store: Store
) -> None:
    _sync(client, [{"Email": "a@x.com", "attrs": {"Company": "A"}}])
    before = list(store.iter_activities("default"))
    assert _sync(
        client,
        [
            {"Email": "b@x.com", "attrs": {"NumberOfEmployees": "many"}},
            {"Email": "a@x.com", "attrs": {"Company": "A"}},
            {"Id": 99, "attrs": {"Company": "X"}},
        ],
    )[1] == (1, "UPDATED", None)
    assert list(store.iter_activities("default")) == before
    assert len(before) == 3  # New Lead, Email Address, Company Name


def test_get_lead_activity_filters_by_type(client: TestClient) -> None:
    _sync(client, [{"Email": "f@x.com", "attrs": {"Company": "A"}}])

    def types(extra: str) -> list[str | None]:
        return [r["type"] for r in _records(_activity(client, "1", extra), "activityRecord")]

    include = "<activityFilter><includeTypes><activityType>NewLead</activityType>"
    assert types(include + "</includeTypes></activityFilter>") == ["New Lead"]
    exclude = "<activityFilter><excludeTypes><activityType>NewLead</activityType>"
    assert types(exclude + "</excludeTypes></activityFilter>") == ["Change Data Value"] * 2
    web = "<activityFilter><includeTypes><activityType>VisitWebpage</activityType>"
    assert types(web + "</includeTypes></activityFilter>") == []
    assert types("<activityFilter><includeTypes /></activityFilter>") == [
        "Change Data Value",
        "Change Data Value",
        "New Lead",
    ]
    both = (
        "<activityFilter><includeTypes><activityType>NewLead</activityType></includeTypes>"
        "<excludeTypes><activityType>ChangeDataValue</activityType></excludeTypes>"
        "</activityFilter>"
    )
    body = "<ns1:paramsGetLeadActivity><leadKey><keyType>IDNUM</keyType><keyValue>1"
    assert fault_code(client, f"{body}</keyValue></leadKey>{both}</ns1:paramsGetLeadActivity>") == (
        20110,
        "Bad parameter: activityFilter takes includeTypes or excludeTypes, not both (20110)",
    )
    bogus = "<activityFilter><includeTypes><activityType>Bogus</activityType></includeTypes>"
    assert fault_code(
        client, f"{body}</keyValue></leadKey>{bogus}</activityFilter></ns1:paramsGetLeadActivity>"
    ) == (20107, "Activity key bad: 'Bogus' is not an ActivityType (20107)")


def test_get_lead_activity_of_an_unknown_lead_is_20103(client: TestClient) -> None:
    body = (
        "<ns1:paramsGetLeadActivity><leadKey><keyType>EMAIL</keyType>"
        "<keyValue>nobody@x.com</keyValue></leadKey></ns1:paramsGetLeadActivity>"
    )
    assert fault_code(client, body) == (20103, "No lead found with EMAIL = nobody@x.com (20103)")


def _seven(client: TestClient) -> list[int]:
    """A lead with 7 activities (ids 1..7); its ids newest first."""
    _sync(client, [{"Email": "p@x.com", "attrs": {"Company": "c0"}}])
    for i in range(1, 5):
        _sync(client, [{"Email": "p@x.com", "attrs": {"Company": f"c{i}"}}])
    return list(range(7, 0, -1))


def test_get_lead_activity_pages_by_offset_alone(client: TestClient) -> None:
    expected = _seven(client)
    seen: list[int] = []
    offset = ""
    while True:  # Talend: send back newStartPosition/offset while remainingCount > 0
        start = f"<startPosition><offset>{offset}</offset></startPosition>" if offset else ""
        tree = _activity(client, "1", f"{start}<batchSize>3</batchSize>")
        seen += [r["id"] for r in _records(tree, "activityRecord")]
        offset = tree.findtext(".//newStartPosition/offset") or ""
        if tree.findtext(".//remainingCount") == "0":
            break
    assert seen == expected
    assert offset == "ID:1"


def test_get_lead_activity_pages_with_the_whole_position_until_empty(client: TestClient) -> None:
    expected = _seven(client)
    seen: list[int] = []
    counts: list[str | None] = []
    # Marketo's own sample: empty latestCreatedAt and offset are absent.
    position = "<startPosition><latestCreatedAt /><offset /></startPosition>"
    while True:  # chapter-three: send back newStartPosition until returnCount is 0
        tree = _activity(client, "1", f"{position}<batchSize>3</batchSize>")
        counts.append(tree.findtext(".//returnCount"))
        if tree.findtext(".//returnCount") == "0":
            break
        seen += [r["id"] for r in _records(tree, "activityRecord")]
        returned = tree.find(".//newStartPosition")
        assert returned is not None
        position = etree.tostring(returned).decode().replace("newStartPosition", "startPosition")
    assert seen == expected
    assert counts == ["3", "3", "1", "0"]


def test_get_lead_activity_caps_batch_size_at_100_and_refuses_bad_positions(
    client: TestClient,
) -> None:
    _seven(client)
    tree = _activity(client, "1", "<batchSize>100000</batchSize>")
    assert tree.findtext(".//returnCount") == "7"
    assert fault_code(
        client,
        "<ns1:paramsGetLeadActivity><leadKey><keyType>IDNUM</keyType><keyValue>1</keyValue>"
        "</leadKey><startPosition><offset>yesterday</offset></startPosition>"
        "</ns1:paramsGetLeadActivity>",
    ) == (
        20122,
        "Bad stream position: offset 'yesterday' is not one this server issued (ID:n) (20122)",
    )
    for bad, message in (
        ("<batchSize>0</batchSize>", "Bad parameter: batchSize must be at least 1, not 0 (20110)"),
        (
            "<batchSize>99999999999</batchSize>",
            "Bad parameter: batchSize is out of range for xs:int: '99999999999' (20110)",
        ),
        (
            "<startPosition><oldestCreatedAt>soon</oldestCreatedAt></startPosition>",
            "Bad parameter: oldestCreatedAt must be an xs:dateTime such as "
            "2013-08-01T00:00:00-07:00, not 'soon' (20110)",
        ),
    ):
        body = (
            "<ns1:paramsGetLeadActivity><leadKey><keyType>IDNUM</keyType><keyValue>1</keyValue>"
            f"</leadKey>{bad}</ns1:paramsGetLeadActivity>"
        )
        assert fault_code(client, body) == (20110, message)


def test_get_lead_changes_streams_every_change_once_ids_ascending(client: TestClient) -> None:
    _sync(client, [{"Email": f"s{i}@x.com", "attrs": {"Company": "A"}} for i in range(4)])
    # 4 leads x (New Lead, Email Address, Company Name) = ids 1..12
    start = f"<startPosition><oldestCreatedAt>{yesterday()}</oldestCreatedAt></startPosition>"
    seen: list[int] = []
    position = start
    remaining: list[str | None] = []
    for _ in range(3):
        tree = _changes(client, f"{position}<batchSize>5</batchSize>")
        seen += [r["id"] for r in _records(tree, "leadChangeRecord")]
        remaining.append(tree.findtext(".//remainingCount"))
        returned = tree.find(".//newStartPosition")
        assert returned is not None
        assert returned.findtext("oldestCreatedAt") is not None
        position = etree.tostring(returned).decode().replace("newStartPosition", "startPosition")
    assert seen == list(range(1, 13))
    assert remaining == ["7", "2", "0"]
    # The stream's last position picks up what is written later, and only that.
    _sync(client, [{"Email": "s0@x.com", "attrs": {"Company": "B"}}])
    tree = _changes(client, f"{position}<batchSize>5</batchSize>")
    assert [(r["id"], r["asset"]) for r in _records(tree, "leadChangeRecord")] == [
        (13, "Company Name")
    ]


def test_get_lead_changes_filters_by_name_type_and_lead(client: TestClient) -> None:
    _sync(client, [{"Email": f"n{i}@x.com", "attrs": {"Company": "A"}} for i in range(3)])
    start = f"<startPosition><oldestCreatedAt>{yesterday()}</oldestCreatedAt></startPosition>"

    def ids(inner: str) -> list[tuple[int, int]]:
        tree = _changes(client, start + inner)
        return [(r["id"], r["lead"]) for r in _records(tree, "leadChangeRecord")]

    named = "<activityNameFilter><stringItem>New Lead</stringItem></activityNameFilter>"
    assert ids(named) == [(1, 1), (4, 2), (7, 3)]
    typed = "<activityFilter><excludeTypes><activityType>NewLead</activityType></excludeTypes>"
    assert ids(typed + "</activityFilter>") == [(2, 1), (3, 1), (5, 2), (6, 2), (8, 3), (9, 3)]
    selector = (
        '<leadSelector xsi:type="ns1:LeadKeySelector"><keyType>EMAIL</keyType><keyValues>'
        "<stringItem>N2@x.com</stringItem></keyValues></leadSelector>"
    )
    assert ids(selector) == [(7, 3), (8, 3), (9, 3)]
    too_many = "".join(f"<stringItem>{i}</stringItem>" for i in range(101))
    body = (
        f"<ns1:paramsGetLeadChanges>{start}"
        '<leadSelector xsi:type="ns1:LeadKeySelector"><keyType>IDNUM</keyType>'
        f"<keyValues>{too_many}</keyValues></leadSelector></ns1:paramsGetLeadChanges>"
    )
    assert fault_code(client, body) == (
        20110,
        "Bad parameter: 101 keys in the LeadKeySelector; at most 100 (20110)",
    )


def test_get_lead_changes_needs_a_start_and_refuses_foreign_offsets(client: TestClient) -> None:
    assert fault_code(client, "<ns1:paramsGetLeadChanges />") == (
        20109,
        "Parameter required: startPosition (20109)",
    )
    # getMultipleLeads' stream position is no change stream's offset.
    _sync(client, [{"Email": "o@x.com"}])
    paged = answer_of(
        client,
        '<ns1:paramsGetMultipleLeads><leadSelector xsi:type="ns1:LastUpdateAtSelector">'
        f"<oldestUpdatedAt>{yesterday()}</oldestUpdatedAt></leadSelector>"
        "<batchSize>1</batchSize></ns1:paramsGetMultipleLeads>",
    )
    _sync(client, [{"Email": "o2@x.com"}])
    lead_position = answer_of(
        client,
        '<ns1:paramsGetMultipleLeads><leadSelector xsi:type="ns1:LastUpdateAtSelector">'
        f"<oldestUpdatedAt>{yesterday()}</oldestUpdatedAt></leadSelector>"
        "<batchSize>1</batchSize></ns1:paramsGetMultipleLeads>",
    ).findtext(".//newStreamPosition")
    assert paged is not None and lead_position
    for offset in (lead_position, "garbage", "ID:x"):
        body = (
            f"<ns1:paramsGetLeadChanges><startPosition><offset>{offset}</offset>"
            "</startPosition></ns1:paramsGetLeadChanges>"
        )
        assert fault_code(client, body) == (
            20122,
            "Bad stream position: not one this server issued (20122)",
        )
    # Marketo's own form of offset: after that activity.
    tree = _changes(client, "<startPosition><offset>ID:2</offset></startPosition>")
    assert [r["id"] for r in _records(tree, "leadChangeRecord")] == [3, 4]


def test_histories_never_cross_instances(client: TestClient, store: Store) -> None:
    store.add_instance("acme")
    store.add_user("acme_user", "acme-key", instance="acme")
    _sync(client, [{"Email": "d@x.com"}])
    from tests.soap import auth_header

    body = sync_request([{"Email": "a@x.com"}]).decode()
    acme_sync = body.replace(
        body[body.index("<ns1:AuthenticationHeader>") : body.index("</SOAP-ENV:Header>")],
        auth_header("acme_user", "acme-key"),
    )
    assert client.post(URL, content=acme_sync).status_code == 200
    assert [(a.id, a.lead_id) for a in store.iter_activities("acme")] == [(3, 2), (4, 2)]
    start = f"<startPosition><oldestCreatedAt>{yesterday()}</oldestCreatedAt></startPosition>"
    tree = _changes(client, start)
    assert [(r["id"], r["lead"]) for r in _records(tree, "leadChangeRecord")] == [(1, 1), (2, 1)]
    assert fault_code(
        client,
        "<ns1:paramsGetLeadActivity><leadKey><keyType>IDNUM</keyType><keyValue>2</keyValue>"
        "</leadKey></ns1:paramsGetLeadActivity>",
    ) == (20103, "No lead found with IDNUM = 2 (20103)")
