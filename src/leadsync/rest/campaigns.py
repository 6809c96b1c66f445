"""Campaigns and programs (rest-api/smart-campaigns.md, programs.md): listed, and a
campaign triggered or scheduled, recorded as the SOAP operations record them."""

from __future__ import annotations

from typing import Any

from leadsync.campaigns import MAX_REQUEST_LEADS, Campaign
from leadsync.errors import BadParameter, ObjectNotFound, ParameterRequired
from leadsync.rest.registry import Answer, RestCall, endpoint
from leadsync.rest.tokens import after_id, page_token
from leadsync.rest.values import parse_time
from leadsync.service.campaigns import CampaignRequest
from leadsync.service.keys import LeadKey

MAX_BATCH = 300
WORKSPACE = "Default"


def _campaign_json(campaign: Campaign, program_ids: dict[str, int]) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "name": campaign.name,
        "description": campaign.description,
        "type": "trigger" if campaign.requestable else "batch",
        "programName": campaign.program,
        "programId": program_ids.get(campaign.program),
        "workspaceName": WORKSPACE,
        "active": campaign.requestable,
    }


def _campaign(call: RestCall) -> Campaign:
    campaign_id = call.path_id()
    for campaign in call.services.rest.campaigns(call.instance):
        if campaign.id == campaign_id:
            return campaign
    raise ObjectNotFound(f"Object not found: no campaign has id {campaign_id}")


def _program_ids(call: RestCall) -> dict[str, int]:
    return {p.name: p.id for p in call.services.rest.programs(call.instance)}


@endpoint("/rest/v1/campaigns.json")
def get_campaigns(call: RestCall) -> Answer:
    rest = call.services.rest
    ids = set(call.ids("id"))
    names = set(call.csv("name"))
    programs = set(call.csv("programName"))
    size = call.batch_size(MAX_BATCH)
    key = rest.stream_key()
    start = after_id(key, call, "campaigns", "")
    chosen = sorted(
        (
            c
            for c in rest.campaigns(call.instance)
            if c.id > start
            and (not ids or c.id in ids)
            and (not names or c.name in names)
            and (not programs or c.program in programs)
        ),
        key=lambda c: c.id,
    )
    program_ids = _program_ids(call)
    answer: Answer = {"result": [_campaign_json(c, program_ids) for c in chosen[:size]]}
    if len(chosen) > size:
        answer["nextPageToken"] = page_token(key, call, "campaigns", "", chosen[size - 1].id)
    return answer


@endpoint("/rest/v1/campaigns/{id}.json")
def get_campaign(call: RestCall) -> Answer:
    return {"result": [_campaign_json(_campaign(call), _program_ids(call))]}


def _input(call: RestCall) -> dict[str, Any]:
    body = call.body if isinstance(call.body, dict) else {}
    given = body.get("input", {})
    if not isinstance(given, dict):
        raise BadParameter("Invalid value for input. Required of type 'object'")
    return given


def _tokens(given: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    tokens = given.get("tokens") or []
    if not isinstance(tokens, list) or not all(
        isinstance(t, dict) and isinstance(t.get("name"), str) for t in tokens
    ):
        raise BadParameter("Invalid value for tokens: a list of {name, value}")
    return tuple((t["name"], str(t.get("value", ""))) for t in tokens)


@endpoint("/rest/v1/campaigns/{id}/trigger.json", "POST")
def trigger_campaign(call: RestCall) -> Answer:
    campaign = _campaign(call)
    given = _input(call)
    leads = given.get("leads")
    if not leads:
        raise ParameterRequired("leads cannot be blank")
    if not isinstance(leads, list) or not all(
        isinstance(lead, dict) and isinstance(lead.get("id"), int) for lead in leads
    ):
        raise BadParameter("Invalid value for leads: a list of {id}")
    if len(leads) > MAX_REQUEST_LEADS:
        raise BadParameter(f"Invalid value: {len(leads)} leads; at most {MAX_REQUEST_LEADS}")
    tokens = _tokens(given)
    request = CampaignRequest(
        "MKTOWS",
        campaign.id,
        None,
        None,
        None,
        tuple(LeadKey("IDNUM", str(lead["id"])) for lead in leads),
    )
    if tokens:  # the service takes tokens with a campaign named; by id here
        request = CampaignRequest(
            "MKTOWS", None, campaign.name, campaign.program, tokens, request.keys
        )
    call.services.campaigns.request(call.instance, request)
    return {"result": [{"id": campaign.id}]}


@endpoint("/rest/v1/campaigns/{id}/schedule.json", "POST")
def schedule_campaign(call: RestCall) -> Answer:
    campaign = _campaign(call)
    given = _input(call)
    run_at = given.get("runAt")
    if run_at is not None and not isinstance(run_at, str):
        raise BadParameter("Invalid value for runAt: an ISO 8601 datetime")
    clone = given.get("cloneToProgramName") or given.get("cloneToProgram")
    call.services.campaigns.schedule(
        call.instance,
        campaign.program,
        campaign.name,
        None if run_at is None else parse_time("runAt", run_at),
        _tokens(given),
        None if clone is None else str(clone),
    )
    return {"result": [{"id": campaign.id}]}


@endpoint("/rest/asset/v1/programs.json")
def get_programs(call: RestCall) -> Answer:
    programs = call.services.rest.programs(call.instance)
    offset = max(call.integer("offset", 0) or 0, 0)
    limit = call.batch_size(200, "maxReturn") if call.get("maxReturn") else 20
    page = programs[offset : offset + limit]
    if not page:
        return {"warnings": ["No assets found for the given search criteria."]}
    return {
        "result": [
            {
                "id": p.id,
                "name": p.name,
                "description": "",
                "type": "program",
                "channel": p.channel,
                "workspace": WORKSPACE,
                "status": "",
                "tags": [{"tagType": t, "tagValue": v} for t, v in p.tags],
            }
            for p in page
        ]
    }
