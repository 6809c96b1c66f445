"""syncCustomObjects, getCustomObjects and deleteCustomObjects relayed to the upstream's
Custom Objects endpoints. SOAP names an object's lead ``MKTOID``; the upstream's link
field is taken as ``leadId`` (leadsync's own REST API; a Marketo whose type links by
another field answers its own errors). The type's keys are its dedupe fields."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from leadsync.custom_objects import LEAD_LINK, CustomObject, ObjectType
from leadsync.errors import BadParameter, ParameterRequired
from leadsync.fields import FieldType
from leadsync.relay.upstream import Upstream, UpstreamError
from leadsync.service.custom_objects import (
    OPERATIONS,
    CustomObjectService,
    ObjectPage,
    ObjectStatus,
    Pairs,
    bounded,
    sync_operation,
)

LINK = "leadId"
_ACTIONS = dict(zip(OPERATIONS, ("createOrUpdate", "createOnly", "updateOnly"), strict=True))
_TYPES = {
    "integer": FieldType.INTEGER,
    "float": FieldType.FLOAT,
    "boolean": FieldType.BOOLEAN,
    "date": FieldType.DATE,
    "datetime": FieldType.DATETIME,
    "text": FieldType.TEXT,
}


class RelayCustomObjectService(CustomObjectService):
    def __init__(self, upstream: Upstream) -> None:
        self._upstream = upstream

    def object_type(self, instance: str, name: str | None) -> ObjectType:
        if not name or not name.strip():
            raise BadParameter("Object name is not valid")
        try:
            answer = self._upstream.call(
                "GET", f"/rest/v1/customobjects/{name.strip()}/describe.json"
            )
        except UpstreamError:
            raise BadParameter("Object name is not valid") from None
        [described] = answer.get("result") or [{}]
        keys = tuple(f for f in described.get("dedupeFields", []) if f != LINK)
        fields = tuple(
            (str(f["name"]), _TYPES.get(str(f.get("dataType")), FieldType.STRING))
            for f in described.get("fields", [])
            if f.get("name") not in ("marketoGUID", LINK, "createdAt", "updatedAt")
        )
        return ObjectType(0, str(described.get("name", name)), keys, fields)

    def sync(
        self,
        instance: str,
        type_name: str | None,
        objects: Sequence[tuple[Pairs, Pairs]],
        operation: str | None,
        now_us: int | None = None,
    ) -> tuple[ObjectType, list[ObjectStatus]]:
        object_type = self.object_type(instance, type_name)
        operation = sync_operation(operation, objects)
        answer = self._upstream.call(
            "POST",
            f"/rest/v1/customobjects/{object_type.name}.json",
            body={
                "action": _ACTIONS[operation],
                "dedupeBy": "dedupeFields",
                "input": [_record(keys, values) for keys, values in objects],
            },
        )
        results = answer.get("result", [])
        return object_type, [
            _status(keys, result) for (keys, _), result in zip(objects, results, strict=False)
        ]

    def delete(
        self, instance: str, type_name: str | None, key_lists: Sequence[Pairs]
    ) -> tuple[ObjectType, list[ObjectStatus]]:
        object_type = self.object_type(instance, type_name)
        bounded(key_lists, "customObjKeyLists needs a keyList")
        answer = self._upstream.call(
            "POST",
            f"/rest/v1/customobjects/{object_type.name}/delete.json",
            body={"deleteBy": "dedupeFields", "input": [_record(keys, ()) for keys in key_lists]},
        )
        results = answer.get("result", [])
        return object_type, [
            _status(keys, result) for keys, result in zip(key_lists, results, strict=False)
        ]

    def get(
        self,
        instance: str,
        type_name: str | None,
        key_pairs: Pairs,
        position: str | None,
        batch_size: int | None,
    ) -> ObjectPage:
        object_type = self.object_type(instance, type_name)
        given = {name.strip(): (value or "").strip() for name, value in key_pairs if value}
        if LEAD_LINK in given:
            filter_type, value = LINK, given[LEAD_LINK]
        elif given:
            filter_type, value = next(iter(given.items()))
        else:
            raise ParameterRequired(f"Parameter required: {LEAD_LINK} or a key of the type")
        answer = self._upstream.call(
            "GET",
            f"/rest/v1/customobjects/{object_type.name}.json",
            params={"filterType": filter_type, "filterValues": value},
        )
        found = [_object(object_type, item) for item in answer.get("result", [])]
        wanted = {k: v for k, v in given.items() if k != LEAD_LINK}
        lead = given.get(LEAD_LINK)
        chosen = [
            obj
            for obj in found
            if (lead is None or str(obj.lead_id) == lead)
            and all(
                dict(zip(object_type.keys, obj.keys, strict=True)).get(k) == v
                for k, v in wanted.items()
            )
        ]
        return ObjectPage(object_type, chosen, 0, "")


def _record(keys: Pairs, values: Pairs) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for name, value in keys:
        if name.strip() == LEAD_LINK:
            item[LINK] = int(value) if value and value.strip().isdigit() else value
        else:
            item[name.strip()] = value
    for name, value in values:
        item[name] = value
    return item


def _status(keys: Pairs, result: dict[str, Any]) -> ObjectStatus:
    status = str(result.get("status", ""))
    if status in ("created", "updated", "deleted"):
        return ObjectStatus(keys, status.upper())
    reasons = result.get("reasons") or [{}]
    first = reasons[0] if reasons else {}
    return ObjectStatus(
        keys, "FAILED", f"upstream {first.get('code', '?')}: {first.get('message', '')}"
    )


def _object(object_type: ObjectType, item: dict[str, Any]) -> CustomObject:
    attributes = {
        name: str(item[name])
        for name, _ in object_type.fields
        if name not in object_type.keys and item.get(name) is not None
    }
    return CustomObject(
        int(item.get("marketoGUID") or 0),
        int(item.get(LINK) or 0),
        tuple(str(item.get(k, "")) for k in object_type.keys),
        attributes,
        0,
        0,
    )
