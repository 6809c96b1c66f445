"""listOperation over the wire, on both stores: Marketo's answers for each operation,
strict mode, the list keys, and the Add to List / Remove from List activities."""

from __future__ import annotations

from lxml import etree
from starlette.testclient import TestClient

from leadsync.store import Store
from tests.soap import XSI, answer_of, envelope, fault_code, read_statuses, sync_request

URL = "/soap/mktows/2_2"


def _leads(client: TestClient, *emails: str) -> list[int]:
    response = client.post(URL, content=sync_request([{"Email": e} for e in emails]))
    return [lead_id for lead_id, _, _ in read_statuses(response.content)]


def _keys(*keys: tuple[str, str]) -> str:
    return "".join(
        f"<leadKey><keyType>{t}</keyType><keyValue>{v}</keyValue></leadKey>" for t, v in keys
    )


def _body(operation: str, list_name: str, keys: str, extra: str = "") -> str:
    # markety's order: strict before listKey
    return (
        f"<ns1:paramsListOperation>{extra}<listOperation>{operation}</listOperation>"
        f"<listKey><keyType>MKTOLISTNAME</keyType><keyValue>{list_name}</keyValue></listKey>"
        f"<listMemberList>{keys}</listMemberList></ns1:paramsListOperation>"
    )


def _operate(
    client: TestClient, operation: str, list_name: str, keys: str, extra: str = ""
) -> tuple[bool, list[tuple[str, str, bool]] | None]:
    response = client.post(URL, content=envelope(_body(operation, list_name, keys, extra)))
    assert response.status_code == 200, response.text
    result = etree.fromstring(response.content).find(".//result")
    assert result is not None
    status_list = result.find("statusList")
    assert status_list is not None
    if status_list.get(f"{{{XSI}}}nil") == "true":
        statuses = None
    else:
        statuses = [
            (
                s.findtext("leadKey/keyType") or "",
                s.findtext("leadKey/keyValue") or "",
                s.findtext("status") == "true",
            )
            for s in status_list.iter("leadStatus")
        ]
    return result.findtext("success") == "true", statuses


def test_add_check_and_remove_members(client: TestClient, store: Store) -> None:
    list_id = store.add_list("default", "Newsletter", None, 1)
    ann, bo = _leads(client, "ann@x.com", "bo@x.com")
    both = _keys(("IDNUM", str(ann)), ("EMAIL", "BO@x.com"))
    assert _operate(client, "ADDTOLIST", "Newsletter", both) == (True, None)
    assert _operate(client, "ADDTOLIST", "Newsletter", both) == (True, None)  # a set
    assert store.list_size(list_id) == 2
    check = _keys(("IDNUM", str(ann)), ("IDNUM", "999999"), ("EMAIL", "bo@x.com"))
    assert _operate(client, "ISMEMBEROFLIST", "Newsletter", check) == (
        False,
        [("IDNUM", str(ann), True), ("IDNUM", "999999", False), ("EMAIL", "bo@x.com", True)],
    )
    one = _keys(("IDNUM", str(ann)))
    assert _operate(client, "ISMEMBEROFLIST", "Newsletter", one) == (
        True,
        [("IDNUM", str(ann), True)],
    )
    assert _operate(client, "REMOVEFROMLIST", "Newsletter", one) == (True, None)
    assert _operate(client, "REMOVEFROMLIST", "Newsletter", one) == (
        False,
        [("IDNUM", str(ann), False)],
    )
    assert store.members_of(list_id, [ann, bo]) == {bo}
    kinds = [(a.kind, a.asset, a.values) for a in store.iter_activities("default", ann)]
    assert kinds[-2:] == [(24, "Newsletter", (str(list_id),)), (25, "Newsletter", (str(list_id),))]


def test_an_unknown_lead_is_a_false_status_and_strict_changes_nothing(
    client: TestClient, store: Store
) -> None:
    list_id = store.add_list("default", "VIP", None, 1)
    [ann] = _leads(client, "ann@x.com")
    keys = _keys(("IDNUM", str(ann)), ("EMAIL", "nobody@x.com"), ("SFDCLEADID", "00Q1"))
    expected = [
        ("IDNUM", str(ann), True),
        ("EMAIL", "nobody@x.com", False),
        ("SFDCLEADID", "00Q1", False),
    ]
    strict = "<strict>true</strict>"
    assert _operate(client, "ADDTOLIST", "VIP", keys, strict) == (False, expected)
    assert store.list_size(list_id) == 0
    assert _operate(client, "ADDTOLIST", "VIP", keys) == (False, expected)
    assert store.members_of(list_id, [ann]) == {ann}


def test_a_list_in_a_program_is_found_by_program_dot_name(client: TestClient, store: Store) -> None:
    store.add_program("default", "SMSProgram", None, (), 1)
    list_id = store.add_list("default", "listForTesting", "SMSProgram", 1)
    [ann] = _leads(client, "ann@x.com")
    keys = _keys(("IDNUM", str(ann)))
    assert _operate(client, "ADDTOLIST", "SMSProgram.listForTesting", keys) == (True, None)
    assert store.members_of(list_id, [ann]) == {ann}


def test_skip_activity_log_writes_no_activity(client: TestClient, store: Store) -> None:
    store.add_list("default", "Quiet", None, 1)
    [ann] = _leads(client, "ann@x.com")
    before = len(list(store.iter_activities("default", ann)))
    keys = _keys(("IDNUM", str(ann)))
    extra = "<skipActivityLog>true</skipActivityLog>"
    assert _operate(client, "ADDTOLIST", "Quiet", keys, extra) == (True, None)
    assert len(list(store.iter_activities("default", ann))) == before


def test_bad_list_operations_get_marketo_faults(client: TestClient, store: Store) -> None:
    store.add_list("default", "Newsletter", None, 1)
    one = _keys(("IDNUM", "1"))
    assert fault_code(client, _body("ADDTOLIST", "Nope", one)) == (
        20111,
        "List not found: no list named Nope (20111)",
    )
    assert fault_code(client, _body("MOVETOLIST", "Newsletter", one))[0] == 20110
    assert fault_code(client, _body("ADDTOLIST", "Newsletter", ""))[0] == 20109
    too_many = _keys(*[("IDNUM", str(i)) for i in range(1, 1002)])
    assert fault_code(client, _body("ADDTOLIST", "Newsletter", too_many)) == (
        20110,
        "Bad parameter: listMemberList has 1001 lead keys; the limit is 1000 (20110)",
    )
    sales = _body("ADDTOLIST", "Newsletter", one).replace("MKTOLISTNAME", "MKTOSALESUSERID")
    assert fault_code(client, sales) == (
        20110,
        "Bad parameter: listKey keyType MKTOSALESUSERID is not supported: use MKTOLISTNAME (20110)",
    )
    no_key = _body("ADDTOLIST", "Newsletter", "<leadKey><keyType>IDNUM</keyType></leadKey>")
    assert fault_code(client, no_key)[0] == 20101


def test_another_instance_does_not_see_the_list(client: TestClient, store: Store) -> None:
    store.add_instance("acme")
    store.add_list("acme", "Newsletter", None, 1)
    assert fault_code(client, _body("ADDTOLIST", "Newsletter", _keys(("IDNUM", "1"))))[0] == 20111


def _selector(inner: str) -> str:
    return f'<leadSelector xsi:type="ns1:StaticListSelector">{inner}</leadSelector>'


def test_static_list_selectors_page_the_members(client: TestClient, store: Store) -> None:
    store.add_program("default", "P", None, (), 1)
    list_id = store.add_list("default", "Members", "P", 1)
    ids = _leads(client, *[f"m{i}@x.com" for i in range(7)])
    members = ids[1::2] + ids[:1]  # 4 of the 7
    with store.write() as writer:
        writer.add_members(list_id, members, 1)
    for inner in (
        "<staticListName>Members</staticListName>",
        "<staticListName>P.Members</staticListName>",
        f"<staticListId>{list_id}</staticListId>",
    ):
        seen: list[int] = []
        position = ""
        while True:
            tree = answer_of(
                client,
                f"<ns1:paramsGetMultipleLeads>{_selector(inner)}{position}"
                "<batchSize>3</batchSize></ns1:paramsGetMultipleLeads>",
            )
            seen += [int(r.findtext("Id") or 0) for r in tree.iter("leadRecord")]
            token = tree.findtext(".//newStreamPosition")
            if not token:
                break
            position = f"<streamPosition>{token}</streamPosition>"
        assert seen == sorted(members), inner
    changes = answer_of(
        client,
        "<ns1:paramsGetLeadChanges><startPosition><offset>ID:0</offset></startPosition>"
        "<activityNameFilter><stringItem>New Lead</stringItem></activityNameFilter>"
        f"{_selector('<staticListName>Members</staticListName>')}<batchSize>100</batchSize>"
        "</ns1:paramsGetLeadChanges>",
    )
    assert sorted(
        int(r.findtext("mktPersonId") or 0) for r in changes.iter("leadChangeRecord")
    ) == sorted(members)
    for params in ("paramsGetMultipleLeads", "paramsGetLeadChanges"):
        start = (
            "<startPosition><offset>ID:0</offset></startPosition>" if "Changes" in params else ""
        )
        body = (
            f"<ns1:{params}>{start}{_selector('<staticListId>999</staticListId>')}</ns1:{params}>"
        )
        assert fault_code(client, body) == (20111, "List not found: no list id 999 (20111)")
