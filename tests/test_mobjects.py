"""syncMObjects, getMObjects and deleteMObjects over the wire, on both stores:
Opportunities and their lead roles, and Programs as MObjects."""

from __future__ import annotations

from lxml import etree
from starlette.testclient import TestClient

from leadsync.lists import Channel
from leadsync.store import Store
from tests.soap import answer_of, fault_code, read_statuses, sync_request

URL = "/soap/mktows/2_2"


def _attribs(*pairs: tuple[str, str]) -> str:
    return "".join(f"<attrib><name>{n}</name><value>{v}</value></attrib>" for n, v in pairs)


def _mobject(
    kind: str, *pairs: tuple[str, str], object_id: int | None = None, extra: str = ""
) -> str:
    ident = "" if object_id is None else f"<id>{object_id}</id>"
    attribs = f"<attribList>{_attribs(*pairs)}</attribList>"
    return f"<mObject><type>{kind}</type>{ident}{attribs}{extra}</mObject>"


def _sync(
    client: TestClient, objects: str, operation: str = "UPSERT"
) -> list[tuple[int, str, str | None]]:
    tree = answer_of(
        client,
        f"<ns1:paramsSyncMObjects><mObjectList>{objects}</mObjectList>"
        f"<operation>{operation}</operation></ns1:paramsSyncMObjects>",
    )
    return [
        (int(s.findtext("id") or 0), s.findtext("status") or "", s.findtext("error"))
        for s in tree.iter("mObjStatus")
    ]


def _get(client: TestClient, inner: str) -> etree._Element:
    result = answer_of(client, f"<ns1:paramsGetMObjects>{inner}</ns1:paramsGetMObjects>").find(
        ".//result"
    )
    assert result is not None
    return result


def _objects(result: etree._Element) -> list[tuple[int, dict[str, str | None]]]:
    return [
        (
            int(o.findtext("id") or 0),
            {a.findtext("name") or "": a.findtext("value") for a in o.findall("attribList/attrib")},
        )
        for o in result.iter("mObject")
    ]


def test_opportunities_and_roles(client: TestClient, store: Store) -> None:
    response = client.post(URL, content=sync_request([{"Email": "a@x.com"}, {"Email": "b@x.com"}]))
    ann, bo = [lead_id for lead_id, _, _ in read_statuses(response.content)]
    synced = _sync(
        client,
        _mobject(
            "Opportunity",
            ("Name", "Big deal"),
            ("Amount", "1000.5"),
            ("ExternalOpportunityId", "crm-1"),
        )
        + _mobject("Opportunity", ("Name", "Small"), ("Amount", "10"))
        + _mobject("Opportunity", ("Shoe", "9"))
        + _mobject("Opportunity", ("Amount", "lots")),
    )
    [(big, s1, _), (small, s2, _), third, fourth] = synced
    assert (s1, s2) == ("CREATED", "CREATED")
    assert third == (0, "FAILED", "Unknown attribute Shoe of Opportunity")
    assert fourth == (0, "FAILED", "bad value for Amount: 'lots' is not a valid float")
    assert _sync(client, _mobject("Opportunity", ("Stage", "Won"), object_id=big), "UPDATE") == [
        (big, "UPDATED", None)
    ]
    assert _sync(client, _mobject("Opportunity", ("Stage", "Won"), object_id=big)) == [
        (big, "UNCHANGED", None)
    ]
    assert _sync(client, _mobject("Opportunity", ("Name", "x"), object_id=999), "UPDATE")[0][
        1:
    ] == (
        "FAILED",
        "Opportunity 999 not found",
    )
    roles = _sync(
        client,
        _mobject(
            "OpportunityLeadRole",
            ("OpportunityId", str(big)),
            ("PersonId", str(ann)),
            ("Role", "Buyer"),
        )
        + _mobject("OpportunityPersonRole", ("OpportunityId", str(big)), ("PersonId", "999999"))
        + _mobject("OpportunityPersonRole", ("OpportunityId", "999"), ("PersonId", str(bo))),
    )
    assert [r[1:] for r in roles] == [
        ("CREATED", None),
        ("FAILED", "lead not found: no lead has id 999999"),
        ("FAILED", "Opportunity 999 not found"),
    ]
    by_amount = _get(
        client,
        "<type>Opportunity</type><mObjCriteriaList><mObjCriteria><attrName>Amount</attrName>"
        "<comparison>GT</comparison><attrValue>100</attrValue></mObjCriteria></mObjCriteriaList>",
    )
    assert (by_amount.findtext("returnCount"), by_amount.findtext("hasMore")) == ("1", "false")
    [(found_id, attrs)] = _objects(by_amount)
    assert found_id == big and attrs["Stage"] == "Won" and attrs["ExternalOpportunityId"] == "crm-1"
    by_key = _get(
        client,
        "<type>Opportunity</type><externalKey><name>ExternalOpportunityId</name><value>crm-1</value></externalKey>",
    )
    assert [i for i, _ in _objects(by_key)] == [big]
    of_lead = _get(
        client,
        "<type>Opportunity</type><mObjAssociationList><mObjAssociation><mObjType>Lead</mObjType>"
        f"<id>{ann}</id></mObjAssociation></mObjAssociationList>",
    )
    assert [i for i, _ in _objects(of_lead)] == [big]
    lead_roles = _get(
        client,
        "<type>OpportunityPersonRole</type><mObjAssociationList><mObjAssociation>"
        f"<mObjType>Opportunity</mObjType><id>{big}</id></mObjAssociation></mObjAssociationList>",
    )
    assert [a for _, a in _objects(lead_roles)] == [
        {"Role": "Buyer", "OpportunityId": str(big), "PersonId": str(ann)}
    ]
    deleted = answer_of(
        client,
        f"<ns1:paramsDeleteMObjects><mObjectList>{_mobject('Opportunity', object_id=big)}"
        f"{_mobject('Opportunity', object_id=big)}</mObjectList></ns1:paramsDeleteMObjects>",
    )
    assert [s.findtext("status") for s in deleted.iter("mObjStatus")] == ["DELETED", "FAILED"]
    assert _objects(_get(client, "<type>OpportunityPersonRole</type>")) == []
    assert [i for i, _ in _objects(_get(client, "<type>Opportunity</type>"))] == [small]


def test_programs_as_mobjects(client: TestClient, store: Store) -> None:
    store.add_channel("default", Channel.numbered(0, "Webinar", ["Invited"], []))
    program = store.add_program(
        "default", "Spring", "Webinar", [("Region", "EMEA")], 1, [("{{my.greeting}}", "Hello")]
    )
    tags = (
        "<typeAttribList><typeAttrib><attrType>Cost</attrType><attrList>"
        f"{_attribs(('Month', '2026-12-01'), ('Amount', '500'), ('Note', 'ads'))}</attrList>"
        "</typeAttrib><typeAttrib><attrType>Tag</attrType><attrList>"
        f"{_attribs(('Type', 'Region'), ('Value', 'APAC'))}</attrList></typeAttrib>"
        "</typeAttribList>"
    )
    assert _sync(
        client, f"<mObject><type>Program</type><id>{program}</id>{tags}</mObject>", "UPDATE"
    ) == [(program, "UPDATED", None)]
    assert (
        _sync(client, f"<mObject><type>Program</type><id>{program}</id></mObject>", "INSERT")[0][1]
        == "FAILED"
    )
    result = _get(
        client, f"<type>Program</type><id>{program}</id><includeDetails>true</includeDetails>"
    )
    [(found_id, attrs)] = _objects(result)
    assert found_id == program and attrs == {"Name": "Spring", "Type": "Marketing Program"}
    details = [
        (
            t.findtext("attrType"),
            {a.findtext("name"): a.findtext("value") for a in t.iter("attrib")},
        )
        for t in result.iter("typeAttrib")
    ]
    assert details == [
        ("Tag", {"Type": "Channel", "Value": "Webinar"}),
        ("Tag", {"Type": "Region", "Value": "APAC"}),
        ("Cost", {"Month": "2026-12-01", "Amount": "500", "Note": "ads"}),
        ("Token", {"Name": "{{my.greeting}}", "Value": "Hello"}),
    ]
    assert (
        fault_code(client, "<ns1:paramsGetMObjects><type>Planet</type></ns1:paramsGetMObjects>")[0]
        == 20110
    )


def test_get_mobjects_pages_100_at_a_time(client: TestClient, store: Store) -> None:
    deals = [_mobject("Opportunity", ("Name", f"Deal {i}")) for i in range(105)]
    assert [s[1] for s in _sync(client, "".join(deals[:100]))] == ["CREATED"] * 100
    assert [s[1] for s in _sync(client, "".join(deals[100:]))] == ["CREATED"] * 5
    too_many = "".join(deals[:101])
    assert fault_code(
        client,
        f"<ns1:paramsSyncMObjects><mObjectList>{too_many}</mObjectList><operation>UPSERT"
        "</operation></ns1:paramsSyncMObjects>",
    ) == (20110, "Bad parameter: 101 objects; at most 100 a call (20110)")
    first = _get(client, "<type>Opportunity</type>")
    assert (first.findtext("returnCount"), first.findtext("hasMore")) == ("100", "true")
    position = first.findtext("newStreamPosition")
    rest = _get(client, f"<type>Opportunity</type><streamPosition>{position}</streamPosition>")
    assert (rest.findtext("returnCount"), rest.findtext("hasMore")) == ("5", "false")
    assert [i for i, _ in _objects(first) + _objects(rest)] == list(range(1, 106))
    assert rest.findtext("newStreamPosition") == ""
    forged = "<type>Opportunity</type><streamPosition>abc</streamPosition>"
    assert (
        fault_code(client, f"<ns1:paramsGetMObjects>{forged}</ns1:paramsGetMObjects>")[0] == 20122
    )


def test_a_merge_moves_the_losers_roles(client: TestClient, store: Store) -> None:
    response = client.post(URL, content=sync_request([{"Email": "w@x.com"}, {"Email": "l@x.com"}]))
    win, lose = [lead_id for lead_id, _, _ in read_statuses(response.content)]
    [(deal, _, _)] = _sync(client, _mobject("Opportunity", ("Name", "Deal")))
    _sync(
        client,
        _mobject("OpportunityPersonRole", ("OpportunityId", str(deal)), ("PersonId", str(lose))),
    )
    key = "<attribute><attrName>IDNUM</attrName><attrValue>{}</attrValue></attribute>"
    merged = answer_of(
        client,
        f"<ns1:paramsMergeLeads><winningLeadKeyList>{key.format(win)}</winningLeadKeyList>"
        f"<losingLeadKeyLists><keyList>{key.format(lose)}</keyList></losingLeadKeyLists>"
        "</ns1:paramsMergeLeads>",
    )
    assert merged.findtext(".//status") == "MERGED"
    roles = _objects(_get(client, "<type>OpportunityPersonRole</type>"))
    assert [a["PersonId"] for _, a in roles] == [str(win)]
