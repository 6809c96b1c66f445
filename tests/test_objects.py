"""listMObjects and describeMObject, the calls clients make at login (Talend, Datahero's
node-marketo), and stream positions in Marketo's own form."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import zeep
from lxml import etree
from starlette.testclient import TestClient

from leadsync.store import Store
from tests.server import ServerProcess
from tests.soap import REFERENCE_WSDL, canonical, envelope, read_fault, shared, sync_request
from tests.test_e2e import zeep_header

URL = "/soap/mktows/2_2"
OBJECTS = ["ActivityRecord", "LeadRecord", "Opportunity", "OpportunityPersonRole"]


def _bare(element: etree._Element | None) -> bytes:
    """An element apart from its document, without the namespaces it does not use."""
    assert element is not None
    alone = etree.fromstring(etree.tostring(element))
    etree.cleanup_namespaces(alone)
    return canonical(etree.tostring(alone))


def _describe(client: TestClient, name: str) -> bytes:
    body = f"<ns1:paramsDescribeMObject><objectName>{name}</objectName></ns1:paramsDescribeMObject>"
    return client.post(URL, content=envelope(body)).content


def test_list_mobjects_answers_marketos_sample(client: TestClient) -> None:
    answer = client.post(URL, content=envelope("<ns1:paramsListMObjects />")).content
    assert _bare(etree.fromstring(answer).find(".//result")) == canonical(
        "<result>" + "".join(f"<objects>{name}</objects>" for name in OBJECTS) + "</result>"
    )


def test_describe_activity_record_is_marketos_sample_field_for_field(client: TestClient) -> None:
    sample = shared(
        REFERENCE_WSDL.parent / "marketo-docs" / "soap-api" / "describemobject.md"
    ).read_text()
    start = sample.index("<?xml", sample.index("## Response XML"))
    end = sample.index("</SOAP-ENV:Envelope>", start) + len("</SOAP-ENV:Envelope>")
    theirs = etree.fromstring(sample[start:end].encode()).find(".//metadata")
    ours = etree.fromstring(_describe(client, "ActivityRecord")).find(".//metadata")
    assert theirs is not None and ours is not None
    for metadata in (theirs, ours):  # the dates are when each store was made
        for stamp in metadata.iter("updatedAt"):
            stamp.text = "-"
    assert _bare(ours) == _bare(theirs)


def test_describe_answers_every_listed_object_and_the_wsdl_name(client: TestClient) -> None:
    for name in [*OBJECTS, "OpportunityLeadRole"]:
        metadata = etree.fromstring(_describe(client, name)).find(".//metadata")
        assert metadata is not None, name
        expected = "OpportunityPersonRole" if name == "OpportunityLeadRole" else name
        assert metadata.findtext("name") == expected
        assert len(metadata.findall("fieldList/field")) >= 6
    fault = read_fault(_describe(client, "Shoe"))
    assert (fault.code, fault.message) == (
        20110,
        "Bad parameter: objectName Shoe is not an object describeMObject knows: use "
        "ActivityRecord, LeadRecord, Opportunity, OpportunityPersonRole or Program (20110)",
    )
    program = etree.fromstring(_describe(client, "Program")).find(".//metadata")
    assert program is not None
    assert [f.findtext("name") for f in program.iterfind("fieldList/field")] == [
        "Id",
        "Name",
        "Type",
    ]


def _multiple(client: TestClient, inner: str) -> bytes:
    body = envelope(f"<ns1:paramsGetMultipleLeads>{inner}</ns1:paramsGetMultipleLeads>")
    return client.post(URL, content=body).content


def _ids(answer: bytes) -> list[str | None]:
    return [e.text for e in etree.fromstring(answer).iter("Id")]


KEYS = (
    '<leadSelector xsi:type="ns1:LeadKeySelector"><keyType>IDNUM</keyType><keyValues>'
    + "".join(f"<stringItem>{i}</stringItem>" for i in range(1, 6))
    + "</keyValues></leadSelector>"
)


def test_a_stream_position_in_marketos_form_starts_a_stream(client: TestClient) -> None:
    client.post(URL, content=sync_request([{"Email": f"m{i}@x.com"} for i in range(5)]))
    # Datahero's first call: from lead id 1, nothing skipped.
    first = _multiple(client, f"{KEYS}<streamPosition>id:1:ts:1:os:0:rc:1</streamPosition>")
    assert _ids(first) == ["1", "2", "3", "4", "5"]
    later = _multiple(
        client, f"{KEYS}<batchSize>2</batchSize><streamPosition>id:2:os:1</streamPosition>"
    )
    assert _ids(later) == ["3", "4"]
    assert etree.fromstring(later).findtext(".//remainingCount") == "1"
    position = etree.fromstring(later).findtext(".//newStreamPosition")
    rest = _multiple(client, f"{KEYS}<streamPosition>{position}</streamPosition>")
    assert _ids(rest) == ["5"]


@pytest.mark.parametrize(
    "position",
    ["ts:1:os:0", "id:1:os:5000", "id:x:os:0", "id:1:", "id:1:zz:3", "id:1 os:0"],
)
def test_malformed_positions_in_marketos_form_are_20122(
    wire_client: TestClient, position: str
) -> None:
    fault = read_fault(_multiple(wire_client, f"{KEYS}<streamPosition>{position}</streamPosition>"))
    assert fault.code == 20122


@pytest.fixture
def reference_service(store: Store, db: str) -> Iterator[Any]:
    """zeep generated from Marketo's own 2_2 WSDL, pointed at a real leadsync."""
    wsdl = str(shared(REFERENCE_WSDL))
    running = ServerProcess(db).start()
    try:
        client = zeep.Client(wsdl)
        yield client.create_service(
            "{http://www.marketo.com/mktows/}MktowsApiSoapBinding", running.endpoint
        )
    finally:
        running.stop()


@pytest.mark.e2e
def test_zeep_from_the_reference_wsdl_lists_and_describes(reference_service: Any) -> None:
    listed = reference_service.listMObjects(_soapheaders=zeep_header())
    assert listed == OBJECTS  # zeep unwraps result/objects, the only child of each
    for name in OBJECTS:
        metadata = reference_service.describeMObject(objectName=name, _soapheaders=zeep_header())
        assert metadata.name == name
        assert metadata.isVirtual is (name in ("ActivityRecord", "LeadRecord"))
        assert all(field.updatedAt.tzinfo is not None for field in metadata.fieldList.field)
    lead = reference_service.describeMObject(objectName="LeadRecord", _soapheaders=zeep_header())
    sizes = {f.name: (f.dataType, f.size) for f in lead.fieldList.field}
    assert sizes["Email"] == ("string", 255) and sizes["Address"] == ("text", 30000)
