"""The Custom Objects endpoints (rest-api/custom-objects.md) over the types and objects
the SOAP custom object operations use. REST names the lead link ``leadId`` (SOAP's
``MKTOID``); an object's dedupe fields are ``leadId`` and its type's keys, and its
``marketoGUID`` is its id."""

from __future__ import annotations

from typing import Any

from leadsync.custom_objects import LEAD_LINK, MAX_OBJECTS, CustomObject, ObjectType
from leadsync.errors import BadParameter, ParameterRequired
from leadsync.rest.registry import Answer, RestCall, endpoint
from leadsync.rest.values import iso, typed
from leadsync.service.custom_objects import ObjectStatus

LINK = "leadId"
_ACTIONS = {"createOrUpdate": "UPSERT", "createOnly": "INSERT", "updateOnly": "UPDATE"}


def _type(call: RestCall) -> ObjectType:
    return call.services.custom_objects.object_type(call.instance, call.path["name"])


def _describe(object_type: ObjectType, fields: bool) -> dict[str, Any]:
    found: dict[str, Any] = {
        "name": object_type.name,
        "displayName": object_type.name,
        "idField": "marketoGUID",
        "dedupeFields": [LINK, *object_type.keys],
        "searchableFields": [[LINK, *object_type.keys], [LINK]],
        "relationships": [
            {"field": LINK, "type": "child", "relatedTo": {"name": "Lead", "field": "Id"}}
        ],
    }
    if fields:
        found["fields"] = [
            {
                "name": "marketoGUID",
                "displayName": "Marketo GUID",
                "dataType": "string",
                "length": 36,
                "updateable": False,
            },
            {"name": LINK, "displayName": "Lead ID", "dataType": "integer", "updateable": False},
        ] + [
            {
                "name": name,
                "displayName": name,
                "dataType": str(kind),
                "updateable": name not in object_type.keys,
            }
            for name, kind in object_type.fields
        ]
    return found


@endpoint("/rest/v1/customobjects.json")
def list_types(call: RestCall) -> Answer:
    names = {n.casefold() for n in call.csv("names")}
    types = call.services.rest.object_types(call.instance)
    return {
        "result": [_describe(t, False) for t in types if not names or t.name.casefold() in names]
    }


@endpoint("/rest/v1/customobjects/{name}/describe.json")
def describe_type(call: RestCall) -> Answer:
    return {"result": [_describe(_type(call), True)]}


def _object_json(object_type: ObjectType, obj: CustomObject, seq: int) -> dict[str, Any]:
    record: dict[str, Any] = {"seq": seq, "marketoGUID": str(obj.id), LINK: obj.lead_id}
    record.update(zip(object_type.keys, obj.keys, strict=True))
    for name, kind in object_type.fields:
        if name not in object_type.keys:
            record[name] = typed(obj.attributes.get(name), kind)
    record["createdAt"] = iso(obj.created_at)
    record["updatedAt"] = iso(obj.updated_at)
    return record


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise BadParameter("Invalid data: field values must be strings, numbers or booleans")


def _split(
    object_type: ObjectType, item: object
) -> tuple[list[tuple[str, str | None]], list[tuple[str, str | None]]]:
    """An input record as (key pairs, attribute pairs) in the SOAP service's terms."""
    if not isinstance(item, dict):
        raise BadParameter("Invalid data: each input record must be a JSON object")
    keys: list[tuple[str, str | None]] = []
    attributes: list[tuple[str, str | None]] = []
    for name, value in item.items():
        if name in (LINK, LEAD_LINK):
            keys.append((LEAD_LINK, _text(value)))
        elif name in object_type.keys:
            keys.append((name, _text(value)))
        elif name != "marketoGUID":
            attributes.append((name, _text(value)))
    return keys, attributes


def _reason(status: ObjectStatus) -> dict[str, Any]:
    error = status.error or ""
    code = 1003
    if error.startswith("lead not found"):
        code = 1004
    elif error.startswith("object not found"):
        code = 1013
    elif error.startswith("object exists"):
        code = 1017
    return {"code": str(code), "message": error}


def _find(
    call: RestCall, object_type: ObjectType, keys: list[tuple[str, str | None]]
) -> CustomObject | None:
    page = call.services.custom_objects.get(call.instance, object_type.name, keys, None, 1)
    return page.objects[0] if page.objects else None


@endpoint("/rest/v1/customobjects/{name}.json", "POST")
def sync_objects(call: RestCall) -> Answer:
    object_type = _type(call)
    body = call.body if isinstance(call.body, dict) else {}
    action = body.get("action") or "createOrUpdate"
    if action not in _ACTIONS:
        raise BadParameter(f"Invalid value {action!r} for action: use {', '.join(_ACTIONS)}")
    if (body.get("dedupeBy") or "dedupeFields") != "dedupeFields":
        raise BadParameter("Invalid value for dedupeBy: leadsync dedupes by dedupeFields")
    items = call.input()
    if len(items) > MAX_OBJECTS * 3:
        raise BadParameter(f"Invalid data: {len(items)} records; at most 300 a call")
    split = [_split(object_type, item) for item in items]
    result: list[dict[str, Any]] = []
    service = call.services.custom_objects
    for start in range(0, len(split), MAX_OBJECTS):
        chunk = split[start : start + MAX_OBJECTS]
        _, statuses = service.sync(call.instance, object_type.name, chunk, _ACTIONS[action])
        for offset, status in enumerate(statuses):
            seq = start + offset
            if status.status == "FAILED":
                result.append({"seq": seq, "status": "skipped", "reasons": [_reason(status)]})
                continue
            found = _find(call, object_type, split[seq][0])
            result.append(
                {
                    "seq": seq,
                    "marketoGUID": None if found is None else str(found.id),
                    "status": status.status.lower(),
                }
            )
    return {"result": result}


@endpoint("/rest/v1/customobjects/{name}.json")
def get_objects(call: RestCall) -> Answer:
    object_type = _type(call)
    filter_type = call.required("filterType")
    if filter_type == "dedupeFields":
        raise BadParameter("Invalid value for filterType: name one dedupe field (leadId or a key)")
    name = LEAD_LINK if filter_type in (LINK, LEAD_LINK) else filter_type
    if name != LEAD_LINK and name not in object_type.keys:
        raise BadParameter(f"Invalid value {filter_type!r} for filterType: use {LINK} or a key")
    values = call.csv("filterValues")
    if not values:
        raise ParameterRequired("filterValues cannot be blank")
    if len(values) > 300:
        raise BadParameter(f"Invalid value: {len(values)} filterValues; at most 300")
    found: dict[int, CustomObject] = {}
    for value in values:
        position = None
        while True:
            page = call.services.custom_objects.get(
                call.instance, object_type.name, [(name, value)], position, MAX_OBJECTS
            )
            found.update((obj.id, obj) for obj in page.objects)
            if not page.position:
                break
            position = page.position
    ordered = [found[i] for i in sorted(found)]
    return {"result": [_object_json(object_type, obj, seq) for seq, obj in enumerate(ordered)]}


@endpoint("/rest/v1/customobjects/{name}/delete.json", "POST")
def delete_objects(call: RestCall) -> Answer:
    object_type = _type(call)
    body = call.body if isinstance(call.body, dict) else {}
    if (body.get("deleteBy") or "dedupeFields") != "dedupeFields":
        raise BadParameter("Invalid value for deleteBy: leadsync deletes by dedupeFields")
    items = call.input()
    keys = [_split(object_type, item)[0] for item in items]
    result: list[dict[str, Any]] = []
    for start in range(0, len(keys), MAX_OBJECTS):
        chunk = keys[start : start + MAX_OBJECTS]
        found = [_find(call, object_type, k) for k in chunk]
        _, statuses = call.services.custom_objects.delete(call.instance, object_type.name, chunk)
        for offset, status in enumerate(statuses):
            seq = start + offset
            if status.status == "FAILED":
                result.append({"seq": seq, "status": "skipped", "reasons": [_reason(status)]})
            else:
                obj = found[offset]
                result.append(
                    {
                        "seq": seq,
                        "marketoGUID": None if obj is None else str(obj.id),
                        "status": "deleted",
                    }
                )
    return {"result": result}
