"""The Static Lists and List Membership endpoints (rest-api/static-lists.md,
list-membership.md), over the lists listOperation changes; both path spellings
(``/lists/`` and the older ``/list/``) answer."""

from __future__ import annotations

from typing import Any

from leadsync.errors import BadParameter, ObjectNotFound
from leadsync.lists import MAX_MEMBERS, StaticList
from leadsync.rest.registry import Answer, RestCall, endpoint
from leadsync.rest.tokens import after_id, page_token
from leadsync.rest.values import LeadFields, lead_json
from leadsync.service.keys import LeadKey

MAX_BATCH = 300
WORKSPACE = "Default"


def _list_json(item: StaticList) -> dict[str, Any]:
    found: dict[str, Any] = {"id": item.id, "name": item.name}
    if item.program is not None:
        found["programName"] = item.program
    found["workspaceName"] = WORKSPACE
    return found


def _the_list(call: RestCall, name: str = "listId") -> StaticList:
    list_id = call.path_id(name)
    for item in call.services.rest.lists(call.instance):
        if item.id == list_id:
            return item
    raise ObjectNotFound(f"Object not found: no static list has id {list_id}")


@endpoint("/rest/v1/lists.json")
def get_lists(call: RestCall) -> Answer:
    rest = call.services.rest
    ids = set(call.ids("id"))
    names = set(call.csv("name"))
    programs = set(call.csv("programName"))
    workspaces = set(call.csv("workspaceName"))
    size = call.batch_size(MAX_BATCH)
    key = rest.stream_key()
    start = after_id(key, call, "lists", "")
    chosen = [
        item
        for item in rest.lists(call.instance)
        if item.id > start
        and (not ids or item.id in ids)
        and (not names or item.name in names)
        and (not programs or item.program in programs)
        and (not workspaces or WORKSPACE in workspaces)
    ]
    answer: Answer = {"result": [_list_json(item) for item in chosen[:size]]}
    if len(chosen) > size:
        answer["nextPageToken"] = page_token(key, call, "lists", "", chosen[size - 1].id)
    return answer


@endpoint("/rest/v1/lists/{listId}.json")
def get_list(call: RestCall) -> Answer:
    return {"result": [_list_json(_the_list(call))]}


@endpoint("/rest/v1/lists/{listId}/leads.json")
@endpoint("/rest/v1/list/{listId}/leads.json")
def get_list_leads(call: RestCall) -> Answer:
    rest = call.services.rest
    the_list = _the_list(call)
    fields = LeadFields(rest.catalog(call.instance), call.csv("fields"))
    size = call.batch_size(MAX_BATCH)
    key = rest.stream_key()
    scope = str(the_list.id)
    start = after_id(key, call, "list leads", scope)
    leads, remaining = rest.list_leads(call.instance, the_list.id, start, size)
    answer: Answer = {"result": lead_json(leads, fields)}
    if remaining:
        answer["nextPageToken"] = page_token(key, call, "list leads", scope, leads[-1].id)
    return answer


def _lead_ids(call: RestCall) -> list[int]:
    ids = call.lead_ids()
    if len(ids) > MAX_MEMBERS:
        raise BadParameter(f"Invalid value: {len(ids)} leads; at most {MAX_MEMBERS} a call")
    return ids


def _skipped(lead_id: int, code: int, message: str) -> dict[str, Any]:
    return {
        "id": lead_id,
        "status": "skipped",
        "reasons": [{"code": str(code), "message": message}],
    }


@endpoint("/rest/v1/lists/{listId}/leads.json", "POST", "DELETE")
@endpoint("/rest/v1/list/{listId}/leads.json", "POST", "DELETE")
def change_list_leads(call: RestCall) -> Answer:
    """Add (POST) or remove (DELETE) leads, with their Add to List / Remove from List
    activities, in one transaction."""
    the_list = _the_list(call)
    ids = _lead_ids(call)
    services = call.services
    existing = services.rest.existing(call.instance, ids)
    adding = call.method == "POST"
    before = services.rest.members(the_list.id, list(existing))
    services.lists.operate(
        call.instance,
        "ADDTOLIST" if adding else "REMOVEFROMLIST",
        the_list,
        [LeadKey("IDNUM", str(i)) for i in ids],
    )
    result = []
    for lead_id in ids:
        if lead_id not in existing:
            result.append(_skipped(lead_id, 1004, "Lead not found"))
        elif adding:
            result.append({"id": lead_id, "status": "added"})
        elif lead_id in before:
            result.append({"id": lead_id, "status": "removed"})
        else:
            result.append(_skipped(lead_id, 1015, "Lead not in list"))
    return {"result": result}


@endpoint("/rest/v1/lists/{listId}/leads/ismember.json")
@endpoint("/rest/v1/list/{listId}/leads/ismember.json")
def is_member(call: RestCall) -> Answer:
    the_list = _the_list(call)
    ids = _lead_ids(call)
    rest = call.services.rest
    existing = rest.existing(call.instance, ids)
    members = rest.members(the_list.id, list(existing))
    return {
        "result": [
            _skipped(i, 1004, "Lead not found")
            if i not in existing
            else {"id": i, "status": "memberof" if i in members else "notmemberof"}
            for i in ids
        ]
    }
