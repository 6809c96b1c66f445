"""The custom object scenario (tests/clients/custom_objects.py) with zeep, generated from
the reference 2_2 WSDL (LEADSYNC_WSDL names that file) and bound to LEADSYNC_ENDPOINT."""

from __future__ import annotations

from typing import Any

import zeep
import zeep.exceptions
from tests.clients.python.zeep_common import BINDING, ENDPOINT, PREFIX, WSDL, emit, header


def attrs(**values: str) -> dict[str, Any]:
    return {"attribute": [{"attrName": k, "attrValue": v} for k, v in values.items()]}


def statuses(listed: Any) -> list[list[object]]:
    return [[s.status, s.error] for s in listed.syncCustomObjStatus]


def main() -> None:
    client = zeep.Client(WSDL)
    service = client.create_service(BINDING, ENDPOINT)
    email = f"{PREFIX}-o@example.com"
    result = service.syncMultipleLeads(
        leadRecordList={"leadRecord": [{"Email": email}]}, dedupEnabled=True, _soapheaders=header()
    )
    lead = str(result.syncStatus[0].leadId)
    emit("create", ids=[int(lead)])
    objects = [
        {"customObjKeyList": attrs(MKTOID=lead, rid="r1"),
         "customObjAttributeList": attrs(city="San Mateo")},
        {"customObjKeyList": attrs(MKTOID=lead, rid="r2"),
         "customObjAttributeList": attrs(nameasdf="x")},
    ]  # fmt: skip
    synced = service.syncCustomObjects(
        objTypeName="RoadShow",
        customObjList={"customObj": objects},
        operation="UPSERT",
        _soapheaders=header(),
    )
    emit("sync", statuses=statuses(synced))
    found = service.getCustomObjects(
        objTypeName="RoadShow",
        customObjKeyList=attrs(MKTOID=lead),
        includeAttributes={"stringItem": []},
        _soapheaders=header(),
    )
    listed = found.customObjList.customObj if found.customObjList else []
    emit(
        "get",
        objects=[
            {
                a.attrName: a.attrValue
                for part in (o.customObjKeyList, o.customObjAttributeList)
                for a in part.attribute
            }
            for o in listed
        ],
    )
    deleted = service.deleteCustomObjects(
        objTypeName="RoadShow",
        customObjKeyLists={"keyList": [attrs(MKTOID=lead, rid="r1")]},
        _soapheaders=header(),
    )
    emit("delete", statuses=statuses(deleted))
    try:
        service.syncCustomObjects(
            objTypeName="Nope", customObjList={"customObj": objects[:1]}, _soapheaders=header()
        )
    except zeep.exceptions.Fault as fault:
        emit("unknown_type", code=fault.detail.find(".//code").text)


if __name__ == "__main__":
    main()
