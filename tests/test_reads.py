"""syncLead, getLead, getMultipleLeads and describeMObject, through zeep (over a real
socket: e2e) and raw XML in process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import zeep
import zeep.exceptions
from lxml import etree
from starlette.testclient import TestClient

from leadsync.service.fields import add_custom_field
from leadsync.store import Store
from leadsync.wire.wsdl import render_wsdl
from tests.server import ServerProcess
from tests.soap import (
    REFERENCE_WSDL,
    auth_header,
    envelope,
    read_fault,
    shared,
    sync_request,
    yesterday,
)
from tests.test_e2e import zeep_header

URL = "/soap/mktows/2_2"


@pytest.fixture
def service(store: Store, db: str) -> Iterator[Any]:
    running = ServerProcess(db).start()
    try:
        yield zeep.Client(running.endpoint + "?WSDL").service
    finally:
        running.stop()


def _fault(call: Any) -> tuple[str, str, str]:
    with pytest.raises(zeep.exceptions.Fault) as caught:
        call()
    detail = caught.value.detail
    return (caught.value.message, detail.find(".//code").text, detail.find(".//message").text)


def _attrs(record: Any) -> dict[str, tuple[str, str]]:
    items = record.leadAttributeList.attribute if record.leadAttributeList else []
    return {a.attrName: (a.attrType, a.attrValue) for a in items}


@pytest.mark.e2e
def test_sync_lead_creates_updates_and_returns_the_lead(service: Any) -> None:
    record = {
        "Email": "one@x.com",
        "leadAttributeList": {
            "attribute": [
                {"attrName": "FirstName", "attrValue": "Ada"},
                {"attrName": "NumberOfEmployees", "attrValue": "7"},
            ]
        },
    }
    first = service.syncLead(leadRecord=record, returnLead=True, _soapheaders=zeep_header())
    assert (first.leadId, first.syncStatus.status, first.syncStatus.leadId) == (1, "CREATED", 1)
    assert first.leadRecord.Email == "one@x.com"
    assert _attrs(first.leadRecord) == {
        "FirstName": ("string", "Ada"),
        "NumberOfEmployees": ("integer", "7"),
    }
    # ForeignSysPersonId with Email and no Id: the foreign id wins, Email is updated.
    service.syncLead(
        leadRecord={"Id": 1, "ForeignSysPersonId": "F-1", "ForeignSysType": "CUSTOM"},
        returnLead=False,
        _soapheaders=zeep_header(),
    )
    moved = service.syncLead(
        leadRecord={"ForeignSysPersonId": "F-1", "Email": "two@x.com"},
        returnLead=True,
        _soapheaders=zeep_header(),
    )
    assert (moved.leadId, moved.syncStatus.status) == (1, "UPDATED")
    assert (moved.leadRecord.Email, moved.leadRecord.ForeignSysPersonId) == ("two@x.com", "F-1")
    quiet = service.syncLead(
        leadRecord={"Email": "two@x.com"}, returnLead=False, _soapheaders=zeep_header()
    )
    # <leadRecord xsi:nil="true" />, which zeep gives as an empty record.
    assert (quiet.leadId, quiet.syncStatus.status, quiet.leadRecord.Id) == (1, "UPDATED", None)


@pytest.mark.e2e
def test_sync_lead_unknown_field_is_fault_20105_for_the_whole_call(service: Any) -> None:
    record = {
        "Email": "p@x.com",
        "leadAttributeList": {
            "attribute": [
                {"attrName": "FirstName", "attrValue": "Peter"},
                {"attrName": "pants", "attrValue": "corduroy"},
            ]
        },
    }
    assert _fault(
        lambda: service.syncLead(leadRecord=record, returnLead=True, _soapheaders=zeep_header())
    ) == (
        "20105 - Unknown lead field",
        "20105",
        "syncLead operation failed: unknown fields for import: pants (20105)",
    )
    with pytest.raises(zeep.exceptions.Fault):
        service.getLead(
            leadKey={"keyType": "EMAIL", "keyValue": "p@x.com"}, _soapheaders=zeep_header()
        )


@pytest.mark.e2e
def test_get_lead_by_idnum_email_and_cookie(service: Any) -> None:
    service.syncMultipleLeads(
        leadRecordList={"leadRecord": [{"Email": "dup@x.com"}, {"Email": "dup@x.com"}]},
        dedupEnabled=False,
        _soapheaders=zeep_header(),
    )
    service.syncLead(
        leadRecord={"Email": "c@x.com"},
        returnLead=False,
        marketoCookie="id:561-HYG-937&token:_mch-x",
        _soapheaders=zeep_header(),
    )
    both = service.getLead(
        leadKey={"keyType": "EMAIL", "keyValue": "DUP@x.com"}, _soapheaders=zeep_header()
    )
    assert (both.count, [r.Id for r in both.leadRecordList.leadRecord]) == (2, [2, 1])
    by_id = service.getLead(
        leadKey={"keyType": "IDNUM", "keyValue": "2"}, _soapheaders=zeep_header()
    )
    assert (by_id.count, by_id.leadRecordList.leadRecord[0].Email) == (1, "dup@x.com")
    by_cookie = service.getLead(
        leadKey={"keyType": "COOKIE", "keyValue": "id:561-HYG-937&token:_mch-x"},
        _soapheaders=zeep_header(),
    )
    assert [r.Email for r in by_cookie.leadRecordList.leadRecord] == ["c@x.com"]
    assert _fault(
        lambda: service.getLead(
            leadKey={"keyType": "EMAIL", "keyValue": "no@x.com"}, _soapheaders=zeep_header()
        )
    ) == ("20103 - Lead not found", "20103", "No lead found with EMAIL = no@x.com (20103)")
    assert (
        _fault(
            lambda: service.getLead(
                leadKey={"keyType": "SFDCLEADID", "keyValue": "x"}, _soapheaders=zeep_header()
            )
        )[1]
        == "20102"
    )


@pytest.mark.e2e
def test_get_multiple_leads_pages_by_key_and_by_time(service: Any) -> None:
    service.syncMultipleLeads(
        leadRecordList={
            "leadRecord": [
                {
                    "Email": f"m{i}@x.com",
                    "leadAttributeList": {
                        "attribute": [
                            {"attrName": "Company", "attrValue": f"C{i}"},
                            {"attrName": "Title", "attrValue": "T"},
                        ]
                    },
                }
                for i in range(25)
            ]
        },
        _soapheaders=zeep_header(),
    )
    emails = [f"m{i}@x.com" for i in range(0, 25, 2)] + ["none@x.com"]
    selector = {"keyType": "EMAIL", "keyValues": {"stringItem": emails}}
    result = service.getMultipleLeads(
        leadSelector=_typed(service, "LeadKeySelector", selector),
        batchSize=5,
        includeAttributes={"stringItem": ["Company"]},
        _soapheaders=zeep_header(),
    )
    seen = [r.Email for r in result.leadRecordList.leadRecord]
    assert (result.returnCount, result.remainingCount) == (5, 8)
    assert _attrs(result.leadRecordList.leadRecord[0]) == {"Company": ("string", "C0")}
    while result.remainingCount:
        result = service.getMultipleLeads(
            leadSelector=_typed(service, "LeadKeySelector", selector),
            batchSize=5,
            streamPosition=result.newStreamPosition,
            _soapheaders=zeep_header(),
        )
        seen += [r.Email for r in result.leadRecordList.leadRecord]
    assert seen == emails[:-1]
    assert result.newStreamPosition in (None, "")

    window = {"oldestUpdatedAt": yesterday()}
    everything = service.getMultipleLeads(
        leadSelector=_typed(service, "LastUpdateAtSelector", window),
        batchSize=1000,
        _soapheaders=zeep_header(),
    )
    assert (everything.returnCount, everything.remainingCount) == (25, 0)


@pytest.mark.e2e
def test_describe_mobject_lists_the_catalog_with_custom_fields(service: Any, store: Store) -> None:
    from leadsync.fields import FieldType

    add_custom_field(store, "default", "Tier", FieldType.STRING, 0)
    # zeep unwraps result/metadata, the only child of each.
    metadata = service.describeMObject(objectName="LeadRecord", _soapheaders=zeep_header())
    fields = {f.name: (f.dataType, f.isCustom) for f in metadata.fieldList.field}
    assert fields["Company"] == ("string", False)
    assert fields["NumberOfEmployees"] == ("integer", False)
    assert fields["Tier"] == ("string", True)
    assert metadata.name == "LeadRecord"


def _typed(service: Any, type_name: str, value: dict[str, Any]) -> Any:
    client = service._client if hasattr(service, "_client") else None
    assert client is not None
    return client.get_type(f"{{http://www.marketo.com/mktows/}}{type_name}")(**value)


# --- raw XML, in process: stream positions ----------------------------------------


def _multiple(client: TestClient, inner: str) -> bytes:
    body = envelope(f"<ns1:paramsGetMultipleLeads>{inner}</ns1:paramsGetMultipleLeads>")
    return client.post(URL, content=body).content


def test_a_tampered_stream_position_is_20122(client: TestClient) -> None:
    client.post(URL, content=sync_request([{"Email": f"s{i}@x.com"} for i in range(5)]))
    selector = (
        '<leadSelector xsi:type="ns1:LastUpdateAtSelector"><oldestUpdatedAt>'
        f"{yesterday()}</oldestUpdatedAt></leadSelector>"
    )
    answer = _multiple(client, f"{selector}<batchSize>2</batchSize>")
    position = answer.split(b"<newStreamPosition>")[1].split(b"<")[0].decode()
    tampered = position[:-3] + ("A" if position[-3] != "A" else "B") + position[-2:]
    for bad in (tampered, "garbage!", "", "x" * 400):
        if not bad:
            continue
        fault = read_fault(_multiple(client, f"{selector}<streamPosition>{bad}</streamPosition>"))
        assert (fault.code, fault.message) == (
            20122,
            "Bad stream position: not one this server issued (20122)",
        )


def test_paging_a_changing_store_neither_skips_nor_repeats(client: TestClient) -> None:
    client.post(URL, content=sync_request([{"Email": f"p{i}@x.com"} for i in range(30)]))
    selector = (
        '<leadSelector xsi:type="ns1:LastUpdateAtSelector"><oldestUpdatedAt>'
        f"{yesterday()}</oldestUpdatedAt></leadSelector>"
    )
    seen: list[str] = []
    inner = f"{selector}<batchSize>7</batchSize>"
    for round_ in range(10):
        answer = _multiple(client, inner)
        seen += [e.decode() for e in _emails(answer)]
        # Meanwhile: update leads already seen and not yet seen, and create new ones.
        client.post(
            URL,
            content=sync_request(
                [
                    {"Email": f"p{round_}@x.com", "attrs": {"Title": "changed"}},
                    {"Email": f"p{29 - round_}@x.com", "attrs": {"Title": "changed"}},
                    {"Email": f"new{round_}@x.com"},
                ]
            ),
        )
        if b"<newStreamPosition />" in answer:
            break
        position = answer.split(b"<newStreamPosition>")[1].split(b"<")[0].decode()
        inner = f"{selector}<batchSize>7</batchSize><streamPosition>{position}</streamPosition>"
    assert seen == [f"p{i}@x.com" for i in range(30)]


def _emails(answer: bytes) -> list[bytes]:
    return [part.split(b"</Email>")[0] for part in answer.split(b"<Email>")[1:]]


def test_every_operation_of_the_reference_wsdl_has_a_handler() -> None:
    from leadsync.wire.ops import HANDLERS

    reference = etree.fromstring(shared(REFERENCE_WSDL).read_bytes())
    operations = {
        op.get("name")
        for op in reference.iterfind("{http://schemas.xmlsoap.org/wsdl/}portType/"
                                     "{http://schemas.xmlsoap.org/wsdl/}operation")
    }  # fmt: skip
    assert len(operations) == 23
    assert operations == set(HANDLERS)


def test_our_wsdl_still_declares_every_operation() -> None:
    assert render_wsdl("http://x/soap/mktows/2_2").count(b"<wsdl:operation ") == 46


def test_sync_lead_accepts_the_default_workspace_only(client: TestClient) -> None:
    def sync_lead(workspace: str) -> bytes:
        context = (
            f"<ns1:MktowsContextHeader><targetWorkspace>{workspace}</targetWorkspace>"
            "</ns1:MktowsContextHeader>"
        )
        body = envelope(
            "<ns1:paramsSyncLead><leadRecord><Email>w@x.com</Email></leadRecord>"
            "<returnLead>false</returnLead></ns1:paramsSyncLead>",
            header=auth_header() + context,
        )
        return client.post(URL, content=body).content

    assert b"<status>CREATED</status>" in sync_lead("Default")
    fault = read_fault(sync_lead("Futures Institute"))
    assert (fault.code, fault.message) == (
        20110,
        "Bad parameter: targetWorkspace 'Futures Institute' does not exist; leadsync has the "
        "Default workspace only (20110)",
    )
