"""The campaign operations: getCampaignsForSource, requestCampaign, scheduleCampaign,
getChannels, getTags."""

from __future__ import annotations

from typing import Any

from leadsync.lists import Status
from leadsync.service.campaigns import CampaignRequest
from leadsync.wire.envelope import children, local
from leadsync.wire.ops.leads import datetime_param, string_items
from leadsync.wire.ops.lists import lead_keys
from leadsync.wire.ops.registry import Answer, Call, handles


@handles("getCampaignsForSource")
def get_campaigns_for_source(call: Call) -> Answer:
    params = call.params
    found = call.services.campaigns.for_source(
        call.instance, params.get("source"), params.get("name"), bool(params.get("exactName"))
    )
    call.record.records = len(found)
    return {
        "result": {
            "returnCount": len(found),
            "campaignRecordList": {
                "campaignRecord": [
                    {"id": c.id, "name": c.full_name, "description": c.description} for c in found
                ]
            },
        }
    }


@handles("requestCampaign")
def request_campaign(call: Call) -> Answer:
    params = call.params
    request = CampaignRequest(
        source=params.get("source"),
        campaign_id=params.get("campaignId"),
        campaign_name=params.get("campaignName"),
        program_name=params.get("programName"),
        tokens=_tokens(params.get("programTokenList")) or None,  # empty: none given
        keys=tuple(lead_keys((params.get("leadList") or {}).get("leadKey", []))),
    )
    call.services.campaigns.request(call.instance, request, now_us=call.now_us)
    call.record.records = len(request.keys)
    return {"result": {"success": True}}


@handles("scheduleCampaign")
def schedule_campaign(call: Call) -> Answer:
    params = call.params
    run_at = datetime_param("campaignRunAt", params.get("campaignRunAt"))
    call.services.campaigns.schedule(
        call.instance,
        params.get("programName"),
        params.get("campaignName"),
        None if run_at is None else int(run_at.timestamp() * 1_000_000),
        _tokens(params.get("programTokenList")),
        _later_text(call, "cloneToProgramName"),
        now_us=call.now_us,
    )
    return {"result": {"success": True}}


@handles("getChannels")
def get_channels(call: Call) -> Answer:
    names = list(string_items((call.params.get("tag") or {}).get("values")))
    found = call.services.campaigns.channels(call.instance, names)
    call.record.records = len(found)
    return {
        "result": {
            "tags": {
                "tagStatus": [
                    {
                        "tagValue": channel.name,
                        "statusList": {
                            "progressionStatusItem": [
                                {"progressionStatus": {"attrib": _status(status)}}
                                for status in channel.progression
                            ]
                        },
                    }
                    for channel in found
                ]
            }
        }
    }


def _status(status: Status) -> list[dict[str, str]]:
    return [
        {"name": "Status", "value": status.name},
        {"name": "Step", "value": str(status.step)},
        {"name": "Success", "value": "true" if status.success else "false"},
    ]


@handles("getTags")
def get_tags(call: Call) -> Answer:
    wanted = [
        (str(tag.get("type") or "").strip(), tuple(string_items(tag.get("values"))))
        for tag in (call.params.get("tagList") or {}).get("tag", [])
        if tag and str(tag.get("type") or "").strip()
    ]
    found = call.services.campaigns.tags(call.instance, wanted)
    call.record.records = len(found)
    return {
        "result": {
            "tagList": {
                "tag": [{"type": t.type, "values": {"stringItem": list(t.values)}} for t in found]
            }
        }
    }


def _tokens(array: dict[str, Any] | None) -> tuple[tuple[str, str], ...]:
    """A programTokenList's (name, value) pairs; a token without a name is left out."""
    return tuple(
        (str(item["name"]), "" if item.get("value") is None else str(item["value"]))
        for item in (array or {}).get("attrib", [])
        if item and item.get("name")
    )


def _later_text(call: Call, name: str) -> str | None:
    """A text element the 2_2 schema lacks (wire/wsdl.py LATER_ELEMENTS): read on every
    version path."""
    for child in children(call.envelope.body):
        if local(child) == name:
            return child.text
    return None
