"""importToList and getImportToListStatus over the wire, on both stores: the job runs in
the background, upserts or only lists, clears, counts, and fails clearly."""

from __future__ import annotations

import time

from lxml import etree
from starlette.testclient import TestClient

from leadsync.store import Store
from tests.soap import answer_of, fault_code, read_statuses, sync_request

URL = "/soap/mktows/2_2"


def _import(
    header: str,
    rows: list[str],
    mode: str = "UPSERTLEADS",
    clear: str = "false",
    list_name: str = "Imported",
) -> str:
    items = "".join(f"<stringItem>{row}</stringItem>" for row in rows)
    return (
        "<ns1:paramsImportToList><programName>Trav-Demo-Program</programName>"
        f"<importFileHeader>{header}</importFileHeader><importFileRows>{items}</importFileRows>"
        f"<importListMode>{mode}</importListMode><listName>{list_name}</listName>"
        f'<clearList>{clear}</clearList><campaignName xsi:nil="true" /></ns1:paramsImportToList>'
    )


STATUS = (
    "<ns1:paramsGetImportToListStatus><programName>Trav-Demo-Program</programName>"
    "<listName>Imported</listName></ns1:paramsGetImportToListStatus>"
)


def _finished(client: TestClient) -> etree._Element:
    deadline = time.monotonic() + 30
    while True:
        result = answer_of(client, STATUS).find(".//result")
        assert result is not None
        if result.findtext("status") != "PROCESSING" or time.monotonic() > deadline:
            return result
        time.sleep(0.02)


def _counts(result: etree._Element) -> tuple[str | None, ...]:
    return tuple(
        result.findtext(name)
        for name in ("status", "estimatedRows", "rowsImported", "rowsFailed", "rowsIgnored")
    )


def _setup(store: Store) -> int:
    store.add_program("default", "Trav-Demo-Program", None, (), 1)
    return store.add_list("default", "Imported", "Trav-Demo-Program", 1)


def test_upsert_import_creates_updates_and_lists_the_leads(
    client: TestClient, store: Store
) -> None:
    list_id = _setup(store)
    [known] = read_statuses(
        client.post(URL, content=sync_request([{"Email": "jdoe@x.com"}])).content
    )
    rows = [
        "Awesomesauce,Developer,Code Slinger,Marketo,dawesomesauce@marketo.com",
        "Doe,Jane,VP Marketing,Jane Consulting,JDOE@x.com",
        "Short,Row",
        "NoMail,Nobody,,,",
    ]
    header = "Last Name,First Name,Job Title,Company Name,Email Address"
    answered = answer_of(client, _import(header, rows))
    assert answered.findtext(".//importStatus") == "PROCESSING"
    result = _finished(client)
    assert _counts(result) == ("COMPLETE", "4", "2", "2", "0")
    assert result.findtext("importSummary") == "2 imported, 2 failed, 0 ignored"
    assert result.findtext("startedTime") and result.findtext("endedTime")
    [jane] = store.read_leads("default", ids=[known[0]])
    assert jane.attributes == {
        "LastName": "Doe",
        "FirstName": "Jane",
        "Title": "VP Marketing",
        "Company": "Jane Consulting",
    }
    created = store.read_leads("default", email_keys=["dawesomesauce@marketo.com"])
    assert [lead.attributes["Title"] for lead in created] == ["Code Slinger"]
    assert store.members_of(list_id, [known[0], created[0].id]) == {known[0], created[0].id}
    kinds = [a.kind_info.name for a in store.iter_activities("default", created[0].id)]
    assert kinds[0] == "New Lead" and kinds[-1] == "Add to List"


def test_list_only_ignores_unknown_leads_and_clear_list_starts_over(
    client: TestClient, store: Store
) -> None:
    list_id = _setup(store)
    ids = [s[0] for s in read_statuses(client.post(URL, content=sync_request(
        [{"Email": "a@x.com"}, {"Email": "b@x.com"}])).content)]  # fmt: skip
    assert answer_of(client, _import("Email Address", ["a@x.com"])).findtext(".//importStatus")
    assert _counts(_finished(client))[0] == "COMPLETE"
    body = _import(
        "EMAIL ADDRESS,{{my.token}}", ["b@x.com,x", "nobody@x.com,y"], "LISTONLY", "true"
    )
    answer_of(client, body)
    assert _counts(_finished(client)) == ("COMPLETE", "2", "1", "0", "1")
    assert store.members_of(list_id, ids) == {ids[1]}
    assert store.read_leads("default", email_keys=["nobody@x.com"]) == []


def test_bad_imports_get_marketo_faults(client: TestClient, store: Store) -> None:
    _setup(store)
    store.add_list("default", "Loose", None, 1)
    assert fault_code(client, _import("Email Address", ["a@x.com"], list_name="Nope")) == (
        20111,
        "List not found: no list Nope in program Trav-Demo-Program (20111)",
    )
    assert fault_code(client, _import("Email Address", ["a@x.com"], list_name="Loose"))[0] == 20111
    assert fault_code(client, _import("Email Address", ["a@x.com"], mode="MERGE"))[0] == 20110
    assert fault_code(client, _import("Email Address,Shoe Size", ["a@x.com,9"])) == (
        20110,
        "Bad parameter: importFileHeader column 'Shoe Size' is no field (20110)",
    )
    assert fault_code(client, _import("First Name", ["Ann"])) == (
        20110,
        "Bad parameter: importFileHeader needs an Email Address column (20110)",
    )
    assert fault_code(client, STATUS) == (
        20110,
        "Bad parameter: no import to list Imported was started (20110)",
    )
