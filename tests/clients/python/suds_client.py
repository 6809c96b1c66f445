"""The common client scenario (tests/clients/harness.py) with suds-community, WSDL-driven."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from datetime import UTC, datetime
from typing import Any

from suds import WebFault
from suds.client import Client

WSDL = os.environ["LEADSYNC_WSDL"]
USER = os.environ["LEADSYNC_USER"]
SECRET = os.environ["LEADSYNC_SECRET"]
PREFIX = os.environ["LEADSYNC_PREFIX"]

client = Client(WSDL, cache=None)


def sign_in(secret: str) -> None:
    ts = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
    header = client.factory.create("AuthenticationHeaderInfo")
    header.mktowsUserId = USER
    header.requestSignature = hmac.new(
        secret.encode(), (ts + USER).encode(), hashlib.sha1
    ).hexdigest()
    header.requestTimestamp = ts
    client.set_options(soapheaders=header)


def record(email: str, attrs: dict[str, str]) -> Any:
    lead = client.factory.create("LeadRecord")
    lead.Email = email
    attribute_list = client.factory.create("ArrayOfAttribute")
    for name, value in attrs.items():
        attribute = client.factory.create("Attribute")
        attribute.attrName = name
        attribute.attrValue = value
        attribute_list.attribute.append(attribute)
    lead.leadAttributeList = attribute_list
    return lead


def batch(leads: list[Any]) -> Any:
    array = client.factory.create("ArrayOfLeadRecord")
    array.leadRecord = leads
    return array


LEADS = batch(
    [
        record(
            f"{PREFIX}-1@example.com",
            {"FirstName": "Zoë", "Company": "Acme & Co <east>", "NumberOfEmployees": "42"},
        ),
        record(f"{PREFIX}-2@example.com", {"FirstName": "Ålesund ☃", "Phone": "650-555-1000"}),
    ]
)


def statuses(result: Any) -> list[dict[str, object]]:
    return [
        {
            "leadId": int(s.leadId),
            "status": str(s.status),
            "error": None if s.error is None else str(s.error),
        }
        for s in result.syncStatusList.syncStatus
    ]


def fault(leads: Any) -> dict[str, object]:
    try:
        client.service.syncMultipleLeads(leadRecordList=leads, dedupEnabled=True)
    except WebFault as exc:
        return {
            "faultstring": str(exc.fault.faultstring),
            "code": str(exc.fault.detail.serviceException.code),
        }
    raise SystemExit("expected a SOAP fault")


for step in ("create", "update"):
    sign_in(SECRET)
    result = client.service.syncMultipleLeads(leadRecordList=LEADS, dedupEnabled=True)
    print(json.dumps({"step": step, "statuses": statuses(result)}))
sign_in("wrong-" + SECRET)
print(json.dumps({"step": "wrong_key", "fault": fault(LEADS)}))
sign_in(SECRET)
bulk = batch([record(f"{PREFIX}-bulk-{i}@example.com", {}) for i in range(301)])
print(json.dumps({"step": "too_many", "fault": fault(bulk)}))
