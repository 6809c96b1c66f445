"""The Leads endpoints (rest-api/leads.md): sync, push, read by filter or id, describe,
merge, delete; and the usage statistics (rest-api/usage.md)."""

from __future__ import annotations

from typing import Any

from leadsync.activities import Origin
from leadsync.errors import BadParameter, LeadNotFound, ParameterRequired
from leadsync.fields import FieldType
from leadsync.rest.fields import describe
from leadsync.rest.registry import Answer, RestCall, endpoint
from leadsync.rest.tokens import after_id, page_token
from leadsync.rest.values import LeadFields, iso, lead_json
from leadsync.service.keys import LeadKey
from leadsync.service.upsert import MAX_RECORDS, Action, Outcome
from leadsync.service.usage import DAYS, DayUsage
from leadsync.words import quoted

MAX_BATCH = 300
MAX_MERGE_LOSERS = 25
DEFAULT_PARTITION = "Default"


@endpoint("/rest/v1/leads.json", "POST")
def sync_leads(call: RestCall) -> Answer:
    body = call.body if isinstance(call.body, dict) else {}
    action = _action(body.get("action"))
    lookup = body.get("lookupField") or "email"
    if not isinstance(lookup, str):
        raise BadParameter("Invalid value for lookupField. Required of type 'string'")
    _partition(body.get("partitionName"))
    return _upsert(call, action, lookup)


@endpoint("/rest/v1/leads/push.json", "POST")
def push_leads(call: RestCall) -> Answer:
    body = call.body if isinstance(call.body, dict) else {}
    program = body.get("programName")
    if not isinstance(program, str) or not program.strip():
        raise ParameterRequired("programName cannot be blank")
    lookup = body.get("lookupField") or "email"
    if not isinstance(lookup, str):
        raise BadParameter("Invalid value for lookupField. Required of type 'string'")
    reason = str(body.get("reason") or "Web service API")
    source = str(body.get("source") or "Web service API")
    return _upsert(call, Action.CREATE_OR_UPDATE, lookup, Origin(reason, source, "Web service API"))


def _upsert(call: RestCall, action: Action, lookup: str, origin: Origin | None = None) -> Answer:
    items = call.input()
    if len(items) > MAX_RECORDS:
        raise BadParameter(f"Invalid data: {len(items)} records; at most {MAX_RECORDS} a call")
    service = call.services.rest
    if origin is None:
        outcomes = service.upsert(call.instance, items, action, lookup)
    else:
        outcomes = service.upsert(call.instance, items, action, lookup, origin)
    return {"result": [_outcome(o) for o in outcomes]}


def _outcome(outcome: Outcome) -> dict[str, Any]:
    if outcome.status == "skipped":
        return {
            "status": "skipped",
            "reasons": [{"code": str(outcome.code), "message": outcome.message}],
        }
    return {"id": outcome.lead_id, "status": outcome.status}


def _action(value: object) -> Action:
    if value is None or value == "":
        return Action.CREATE_OR_UPDATE
    try:
        return Action(str(value))
    except ValueError:
        choices = ", ".join(a.value for a in Action)
        raise BadParameter(
            f"Invalid value {quoted(str(value))} for action: use {choices}"
        ) from None


def _partition(value: object) -> None:
    if value is not None and value != DEFAULT_PARTITION:
        raise BadParameter(
            f"Invalid value {quoted(str(value))} for partitionName: leadsync has one partition, "
            f"{DEFAULT_PARTITION}"
        )


@endpoint("/rest/v1/leads.json", "GET")
def get_leads(call: RestCall) -> Answer:
    service = call.services.rest
    filter_type = call.required("filterType")
    values = call.csv("filterValues")
    fields = LeadFields(service.catalog(call.instance), call.csv("fields"))
    size = call.batch_size(MAX_BATCH)
    key = service.stream_key()
    start = after_id(key, call, "leads", filter_type)
    leads = [
        lead for lead in service.by_filter(call.instance, filter_type, values) if lead.id > start
    ]
    page = leads[:size]
    answer: Answer = {"result": lead_json(page, fields)}
    if len(leads) > size:
        answer["nextPageToken"] = page_token(key, call, "leads", filter_type, page[-1].id)
    return answer


@endpoint("/rest/v1/lead/{id}.json")
def get_lead(call: RestCall) -> Answer:
    service = call.services.rest
    fields = LeadFields(service.catalog(call.instance), call.csv("fields"))
    lead = service.by_id(call.instance, call.path_id())
    return {"result": [] if lead is None else lead_json([lead], fields)}


@endpoint("/rest/v1/leads/describe.json")
def describe_leads(call: RestCall) -> Answer:
    catalog = call.services.rest.catalog(call.instance)
    return {"result": describe(catalog)}


@endpoint("/rest/v1/leads/describe2.json")
def describe_leads2(call: RestCall) -> Answer:
    catalog = call.services.rest.catalog(call.instance)
    searchable = [["id"], ["email"], ["cookies"]] + [
        [f.rest]
        for f in catalog.fields
        if f.custom and f.type in (FieldType.STRING, FieldType.INTEGER)
    ]
    fields = [
        {
            "name": item["rest"]["name"],
            "displayName": item["displayName"],
            "dataType": item["dataType"],
            **({"length": item["length"]} if "length" in item else {}),
            "updateable": not item["rest"]["readOnly"],
            "crmManaged": False,
        }
        for item in describe(catalog)
    ]
    return {
        "result": [
            {
                "name": "API Lead",
                "description": "Map for API fields",
                "createdAt": iso(catalog.created_at),
                "updatedAt": iso(catalog.created_at),
                "idField": "id",
                "dedupeFields": ["email"],
                "searchableFields": searchable,
                "fields": fields,
            }
        ]
    }


@endpoint("/rest/v1/leads/{id}/merge.json", "POST")
def merge_leads(call: RestCall) -> Answer:
    winner = call.path_id()
    losers = call.ids("leadIds") or call.ids("leadId")
    if not losers:
        raise ParameterRequired("leadId cannot be blank")
    if len(losers) > MAX_MERGE_LOSERS:
        raise BadParameter(f"Invalid value: {len(losers)} leadIds; at most {MAX_MERGE_LOSERS}")
    result = call.services.merge.merge(
        call.instance,
        [LeadKey("IDNUM", str(winner))],
        [[LeadKey("IDNUM", str(loser))] for loser in losers],
    )
    if result.status != "MERGED":
        raise LeadNotFound(result.error or "Lead not found")
    return {}


@endpoint("/rest/v1/leads/delete.json", "POST", "DELETE")
@endpoint("/rest/v1/leads.json", "DELETE")  # the older spelling clients still call
def delete_leads(call: RestCall) -> Answer:
    ids = call.lead_ids()
    deleted = call.services.rest.delete(call.instance, ids)
    return {
        "result": [
            {"id": d.lead_id, "status": "deleted"}
            if d.deleted
            else {
                "id": d.lead_id,
                "status": "skipped",
                "reasons": [{"code": "1004", "message": "Lead not found"}],
            }
            for d in deleted
        ]
    }


def _days(found: list[DayUsage], what: str) -> Answer:
    return {
        "result": [
            {
                "date": day.day,
                "total": day.total,
                what: [
                    {"userId": key, "count": n}
                    if what == "users"
                    else {"errorCode": key, "count": n}
                    for key, n in day.by
                ],
            }
            for day in found
        ]
    }


@endpoint("/rest/v1/stats/usage.json")
def usage_today(call: RestCall) -> Answer:
    return _days(call.services.usage.usage(call.instance), "users")


@endpoint("/rest/v1/stats/usage/last7days.json")
def usage_week(call: RestCall) -> Answer:
    return _days(call.services.usage.usage(call.instance, DAYS), "users")


@endpoint("/rest/v1/stats/errors.json")
def errors_today(call: RestCall) -> Answer:
    return _days(call.services.usage.errors(call.instance), "errors")


@endpoint("/rest/v1/stats/errors/last7days.json")
def errors_week(call: RestCall) -> Answer:
    return _days(call.services.usage.errors(call.instance, DAYS), "errors")
