"""mergeLeads over the wire, on both stores: the winner keeps its values and takes what
it lacks, memberships and activities move, the losers are gone, failures change
nothing."""

from __future__ import annotations

from lxml import etree
from starlette.testclient import TestClient

from leadsync.store import Store
from tests.soap import XSI, answer_of, fault_code, read_statuses, sync_request

URL = "/soap/mktows/2_2"


def _sync(client: TestClient, records: list[dict[str, object]]) -> list[int]:
    response = client.post(URL, content=sync_request(records))
    return [lead_id for lead_id, _, _ in read_statuses(response.content)]


def _key_list(*keys: tuple[str, str]) -> str:
    return "".join(
        f"<attribute><attrName>{t}</attrName><attrValue>{v}</attrValue></attribute>"
        for t, v in keys
    )


def _merge(winner: str, *losers: str) -> str:
    lists = "".join(f"<keyList>{loser}</keyList>" for loser in losers)
    return (
        f"<ns1:paramsMergeLeads><winningLeadKeyList>{winner}</winningLeadKeyList>"
        f"<losingLeadKeyLists>{lists}</losingLeadKeyLists></ns1:paramsMergeLeads>"
    )


def _status(tree: etree._Element) -> tuple[int | None, list[int], str, str | None]:
    status = tree.find(".//mergeStatus")
    assert status is not None
    winner = status.findtext("winningLeadId")
    error = status.find("error")
    assert error is not None
    return (
        None if not winner else int(winner),
        [int(i.text or 0) for i in status.iter("integerItem")],
        status.findtext("status") or "",
        None if error.get(f"{{{XSI}}}nil") == "true" else error.text,
    )


def test_a_merge_keeps_the_winners_values_and_fills_the_rest(
    client: TestClient, store: Store
) -> None:
    win, lose1, lose2 = _sync(
        client,
        [
            {"Email": "win@x.com", "attrs": {"FirstName": "Ann", "Company": ""}},
            {
                "Email": "lose1@x.com",
                "attrs": {"FirstName": "Bo", "Company": "Acme", "Title": "CEO"},
            },
            {"ForeignSysPersonId": "crm-9", "attrs": {"Title": "CTO", "Phone": "555"}},
        ],
    )
    newsletter = store.add_list("default", "Newsletter", None, 1)
    vip = store.add_list("default", "VIP", None, 1)
    with store.write() as writer:
        writer.add_members(newsletter, [win, lose1], 1)
        writer.add_members(vip, [lose2], 1)
    before = {a.id for a in store.iter_activities("default", lose1)}
    tree = answer_of(
        client,
        _merge(_key_list(("IDNUM", str(win))), _key_list(("EMAIL", "lose1@x.com")),
               _key_list(("IDNUM", str(lose2)))),
    )  # fmt: skip
    assert _status(tree) == (win, [lose1, lose2], "MERGED", None)
    [lead] = store.read_leads("default", ids=[win])
    assert lead.attributes == {
        "FirstName": "Ann",
        "Company": "Acme",
        "Title": "CEO",
        "Phone": "555",
    }
    assert (lead.email, lead.foreign_sys_person_id) == ("win@x.com", "crm-9")
    assert store.read_leads("default", ids=[lose1, lose2]) == []
    assert store.members_of(newsletter, [win]) == {win}
    assert store.members_of(vip, [win]) == {win}
    assert store.list_size(newsletter) == 1
    mine = list(store.iter_activities("default", win))
    assert before <= {a.id for a in mine}  # the losers' history is the winner's now
    merged = [a for a in mine if a.kind_info.name == "Merge Leads"]
    assert [a.values for a in merged] == [(f"{lose1},{lose2}", "false")]
    filled = [(a.asset, a.values[1], a.values[2], a.values[4]) for a in mine if a.id > merged[0].id]
    assert filled == [
        ("Company Name", "", "Acme", "Merge Leads"),
        ("Job Title", None, "CEO", "Merge Leads"),
        ("Phone Number", None, "555", "Merge Leads"),
    ]
    gone = (
        "<ns1:paramsGetLead><leadKey><keyType>IDNUM</keyType>"
        f"<keyValue>{lose1}</keyValue></leadKey></ns1:paramsGetLead>"
    )
    assert fault_code(client, gone)[0] == 20103
    # the winner now answers to the loser's foreign id
    again = _sync(client, [{"ForeignSysPersonId": "crm-9", "attrs": {"Title": "CFO"}}])
    assert again == [win]


def test_a_failed_merge_changes_nothing(client: TestClient, store: Store) -> None:
    win, lose = _sync(client, [{"Email": "w@x.com"}, {"Email": "l@x.com", "attrs": {"Title": "T"}}])
    winner = _key_list(("IDNUM", str(win)))
    cases: list[tuple[str, tuple[int | None, list[int], str, str | None]]] = [
        (_merge(_key_list(("IDNUM", "999999")), _key_list(("IDNUM", str(lose)))),
         (None, [], "FAILED", "lead not found: no lead has IDNUM 999999 (winning lead)")),
        (_merge(winner, _key_list(("EMAIL", "nobody@x.com"))),
         (win, [], "FAILED", "lead not found: no lead has EMAIL nobody@x.com (losing lead 1)")),
        (_merge(winner, _key_list(("IDNUM", str(lose))), _key_list(("EMAIL", "w@x.com"))),
         (win, [], "FAILED", "a lead cannot be merged into itself")),
        (_merge(winner, _key_list(("SFDCLEADID", "00Q1"))),
         (win, [], "FAILED", "lead not found: no lead has SFDCLEADID 00Q1 (losing lead 1)")),
    ]  # fmt: skip
    for body, expected in cases:
        assert _status(answer_of(client, body)) == expected
    assert len(store.read_leads("default", ids=[win, lose])) == 2
    assert fault_code(client, _merge(winner))[0] == 20109
    no_value = _merge(winner, "<attribute><attrName>IDNUM</attrName></attribute>")
    assert fault_code(client, no_value)[0] == 20101
    many = _merge(winner, *[_key_list(("IDNUM", str(i))) for i in range(101)])
    assert fault_code(client, many) == (
        20110,
        "Bad parameter: 101 losing leads; at most 100 a call (20110)",
    )
