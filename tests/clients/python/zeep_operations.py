"""The operations the other zeep scenarios do not call, with zeep generated from the
reference 2_2 WSDL (tests/clients/test_python.py sets the store up and checks each
step): syncLead, getMultipleLeads, listMObjects, describeMObject, getChannels, getTags,
mergeLeads, importToList, getImportToListStatus, syncMObjects, getMObjects,
deleteMObjects."""

from __future__ import annotations

import time
from typing import Any

import zeep
from tests.clients.python.zeep_common import BINDING, ENDPOINT, PREFIX, WSDL, emit, header


def main() -> None:
    service = zeep.Client(WSDL).create_service(BINDING, ENDPOINT)
    call: Any = lambda name, **kw: getattr(service, name)(**kw, _soapheaders=header())  # noqa: E731
    first = call("syncLead", leadRecord={"Email": f"{PREFIX}-w@example.com"}, returnLead=False)
    second = call("syncLead", leadRecord={"Email": f"{PREFIX}-l@example.com"}, returnLead=False)
    emit("sync_lead", ids=[first.leadId, second.leadId])
    page = call(
        "getMultipleLeads",
        leadSelector=client_type(service, "LeadKeySelector")(
            keyType="IDNUM", keyValues={"stringItem": [str(first.leadId)]}
        ),
    )
    emit("get_multiple", returnCount=page.returnCount)
    emit("list_mobjects", objects=list(call("listMObjects")))
    described = call("describeMObject", objectName="Opportunity")
    emit("describe", name=described.name)
    channels = call("getChannels")
    emit("channels", names=[t.tagValue for t in channels.tagStatus])
    tags = call("getTags")
    emit("tags", tags=[[t.type, list(t.values.stringItem)] for t in tags.tag])
    merged = call(
        "mergeLeads",
        winningLeadKeyList={"attribute": [{"attrName": "IDNUM", "attrValue": str(first.leadId)}]},
        losingLeadKeyLists={
            "keyList": [{"attribute": [{"attrName": "IDNUM", "attrValue": str(second.leadId)}]}]
        },
    )
    emit("merge", status=merged.status, losers=list(merged.losingLeadIdList.integerItem))
    started = call(
        "importToList",
        programName="Spring",
        importFileHeader="Email Address,Last Name",
        importFileRows={"stringItem": [f"{PREFIX}-i@example.com,Imported"]},
        importListMode="UPSERTLEADS",
        listName="Imported",
        clearList=False,
        campaignName=None,
    )
    status = None
    for _ in range(200):
        status = call("getImportToListStatus", programName="Spring", listName="Imported")
        if status.status != "PROCESSING":
            break
        time.sleep(0.05)
    assert status is not None
    emit("import", started=started, status=status.status, imported=status.rowsImported)
    synced = call(
        "syncMObjects",
        mObjectList={"mObject": [{"type": "Opportunity",
                                  "attribList": {"attrib": [{"name": "Name", "value": "Deal"}]}}]},
        operation="UPSERT",
    )  # fmt: skip
    opportunity = synced.mObjStatus[0].id
    found = call("getMObjects", type="Opportunity", id=opportunity)
    deleted = call(
        "deleteMObjects", mObjectList={"mObject": [{"type": "Opportunity", "id": opportunity}]}
    )
    emit(
        "mobjects",
        synced=synced.mObjStatus[0].status,
        found=[o.id for o in found.mObjectList.mObject],
        deleted=deleted.mObjStatus[0].status,
    )


def client_type(service: Any, name: str) -> Any:
    return service._client.get_type(f"{{http://www.marketo.com/mktows/}}{name}")


if __name__ == "__main__":
    main()
