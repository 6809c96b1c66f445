"""Every answer leadsync renders is valid against Marketo's own schema (the reference 2_2
WSDL's types, and ours, which tests/test_wsdl.py holds to be the same)."""

from __future__ import annotations

import os
import time
from functools import cache

import pytest
from lxml import etree
from starlette.testclient import TestClient

from leadsync.custom_objects import ObjectType
from leadsync.fields import FieldType
from leadsync.lists import Channel
from leadsync.service.fields import add_custom_field
from leadsync.store import Store
from leadsync.wire import render
from leadsync.wire.ops import HANDLERS
from leadsync.wire.wsdl import render_wsdl
from tests.soap import (
    MKTOWS,
    REFERENCE_WSDL,
    SOAP_ENV,
    XSI,
    envelope,
    shared,
    sync_request,
    yesterday,
)

URL = "/soap/mktows/2_2"
XS = "http://www.w3.org/2001/XMLSchema"


@cache
def _schema(wsdl: bytes) -> etree.XMLSchema:
    types = etree.fromstring(wsdl).find(f".//{{{XS}}}schema")
    assert types is not None
    return etree.XMLSchema(etree.fromstring(etree.tostring(types)))


def schemas() -> list[etree.XMLSchema]:
    """Ours always; the reference's too when ../shared is there (in CI it must be)."""
    ours = _schema(render_wsdl("http://x/soap/mktows/2_2"))
    if not REFERENCE_WSDL.exists() and os.environ.get("CI") != "true":
        return [ours]
    return [ours, _schema(shared(REFERENCE_WSDL).read_bytes())]


def assert_valid(answer: bytes, element: str) -> etree._Element:
    """The answer's body element is ``element`` and valid against both schemas."""
    body = etree.fromstring(answer).find(f"{{{SOAP_ENV}}}Body")
    assert body is not None, answer
    [success] = list(body)
    assert success.tag == f"{{{MKTOWS}}}{element}", answer
    alone = etree.fromstring(etree.tostring(success))
    for schema in schemas():
        assert schema.validate(alone), (schema.error_log, answer)
    return alone


def _call(client: TestClient, params: str) -> bytes:
    response = client.post(URL, content=envelope(params))
    assert response.status_code == 200, response.content
    return response.content


SYNC_LEAD = (
    "<ns1:paramsSyncLead><leadRecord><Email>s@x.com</Email><leadAttributeList><attribute>"
    "<attrName>Tier</attrName><attrValue>gold</attrValue></attribute></leadAttributeList>"
    "</leadRecord><returnLead>{}</returnLead></ns1:paramsSyncLead>"
)


def test_every_implemented_operation_answers_in_the_schemas_shape(
    client: TestClient, store: Store
) -> None:
    add_custom_field(store, "default", "Tier", FieldType.STRING, 0)
    answer = client.post(
        URL,
        content=sync_request(
            [{"Email": f"r{i}@x.com", "attrs": {"Company": "A&B", "Tier": "t"}} for i in range(3)]
            + [{"Email": "bad@x.com", "attrs": {"Shoe": "1"}}]
        ),
    ).content
    assert_valid(answer, "successSyncMultipleLeads")
    assert_valid(_call(client, SYNC_LEAD.format("true")), "successSyncLead")
    quiet = assert_valid(_call(client, SYNC_LEAD.format("false")), "successSyncLead")
    returned = quiet.find("result/leadRecord")
    assert returned is not None and returned.get(f"{{{XSI}}}nil") == "true"
    found = assert_valid(
        _call(
            client,
            "<ns1:paramsGetLead><leadKey><keyType>EMAIL</keyType><keyValue>r1@x.com</keyValue>"
            "</leadKey></ns1:paramsGetLead>",
        ),
        "successGetLead",
    )
    assert found.findtext("result/count") == "1"
    window = (
        '<leadSelector xsi:type="ns1:LastUpdateAtSelector">'
        f"<oldestUpdatedAt>{yesterday()}</oldestUpdatedAt></leadSelector>"
    )
    for batch in (2, 100):  # with a stream position to come, and at the end (empty one)
        paged = assert_valid(
            _call(
                client,
                f"<ns1:paramsGetMultipleLeads>{window}<batchSize>{batch}</batchSize>"
                "</ns1:paramsGetMultipleLeads>",
            ),
            "successGetMultipleLeads",
        )
        assert paged.findtext("result/returnCount") == str(min(batch, 4))
    nothing = assert_valid(
        _call(
            client,
            '<ns1:paramsGetMultipleLeads><leadSelector xsi:type="ns1:LeadKeySelector">'
            "<keyType>IDNUM</keyType><keyValues><stringItem>999</stringItem></keyValues>"
            "</leadSelector></ns1:paramsGetMultipleLeads>",
        ),
        "successGetMultipleLeads",
    )
    assert nothing.findtext("result/returnCount") == "0"
    listed = assert_valid(_call(client, "<ns1:paramsListMObjects/>"), "successListMObjects")
    names = [e.text for e in listed.iter("objects")]
    assert names == ["ActivityRecord", "LeadRecord", "Opportunity", "OpportunityPersonRole"]
    for name in names:
        described = assert_valid(
            _call(
                client,
                f"<ns1:paramsDescribeMObject><objectName>{name}</objectName>"
                "</ns1:paramsDescribeMObject>",
            ),
            "successDescribeMObject",
        )
        assert described.findtext("result/metadata/name") == name
    activity = assert_valid(
        _call(
            client,
            "<ns1:paramsGetLeadActivity><leadKey><keyType>EMAIL</keyType>"
            "<keyValue>r1@x.com</keyValue></leadKey><batchSize>2</batchSize>"
            "</ns1:paramsGetLeadActivity>",
        ),
        "successGetLeadActivity",
    )
    assert activity.findtext("leadActivityList/returnCount") == "2"
    for batch in (3, 1000):  # a page with more to come, and all 15
        changes = assert_valid(
            _call(
                client,
                f"<ns1:paramsGetLeadChanges><startPosition><oldestCreatedAt>{yesterday()}"
                f"</oldestCreatedAt></startPosition><batchSize>{batch}</batchSize>"
                "</ns1:paramsGetLeadChanges>",
            ),
            "successGetLeadChanges",
        )
        assert changes.findtext("result/returnCount") == str(min(batch, 15))
    store.add_list("default", "Newsletter", None, 0)
    for operation, keys, nil in (
        ("ADDTOLIST", ("r1@x.com",), True),
        ("ISMEMBEROFLIST", ("r1@x.com", "r2@x.com"), False),
    ):
        members = "".join(
            f"<leadKey><keyType>EMAIL</keyType><keyValue>{k}</keyValue></leadKey>" for k in keys
        )
        listed = assert_valid(
            _call(
                client,
                f"<ns1:paramsListOperation><listOperation>{operation}</listOperation>"
                "<listKey><keyType>MKTOLISTNAME</keyType><keyValue>Newsletter</keyValue>"
                f"</listKey><listMemberList>{members}</listMemberList>"
                "</ns1:paramsListOperation>",
            ),
            "successListOperation",
        )
        status_list = listed.find("result/statusList")
        assert status_list is not None
        assert (status_list.get(f"{{{XSI}}}nil") == "true") is nil
    store.add_program("default", "Onboarding", None, (), 0)
    store.add_campaign("default", "Welcome", "Onboarding", "", True, 0)
    found = assert_valid(
        _call(client, "<ns1:paramsGetCampaignsForSource><source>MKTOWS</source>"
              "</ns1:paramsGetCampaignsForSource>"),
        "successGetCampaignsForSource",
    )  # fmt: skip
    assert found.findtext("result/campaignRecordList/campaignRecord/name") == "Onboarding.Welcome"
    for operation, params in (
        (
            "RequestCampaign",
            "<source>MKTOWS</source><leadList><leadKey><keyType>EMAIL</keyType>"
            "<keyValue>r1@x.com</keyValue></leadKey></leadList><programName>Onboarding"
            "</programName><campaignName>Welcome</campaignName>",
        ),
        (
            "ScheduleCampaign",
            "<programName>Onboarding</programName><campaignName>Welcome</campaignName>",
        ),
    ):
        done = assert_valid(
            _call(client, f"<ns1:params{operation}>{params}</ns1:params{operation}>"),
            f"success{operation}",
        )
        assert done.findtext("result/success") == "true"
    store.add_channel(
        "default", Channel.numbered(0, "Webinar", ["Invited", "Attended"], ["Attended"])
    )
    store.add_program("default", "Spring", "Webinar", [("Region", "EMEA")], 0)
    channels = assert_valid(_call(client, "<ns1:paramsGetChannels/>"), "successGetChannels")
    assert channels.findtext("result/tags/tagStatus/tagValue") == "Webinar"
    tags = assert_valid(_call(client, "<ns1:paramsGetTags/>"), "successGetTags")
    assert tags.findtext("result/tagList/tag/type") == "Region"
    merged = assert_valid(
        _call(
            client,
            "<ns1:paramsMergeLeads><winningLeadKeyList><attribute><attrName>EMAIL</attrName>"
            "<attrValue>r1@x.com</attrValue></attribute></winningLeadKeyList><losingLeadKeyLists>"
            "<keyList><attribute><attrName>EMAIL</attrName><attrValue>r2@x.com</attrValue>"
            "</attribute></keyList></losingLeadKeyLists></ns1:paramsMergeLeads>",
        ),
        "successMergeLeads",
    )
    assert merged.findtext("result/mergeStatus/status") == "MERGED"
    store.add_list("default", "Imported", "Onboarding", 0)
    started = assert_valid(
        _call(
            client,
            "<ns1:paramsImportToList><programName>Onboarding</programName>"
            "<importFileHeader>Email Address</importFileHeader><importFileRows><stringItem>"
            "i@x.com</stringItem></importFileRows><importListMode>UPSERTLEADS</importListMode>"
            "<listName>Imported</listName><clearList>false</clearList></ns1:paramsImportToList>",
        ),
        "successImportToList",
    )
    assert started.findtext("result/importStatus") == "PROCESSING"
    status_call = (
        "<ns1:paramsGetImportToListStatus><programName>Onboarding</programName>"
        "<listName>Imported</listName></ns1:paramsGetImportToListStatus>"
    )
    status = assert_valid(_call(client, status_call), "successGetImportToListStatus")
    assert status.findtext("result/estimatedRows") == "1"
    for _ in range(500):  # the job ends before the store closes
        if b"PROCESSING" not in _call(client, status_call):
            break
        time.sleep(0.01)
    store.add_object_type(
        "default", ObjectType(0, "RoadShow", ("rid",), (("rid", FieldType.STRING),)), 0
    )
    key = "<attribute><attrName>rid</attrName><attrValue>r1</attrValue></attribute>"
    lead = "<attribute><attrName>MKTOID</attrName><attrValue>1</attrValue></attribute>"
    for operation, params in (
        ("SyncCustomObjects", f"<customObjList><customObj><customObjKeyList>{lead}{key}"
         "</customObjKeyList></customObj></customObjList>"),
        ("GetCustomObjects", "<includeAttributes />"),
        ("DeleteCustomObjects", f"<customObjKeyLists><keyList>{lead}{key}</keyList>"
         "</customObjKeyLists>"),
    ):  # fmt: skip
        assert_valid(
            _call(
                client,
                f"<ns1:params{operation}><objTypeName>RoadShow</objTypeName>{params}"
                f"</ns1:params{operation}>",
            ),
            f"success{operation}",
        )
    store.add_program("default", "P2", None, (), 0)
    for operation, params in (
        ("SyncMObjects", "<mObjectList><mObject><type>Opportunity</type><attribList><attrib>"
         "<name>Name</name><value>Deal</value></attrib></attribList></mObject></mObjectList>"
         "<operation>UPSERT</operation>"),
        ("GetMObjects", "<type>Opportunity</type>"),
        ("GetMObjects", "<type>Program</type><includeDetails>true</includeDetails>"),
        ("DeleteMObjects", "<mObjectList><mObject><type>Opportunity</type><id>1</id></mObject>"
         "</mObjectList>"),
    ):  # fmt: skip
        assert_valid(
            _call(client, f"<ns1:params{operation}>{params}</ns1:params{operation}>"),
            f"success{operation}",
        )
    assert set(HANDLERS) == {
        "syncMObjects",
        "getMObjects",
        "deleteMObjects",
        "syncCustomObjects",
        "getCustomObjects",
        "deleteCustomObjects",
        "importToList",
        "getImportToListStatus",
        "mergeLeads",
        "getChannels",
        "getTags",
        "getCampaignsForSource",
        "requestCampaign",
        "scheduleCampaign",
        "listOperation",
        "syncMultipleLeads",
        "syncLead",
        "getLead",
        "getMultipleLeads",
        "listMObjects",
        "describeMObject",
        "getLeadActivity",
        "getLeadChanges",
    }


def test_the_renderer_writes_nil_empty_and_absent_as_the_schema_says() -> None:
    answer = render.success(
        "getMultipleLeads",
        {
            "result": {
                "returnCount": 1,
                "remainingCount": 0,
                "newStreamPosition": "",
                "leadRecordList": [(7, None, "F&1", None, [("Title", None, "a\rb")])],
            }
        },
    )
    text = answer.decode()
    assert "<newStreamPosition />" in text
    assert (
        '<leadRecord><Id>7</Id><Email xsi:nil="true" /><ForeignSysPersonId>F&amp;1'
        '</ForeignSysPersonId><ForeignSysType xsi:nil="true" /><leadAttributeList><attribute>'
        '<attrName>Title</attrName><attrType xsi:nil="true" /><attrValue>a&#13;b</attrValue>'
        "</attribute></leadAttributeList></leadRecord>"
    ) in text
    assert_valid(answer, "successGetMultipleLeads")


def test_a_value_that_does_not_fit_its_shape_is_a_render_error() -> None:
    with pytest.raises(render.RenderError, match="ResultGetLead.count is required"):
        render.success("getLead", {"result": {"leadRecordList": []}})
    with pytest.raises(render.RenderError, match="LeadRecord: 2 values for 5"):
        render.success("getLead", {"result": {"count": 1, "leadRecordList": [(1, "a")]}})


def test_the_fast_activity_records_are_the_generic_renderers_text() -> None:
    from leadsync.activities import Activity
    from leadsync.wire.ops.history import activity_record, change_record

    activities = [
        Activity(1, 7, 12, 1_700_000_000_000_001, None, ("Web service API", "Web service", "d")),
        Activity(2, 7, 13, 1_700_000_000_500_000, "Company", ("Company", None, "A&B <c>\r\n")),
        Activity(3, 8, 13, 1_700_000_001_000_000, "", ("", "", "x"), campaign="Spring & Fall"),
        Activity(4, 8, 13, 1_700_000_001_000_000, "Title", ("Title", "a", "b"), campaign=""),
    ]
    position = (None, None, None, "ID:1")
    for operation, records, shape, key in (
        ("getLeadActivity", "activityRecordList", activity_record, "leadActivityList"),
        ("getLeadChanges", "leadChangeRecordList", change_record, "result"),
    ):
        changes = operation == "getLeadChanges"

        def answer(
            listed: object, operation: str = operation, key: str = key, records: str = records
        ) -> bytes:
            value = {"returnCount": 4, "remainingCount": 0, "newStartPosition": position}
            return render.success(operation, {key: {**value, records: listed}})

        fast = answer(render.activity_records(activities, changes))
        assert fast == answer([shape(a) for a in activities])
        assert b"A&amp;B &lt;c&gt;&#13;\n" in fast


def test_the_fast_lead_records_are_the_generic_renderers_text() -> None:
    from leadsync.fields import Catalog
    from leadsync.model import Lead
    from leadsync.wire.ops.leads import lead_record

    catalog = Catalog()
    leads = [
        Lead(1, "a@x.com", None, None, {"FirstName": "A&B <c>\r\n", "Company": ""}, 1, 1),
        Lead(2, None, "crm-1", "SFDC", {}, 1, 1),
        Lead(3, "b@x.com", "", None, {"NumberOfEmployees": "42", "Title": "T"}, 1, 1),
    ]
    records = [lead_record(lead, catalog) for lead in leads]

    def answer(listed: object) -> bytes:
        result = {"returnCount": 3, "remainingCount": 0, "newStreamPosition": ""}
        return render.success("getMultipleLeads", {"result": {**result, "leadRecordList": listed}})

    fast = answer(render.lead_records(records))
    assert fast == answer(records)
    assert b"A&amp;B &lt;c&gt;&#13;\n" in fast
    assert b"<attrType>integer</attrType>" in fast
