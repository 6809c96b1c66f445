"""zeep's half of the SOAP/REST round trip (tests/clients/test_rest_python.py), on the
served WSDL. ``write`` syncs the two leads of ``LEADS`` (SOAP names, a custom field,
a ForeignSysPersonId each); ``read`` gets each back by EMAIL as zeep's own objects hold
it. One JSON line a step:

    {"step": "write", "statuses": [[1, "CREATED"], [2, "CREATED"]]}
    {"step": "read", "leads": [{"Id": 1, "Email": ..., "ForeignSysPersonId": ...,
                                "attributes": {"FirstName": ..., ...}}, ...]}
"""

from __future__ import annotations

import sys
from typing import Any

import zeep
from tests.clients.python.zeep_common import PREFIX, WSDL, emit, header

LEADS: list[tuple[str, str, dict[str, str]]] = [
    (
        f"{PREFIX}-1@example.com",
        "crm-1",
        {"FirstName": "Zoë", "LastName": "Ng", "LoyaltyTier": "Gold"},
    ),
    (
        f"{PREFIX}-2@example.com",
        "crm-2",
        {"FirstName": "Ålesund ☃", "LastName": "Berg", "LoyaltyTier": "Silver"},
    ),
]


def write(service: Any) -> None:
    records = [
        {
            "Email": email,
            "ForeignSysPersonId": foreign_id,
            "ForeignSysType": "CUSTOM",
            "leadAttributeList": {
                "attribute": [{"attrName": k, "attrValue": v} for k, v in attributes.items()]
            },
        }
        for email, foreign_id, attributes in LEADS
    ]
    result = service.syncMultipleLeads(
        leadRecordList={"leadRecord": records}, dedupEnabled=True, _soapheaders=header()
    )
    emit("write", statuses=[[s.leadId, s.status] for s in result.syncStatus])


def read(service: Any) -> None:
    leads = []
    for email, _, _ in LEADS:
        found = service.getLead(
            leadKey={"keyType": "EMAIL", "keyValue": email}, _soapheaders=header()
        )
        for record in found.leadRecordList.leadRecord:
            listed = record.leadAttributeList.attribute if record.leadAttributeList else []
            leads.append(
                {
                    "Id": record.Id,
                    "Email": record.Email,
                    "ForeignSysPersonId": record.ForeignSysPersonId,
                    "attributes": {a.attrName: a.attrValue for a in listed},
                }
            )
    emit("read", leads=leads)


def main() -> None:
    service = zeep.Client(WSDL).service
    {"write": write, "read": read}[sys.argv[1]](service)


if __name__ == "__main__":
    main()
