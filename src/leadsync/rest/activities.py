"""The Activities endpoints (rest-api/activities.md, paging-tokens.md): activity types,
date-based paging tokens, and the two streams (every activity, and lead changes) over the
same change stream as getLeadChanges, so a page never skips or repeats an activity while
writers commit."""

from __future__ import annotations

from typing import Any

from leadsync.activities import CHANGE_DATA_VALUE, KINDS, NEW_LEAD, Activity
from leadsync.errors import BadParameter, ParameterRequired
from leadsync.rest.fields import describe
from leadsync.rest.registry import Answer, RestCall, endpoint
from leadsync.rest.values import iso, parse_time
from leadsync.service.upsert import rest_fields

MAX_BATCH = 300
MAX_TYPES = 10
MAX_LEADS = 30
# Attributes whose values are numbers in REST's records.
_NUMERIC = frozenset({"Lead ID", "List ID", "Campaign ID"})


@endpoint("/rest/v1/activities/types.json")
def activity_types(call: RestCall) -> Answer:
    result = []
    for kind in sorted(KINDS.values(), key=lambda k: k.id):
        result.append(
            {
                "id": kind.id,
                "name": kind.name,
                "description": kind.name,
                "primaryAttribute": {"name": _primary(kind.id), "dataType": "string"},
                "attributes": [
                    {"name": name, "dataType": "integer" if name in _NUMERIC else "string"}
                    for name in kind.attributes
                ],
            }
        )
    return {"result": result}


def _primary(kind: int) -> str:
    return {
        NEW_LEAD.id: "Lead ID",
        CHANGE_DATA_VALUE.id: "Attribute Name",
        24: "List ID",
        25: "List ID",
        32: "Lead ID",
        47: "Campaign ID",
    }.get(kind, "Lead ID")


@endpoint("/rest/v1/activities/pagingtoken.json")
def paging_token(call: RestCall) -> Answer:
    since = parse_time("sinceDatetime", call.required("sinceDatetime"))
    return {"nextPageToken": call.services.history.stream_token(call.instance, since)}


def _page(call: RestCall, kinds: frozenset[int]) -> tuple[list[Activity], str, int]:
    """The stream's next page of these kinds, narrowed by leadIds or listId."""
    token = call.required("nextPageToken")
    lead_ids = call.ids("leadIds")
    if len(lead_ids) > MAX_LEADS:
        raise BadParameter(f"Invalid value: {len(lead_ids)} leadIds; at most {MAX_LEADS}")
    list_id = call.integer("listId")
    if list_id is not None and call.get("leadIds"):
        raise BadParameter("Invalid data: give listId or leadIds, not both")
    return call.services.history.stream_page(
        call.instance,
        token,
        call.batch_size(MAX_BATCH),
        kinds,
        tuple(lead_ids) if lead_ids else None,
        list_id,
    )


def _attributes(activity: Activity, skip: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "value": int(value) if name in _NUMERIC and value and value.isdigit() else value,
        }
        for name, value in activity.attributes()
        if name not in skip and value is not None
    ]


def _record(activity: Activity) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": activity.id,
        "marketoGUID": str(activity.id),
        "leadId": activity.lead_id,
        "activityDate": iso(activity.created_at),
        "activityTypeId": activity.kind,
    }
    if activity.kind in (24, 25, 47) and activity.values and str(activity.values[0]).isdigit():
        record["primaryAttributeValueId"] = int(str(activity.values[0]))
    if activity.asset is not None:
        record["primaryAttributeValue"] = activity.asset
    record["attributes"] = _attributes(activity)
    return record


@endpoint("/rest/v1/activities.json")
def get_activities(call: RestCall) -> Answer:
    types = call.ids("activityTypeIds")
    if not types:
        raise ParameterRequired("activityTypeIds cannot be blank")
    if len(types) > MAX_TYPES:
        raise BadParameter(f"Invalid value: {len(types)} activityTypeIds; at most {MAX_TYPES}")
    activities, after, remaining = _page(call, frozenset(types))
    return {
        "nextPageToken": after,
        "moreResult": remaining > 0,
        "result": [_record(a) for a in activities],
    }


@endpoint("/rest/v1/activities/leadchanges.json")
def get_lead_changes(call: RestCall) -> Answer:
    """New Lead and Change Data Value activities; a change appears when its field is
    one of ``fields`` (REST names), as ``fields`` [{id, name, newValue, oldValue}]."""
    names = call.csv("fields")
    if not names:
        raise ParameterRequired("fields cannot be blank")
    catalog = call.services.rest.catalog(call.instance)
    by_rest = rest_fields(catalog)
    numbers = {row["rest"]["name"]: row["id"] for row in describe(catalog)}
    wanted: dict[str, str] = {}  # display name -> REST name
    for name in names:
        field = by_rest.get(name.casefold())
        if field is not None:
            wanted[field.display] = field.rest
    activities, after, remaining = _page(call, frozenset({NEW_LEAD.id, CHANGE_DATA_VALUE.id}))
    result = []
    for activity in activities:
        changed: list[dict[str, Any]] = []
        skip: frozenset[str] = frozenset()
        if activity.kind == CHANGE_DATA_VALUE.id:
            shown, old, new = activity.values[0], activity.values[1], activity.values[2]
            rest = wanted.get(str(shown))
            if rest is None:
                continue
            changed = [{"id": numbers.get(rest), "name": rest, "newValue": new, "oldValue": old}]
            skip = frozenset({"Attribute Name", "Old Value", "New Value"})
        result.append(
            {
                "id": activity.id,
                "marketoGUID": str(activity.id),
                "leadId": activity.lead_id,
                "activityDate": iso(activity.created_at),
                "activityTypeId": activity.kind,
                "fields": changed,
                "attributes": _attributes(activity, skip),
            }
        )
    return {"nextPageToken": after, "moreResult": remaining > 0, "result": result}
