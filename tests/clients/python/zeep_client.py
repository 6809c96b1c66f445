"""The common client scenario (tests/clients/harness.py) with zeep, WSDL-driven."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from datetime import UTC, datetime

import zeep
import zeep.exceptions

WSDL = os.environ["LEADSYNC_WSDL"]
USER = os.environ["LEADSYNC_USER"]
SECRET = os.environ["LEADSYNC_SECRET"]
PREFIX = os.environ["LEADSYNC_PREFIX"]


def header(secret: str) -> dict[str, object]:
    ts = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
    sig = hmac.new(secret.encode(), (ts + USER).encode(), hashlib.sha1).hexdigest()
    return {
        "authentication": {
            "mktowsUserId": USER,
            "requestSignature": sig,
            "requestTimestamp": ts,
        }
    }


def record(email: str, attrs: dict[str, str]) -> dict[str, object]:
    items = [{"attrName": k, "attrValue": v} for k, v in attrs.items()]
    return {"Email": email, "leadAttributeList": {"attribute": items}}


LEADS = [
    record(
        f"{PREFIX}-1@example.com",
        {"FirstName": "Zoë", "Company": "Acme & Co <east>", "NumberOfEmployees": "42"},
    ),
    record(f"{PREFIX}-2@example.com", {"FirstName": "Ålesund ☃", "Phone": "650-555-1000"}),
]


def statuses(result: object) -> list[dict[str, object]]:
    return [{"leadId": s.leadId, "status": s.status, "error": s.error} for s in result.syncStatus]  # type: ignore[attr-defined]


def fault(call: object) -> dict[str, object]:
    try:
        call()  # type: ignore[operator]
    except zeep.exceptions.Fault as exc:
        return {"faultstring": exc.message, "code": exc.detail.find(".//code").text}
    raise SystemExit("expected a SOAP fault")


def main() -> None:
    # Over HTTPS, trust comes the standard way for requests: REQUESTS_CA_BUNDLE.
    client = zeep.Client(WSDL)
    service = client.service
    sync = service.syncMultipleLeads
    batch = {"leadRecord": LEADS}
    for step in ("create", "update"):
        result = sync(leadRecordList=batch, dedupEnabled=True, _soapheaders=header(SECRET))
        print(json.dumps({"step": step, "statuses": statuses(result)}))
    wrong = fault(
        lambda: sync(
            leadRecordList=batch, dedupEnabled=True, _soapheaders=header("wrong-" + SECRET)
        )
    )
    print(json.dumps({"step": "wrong_key", "fault": wrong}))
    bulk = {"leadRecord": [{"Email": f"{PREFIX}-bulk-{i}@example.com"} for i in range(301)]}
    too_many = fault(
        lambda: sync(leadRecordList=bulk, dedupEnabled=True, _soapheaders=header(SECRET))
    )
    print(json.dumps({"step": "too_many", "fault": too_many}))
    read = []
    for lead in LEADS:
        found = service.getLead(
            leadKey={"keyType": "EMAIL", "keyValue": lead["Email"]}, _soapheaders=header(SECRET)
        )
        for record in found.leadRecordList.leadRecord:
            attributes = {a.attrName: a.attrValue for a in record.leadAttributeList.attribute}
            read.append({"Id": record.Id, "Email": record.Email, "attributes": attributes})
    print(json.dumps({"step": "read_back", "leads": read}))


main()
