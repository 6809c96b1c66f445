"""The MObject operations: listMObjects, describeMObject, syncMObjects, getMObjects,
deleteMObjects."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from leadsync.service.mobjects import Found, Sent, Status
from leadsync.service.objects import FieldInfo, ObjectInfo
from leadsync.wire.ops.registry import Answer, Call, handles


@handles("listMObjects")
def list_mobjects(call: Call) -> Answer:
    return {"result": {"objects": list(call.services.objects.names())}}


@handles("describeMObject")
def describe_mobject(call: Call) -> Answer:
    described = call.services.objects.describe(call.instance, call.params.get("objectName"))
    return {"result": {"metadata": _metadata(described)}}


def _metadata(described: ObjectInfo) -> dict[str, object]:
    return {
        "name": described.name,
        "description": described.description,
        "isCustom": described.is_custom,
        "isVirtual": described.is_virtual,
        "fieldList": [_field(field) for field in described.fields],
        "updatedAt": described.updated_at,
    }


def _field(field: FieldInfo) -> tuple[object, ...]:
    """An MObjFieldMetadata, in the schema's element order."""
    return (
        field.name,
        field.description,
        field.display_name,
        field.source_object,
        field.data_type,
        field.size,
        field.is_readonly,
        field.is_update_blocked,
        field.is_name,
        field.is_primary_key,
        field.is_custom,
        False,  # isDynamic
        None,  # dynamicFieldRef
        field.updated_at,
    )


def _attribs(array: dict[str, Any] | None) -> list[tuple[str, str | None]]:
    return [
        (str(a["name"]), None if a.get("value") is None else str(a["value"]))
        for a in (array or {}).get("attrib", [])
        if a and a.get("name")
    ]


def _sent(item: dict[str, Any]) -> Sent:
    key = item.get("externalKey")
    return Sent(
        type=item.get("type"),
        id=item.get("id"),
        external_key=(str(key["name"]), str(key.get("value") or ""))
        if key and key.get("name")
        else None,
        attributes=_attribs(item.get("attribList")),
        type_attributes=[
            (str(t.get("attrType") or ""), [(n, v or "") for n, v in _attribs(t.get("attrList"))])
            for t in (item.get("typeAttribList") or {}).get("typeAttrib", [])
            if t
        ],
    )


def _statuses(statuses: list[Status]) -> dict[str, Any]:
    return {
        "mObjStatusList": {
            "mObjStatus": [
                {
                    "id": s.id,
                    "externalKey": None
                    if s.external_key is None
                    else {"name": s.external_key[0], "value": s.external_key[1]},
                    "status": s.status,
                    "error": s.error,
                }
                for s in statuses
            ]
        }
    }


@handles("syncMObjects")
def sync_mobjects(call: Call) -> Answer:
    params = call.params
    objects = [_sent(item) for item in (params.get("mObjectList") or {}).get("mObject", []) if item]
    statuses = call.services.mobjects.sync(
        call.instance, objects, params.get("operation"), call.now_us
    )
    call.record.records = len(statuses)
    return {"result": _statuses(statuses)}


@handles("deleteMObjects")
def delete_mobjects(call: Call) -> Answer:
    params = call.params
    objects = [_sent(item) for item in (params.get("mObjectList") or {}).get("mObject", []) if item]
    statuses = call.services.mobjects.delete(call.instance, objects)
    call.record.records = len(statuses)
    return {"result": _statuses(statuses)}


def _when(microseconds: int | None) -> datetime | None:
    return (
        None if microseconds is None else datetime.fromtimestamp(microseconds / 1_000_000, tz=UTC)
    )


@handles("getMObjects")
def get_mobjects(call: Call) -> Answer:
    params = call.params
    key = params.get("externalKey")
    criteria = [
        (
            str(c.get("attrName") or ""),
            str(c.get("comparison") or ""),
            str(c.get("attrValue") or ""),
        )
        for c in (params.get("mObjCriteriaList") or {}).get("mObjCriteria", [])
        if c
    ]
    associations = [
        (str(a.get("mObjType") or ""), a.get("id"))
        for a in (params.get("mObjAssociationList") or {}).get("mObjAssociation", [])
        if a
    ]
    found, more, position = call.services.mobjects.get(
        call.instance,
        params.get("type"),
        params.get("id"),
        (str(key["name"]), str(key.get("value") or "")) if key and key.get("name") else None,
        criteria,
        associations,
        bool(params.get("includeDetails")),
        params.get("streamPosition") or None,
    )
    call.record.records = len(found)
    return {
        "result": {
            "returnCount": len(found),
            "hasMore": more,
            "newStreamPosition": position,
            "mObjectList": {"mObject": [_found(f) for f in found]},
        }
    }


def _found(found: Found) -> dict[str, Any]:
    return {
        "type": found.type,
        "id": found.id,
        "externalKey": None
        if found.external_key is None
        else {"name": found.external_key[0], "value": found.external_key[1]},
        "createdAt": _when(found.created_at),
        "updatedAt": _when(found.updated_at),
        "attribList": {"attrib": [{"name": n, "value": v} for n, v in found.attributes]},
        "typeAttribList": None
        if not found.type_attributes
        else {
            "typeAttrib": [
                {"attrType": t, "attrList": {"attrib": [{"name": n, "value": v} for n, v in pairs]}}
                for t, pairs in found.type_attributes
            ]
        },
    }
