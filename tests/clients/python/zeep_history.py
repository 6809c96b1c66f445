"""The history scenario (tests/clients/history.py) with zeep, generated from the
reference 2_2 WSDL (LEADSYNC_WSDL names that file) and bound to LEADSYNC_ENDPOINT."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import zeep
import zeep.exceptions
from tests.clients.python.zeep_common import BINDING, ENDPOINT, PREFIX, WSDL, emit, header

EMAIL = PREFIX + "-h@example.com"


def records(listing: Any, name: str) -> list[Any]:
    return list(getattr(listing, name) or []) if listing is not None else []


def main() -> None:
    client = zeep.Client(WSDL)
    service = client.create_service(BINDING, ENDPOINT)
    for step, company in (("create", "A"), ("update", "B")):
        lead = {
            "Email": EMAIL,
            "leadAttributeList": {
                "attribute": [
                    {"attrName": "FirstName", "attrValue": "Ann"},
                    {"attrName": "Company", "attrValue": company},
                ]
            },
        }
        result = service.syncMultipleLeads(
            leadRecordList={"leadRecord": [lead]}, dedupEnabled=True, _soapheaders=header()
        )
        statuses = [{"leadId": s.leadId, "status": s.status} for s in result.syncStatus]
        emit(step, statuses=statuses)

    key = {"keyType": "EMAIL", "keyValue": EMAIL}
    pages: list[list[object]] = []
    position = None
    while True:  # the offset alone, while remainingCount > 0
        listing = service.getLeadActivity(
            leadKey=key,
            startPosition=None if position is None else {"offset": position},
            batchSize=2,
            _soapheaders=header(),
        )
        found = records(listing.activityRecordList, "activityRecord")
        pages.append([[a.id, a.activityType, a.mktgAssetName] for a in found])
        position = listing.newStartPosition.offset
        if listing.remainingCount == 0:
            break
    emit("activity_by_offset", pages=pages)

    pages, start = [], None
    changes_only = {"includeTypes": {"activityType": ["ChangeDataValue"]}}
    while True:  # the whole newStartPosition, until returnCount is 0
        listing = service.getLeadActivity(
            leadKey=key, activityFilter=changes_only, startPosition=start, batchSize=3,
            _soapheaders=header(),
        )  # fmt: skip
        found = records(listing.activityRecordList, "activityRecord")
        pages.append([[a.id, a.activityType, a.mktgAssetName] for a in found])
        if listing.returnCount == 0:
            break
        start = listing.newStartPosition
    emit("activity_by_position", pages=pages)

    selector = client.get_type("ns0:LeadKeySelector")(
        keyType="EMAIL", keyValues={"stringItem": [EMAIL]}
    )
    start = {"oldestCreatedAt": datetime.now(UTC) - timedelta(hours=1)}
    pages = []
    while True:
        result = service.getLeadChanges(
            startPosition=start, activityFilter=changes_only, batchSize=3,
            leadSelector=selector, _soapheaders=header(),
        )  # fmt: skip
        found = records(result.leadChangeRecordList, "leadChangeRecord")
        pages.append(
            [
                [
                    c.id,
                    c.activityType,
                    c.mktgAssetName,
                    {a.attrName: a.attrValue or "" for a in c.activityAttributes.attribute},
                ]
                for c in found
            ]
        )
        if result.returnCount == 0:
            break
        start = result.newStartPosition
    emit("changes", pages=pages)

    try:
        service.getLeadActivity(
            leadKey={"keyType": "EMAIL", "keyValue": "nobody-" + EMAIL}, _soapheaders=header()
        )
    except zeep.exceptions.Fault as exc:
        emit("unknown_lead", code=exc.detail.find(".//code").text)
    else:
        raise SystemExit("expected fault 20103")


main()
