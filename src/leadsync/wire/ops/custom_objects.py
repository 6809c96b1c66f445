"""The custom object operations: syncCustomObjects, getCustomObjects,
deleteCustomObjects."""

from __future__ import annotations

from typing import Any

from leadsync.custom_objects import LEAD_LINK, CustomObject, ObjectType
from leadsync.service.custom_objects import ObjectStatus, Pairs
from leadsync.wire.ops.registry import Answer, Call, handles


def _pairs(array: dict[str, Any] | None) -> Pairs:
    """An ArrayOfAttribute's (attrName, attrValue); an attribute without a name is left
    out."""
    return [
        (str(item["attrName"]), None if item.get("attrValue") is None else str(item["attrValue"]))
        for item in (array or {}).get("attribute", [])
        if item and item.get("attrName")
    ]


def _attributes(pairs: Pairs) -> dict[str, Any]:
    return {
        "attribute": [
            {"attrName": name, "attrType": None, "attrValue": value or ""} for name, value in pairs
        ]
    }


def _statuses(object_type: ObjectType, statuses: list[ObjectStatus]) -> list[dict[str, Any]]:
    return [
        {
            "objTypeName": object_type.name,
            "customObjKeyList": _attributes(s.keys),
            "status": s.status,
            "error": s.error,
        }
        for s in statuses
    ]


@handles("syncCustomObjects")
def sync_custom_objects(call: Call) -> Answer:
    params = call.params
    objects = [
        (_pairs(item.get("customObjKeyList")), _pairs(item.get("customObjAttributeList")))
        for item in (params.get("customObjList") or {}).get("customObj", [])
        if item
    ]
    object_type, statuses = call.services.custom_objects.sync(
        call.instance, params.get("objTypeName"), objects, params.get("operation"), call.now_us
    )
    call.record.records = len(statuses)
    return {
        "result": {
            "syncCustomObjStatusList": {"syncCustomObjStatus": _statuses(object_type, statuses)}
        }
    }


@handles("deleteCustomObjects")
def delete_custom_objects(call: Call) -> Answer:
    params = call.params
    key_lists = [
        _pairs(item) for item in (params.get("customObjKeyLists") or {}).get("keyList", [])
    ]
    object_type, statuses = call.services.custom_objects.delete(
        call.instance, params.get("objTypeName"), key_lists
    )
    call.record.records = len(statuses)
    return {
        "result": {
            "deleteCustomObjStatusList": {"syncCustomObjStatus": _statuses(object_type, statuses)}
        }
    }


def _object(object_type: ObjectType, obj: CustomObject, include: set[str] | None) -> dict[str, Any]:
    keys = [(LEAD_LINK, str(obj.lead_id)), *zip(object_type.keys, obj.keys, strict=True)]
    others = [
        (name, obj.attributes[name])
        for name, _ in object_type.fields
        if name in obj.attributes and (include is None or name in include)
    ]
    return {"customObjKeyList": _attributes(keys), "customObjAttributeList": _attributes(others)}


@handles("getCustomObjects")
def get_custom_objects(call: Call) -> Answer:
    params = call.params
    include = {i for i in (params.get("includeAttributes") or {}).get("stringItem", []) if i}
    page = call.services.custom_objects.get(
        call.instance,
        params.get("objTypeName"),
        _pairs(params.get("customObjKeyList")),
        params.get("streamPosition") or None,
        params.get("batchSize"),
    )
    call.record.records = len(page.objects)
    return {
        "result": {
            "objTypeName": page.type.name,
            "returnCount": len(page.objects),
            "remainingCount": page.remaining,
            "newStreamPosition": page.position,
            "customObjList": {
                "customObj": [_object(page.type, o, include or None) for o in page.objects]
            },
        }
    }
