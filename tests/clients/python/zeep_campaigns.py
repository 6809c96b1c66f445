"""The campaign scenario (tests/clients/campaigns.py) with zeep, generated from the
reference 2_2 WSDL (LEADSYNC_WSDL names that file) and bound to LEADSYNC_ENDPOINT."""

from __future__ import annotations

from datetime import UTC, datetime

import zeep
import zeep.exceptions
from tests.clients.python.zeep_common import BINDING, ENDPOINT, PREFIX, WSDL, emit, header


def main() -> None:
    client = zeep.Client(WSDL)
    service = client.create_service(BINDING, ENDPOINT)
    email = f"{PREFIX}-c@example.com"
    result = service.syncMultipleLeads(
        leadRecordList={"leadRecord": [{"Email": email}]}, dedupEnabled=True, _soapheaders=header()
    )
    emit("create", ids=[s.leadId for s in result.syncStatus])
    listed = service.getCampaignsForSource(source="MKTOWS", _soapheaders=header())
    records = listed.campaignRecordList.campaignRecord if listed.campaignRecordList else []
    emit("for_source", campaigns=[[c.id, c.name, c.description] for c in records])
    leads = {"leadKey": [{"keyType": "EMAIL", "keyValue": email}]}
    done = service.requestCampaign(
        source="MKTOWS", campaignId=1, leadList=leads, _soapheaders=header()
    )
    emit("by_id", success=done)  # zeep unwraps a one-element result
    done = service.requestCampaign(
        source="MKTOWS",
        leadList=leads,
        programName="Onboarding",
        campaignName="Welcome",
        programTokenList={"attrib": [{"name": "{{my.greeting}}", "value": "Hi"}]},
        _soapheaders=header(),
    )
    emit("by_name", success=done)  # zeep unwraps a one-element result
    done = service.scheduleCampaign(
        programName="Onboarding",
        campaignName="Monthly",
        campaignRunAt=datetime(2030, 1, 1, tzinfo=UTC),
        _soapheaders=header(),
    )
    emit("schedule", success=done)  # zeep unwraps a one-element result
    try:
        service.requestCampaign(
            source="MKTOWS", campaignId=2, leadList=leads, _soapheaders=header()
        )
    except zeep.exceptions.Fault as fault:
        emit("not_requestable", code=fault.detail.find(".//code").text)


if __name__ == "__main__":
    main()
