"""syncCustomObjects, getCustomObjects and deleteCustomObjects (the model:
leadsync/custom_objects.py).

An object is named by its type's keys: MKTOID (its lead's id) and the type's own keys,
given in ``customObjKeyList``. A sync writes each object in one write transaction and
answers a status per object, in order; an object that cannot be written fails alone, as
markety's captured answers show (``Unknown name attribute list: NAME``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from leadsync.custom_objects import LEAD_LINK, MAX_OBJECTS, CustomObject, ObjectType
from leadsync.errors import BadParameter, BadStreamPosition, ParameterRequired
from leadsync.fields import check_value
from leadsync.service.reads import seal, unseal
from leadsync.store.base import LeadWriter, Store

OPERATIONS = ("UPSERT", "INSERT", "UPDATE")
Pairs = Sequence[tuple[str, str | None]]  # (attrName, attrValue) as sent


@dataclass(frozen=True, slots=True)
class ObjectStatus:
    keys: Pairs  # the key list as sent
    status: str  # CREATED, UPDATED, DELETED, FAILED
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ObjectPage:
    type: ObjectType
    objects: list[CustomObject]
    remaining: int
    position: str


def bounded(items: Sequence[object], required: str) -> None:
    """20109 for no object, 20110 for more than MAX_OBJECTS."""
    if not items:
        raise ParameterRequired(f"Parameter required: {required}")
    if len(items) > MAX_OBJECTS:
        raise BadParameter(f"Bad parameter: {len(items)} objects; at most {MAX_OBJECTS} a call")


def sync_operation(operation: str | None, objects: Sequence[object]) -> str:
    """syncCustomObjects' operation (UPSERT when none is given), its objects checked."""
    operation = operation or "UPSERT"
    if operation not in OPERATIONS:
        raise BadParameter(f"Bad parameter: operation {operation} is not UPSERT, INSERT or UPDATE")
    bounded(objects, "customObjList needs a customObj")
    return operation


class _Failed(Exception):
    """One object cannot be written; ``str()`` says why."""


class CustomObjectService:
    def __init__(self, store: Store) -> None:
        self._store = store

    def object_type(self, instance: str, name: str | None) -> ObjectType:
        """The type ``name`` names (any case); 20110 "Object name is not valid" else."""
        wanted = (name or "").strip().casefold()
        for found in self._store.object_types(instance):
            if found.name.casefold() == wanted:
                return found
        raise BadParameter("Object name is not valid")

    def _keys(self, object_type: ObjectType, pairs: Pairs) -> tuple[int, tuple[str, ...]]:
        """The lead id and key values a key list gives; _Failed when it does not name one
        object of the type."""
        given = {name.strip(): value for name, value in pairs}
        unknown = sorted(set(given) - {LEAD_LINK, *object_type.keys})
        if unknown:
            raise _Failed(f"Unknown name key list: {', '.join(unknown)}")
        lead = (given.get(LEAD_LINK) or "").strip()
        if not lead.isdigit():
            raise _Failed(f"{LEAD_LINK} is required: the id of the object's lead")
        missing = [k for k in object_type.keys if not (given.get(k) or "").strip()]
        if missing:
            raise _Failed(f"Missing key: {', '.join(missing)}")
        return int(lead), tuple((given[k] or "").strip() for k in object_type.keys)

    def _attributes(self, object_type: ObjectType, pairs: Pairs) -> dict[str, str | None]:
        values: dict[str, str | None] = {}
        unknown = []
        for name, value in pairs:
            kind = object_type.field_type(name)
            if kind is None or name in object_type.keys:
                unknown.append(name)
                continue
            if value not in (None, ""):
                wrong = check_value(kind, value)
                if wrong:
                    raise _Failed(f"bad value for field {name}: {value!r} is {wrong}")
            values[name] = value or None
        if unknown:
            raise _Failed(f"Unknown name attribute list: {', '.join(unknown)}")
        return values

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
        stamp = time.time_ns() // 1000 if now_us is None else now_us
        statuses = []
        with self._store.write(instance) as writer:
            for keys, attributes in objects:
                try:
                    status = self._sync_one(
                        writer, instance, object_type, keys, attributes, operation, stamp
                    )
                    statuses.append(ObjectStatus(keys, status))
                except _Failed as failure:
                    statuses.append(ObjectStatus(keys, "FAILED", str(failure)))
        return object_type, statuses

    def _sync_one(
        self,
        writer: LeadWriter,
        instance: str,
        object_type: ObjectType,
        key_pairs: Pairs,
        attribute_pairs: Pairs,
        operation: str,
        stamp: int,
    ) -> str:
        lead_id, keys = self._keys(object_type, key_pairs)
        changes = self._attributes(object_type, attribute_pairs)
        if not writer.find_leads([lead_id], (), ()):
            raise _Failed(f"lead not found: no lead has id {lead_id}")
        found = writer.find_object(object_type.id, lead_id, keys)
        if found is None:
            if operation == "UPDATE":
                raise _Failed("object not found: UPDATE changes only objects that exist")
            kept = {k: v for k, v in changes.items() if v is not None}
            writer.insert_object(object_type.id, lead_id, keys, kept, stamp)
            return "CREATED"
        if operation == "INSERT":
            raise _Failed("object exists already: INSERT creates only new objects")
        merged = dict(found.attributes)
        for name, value in changes.items():
            if value is None:
                merged.pop(name, None)
            else:
                merged[name] = value
        writer.update_object(found.id, merged, stamp)
        return "UPDATED"

    def delete(
        self, instance: str, type_name: str | None, key_lists: Sequence[Pairs]
    ) -> tuple[ObjectType, list[ObjectStatus]]:
        object_type = self.object_type(instance, type_name)
        bounded(key_lists, "customObjKeyLists needs a keyList")
        statuses = []
        with self._store.write(instance) as writer:
            for pairs in key_lists:
                try:
                    lead_id, keys = self._keys(object_type, pairs)
                    found = writer.find_object(object_type.id, lead_id, keys)
                    if found is None:
                        raise _Failed("object not found")
                    writer.delete_object(found.id)
                    statuses.append(ObjectStatus(pairs, "DELETED"))
                except _Failed as failure:
                    statuses.append(ObjectStatus(pairs, "FAILED", str(failure)))
        return object_type, statuses

    def get(
        self,
        instance: str,
        type_name: str | None,
        key_pairs: Pairs,
        position: str | None,
        batch_size: int | None,
    ) -> ObjectPage:
        """The objects whose keys match those given (any of them may be left out; MKTOID
        narrows to a lead), by id, up to 100 a page; the position is leadsync's own."""
        object_type = self.object_type(instance, type_name)
        size = 100 if batch_size is None else batch_size
        if size < 1:
            raise BadParameter(f"Bad parameter: batchSize must be at least 1, not {size}")
        size = min(size, MAX_OBJECTS)
        given = {name.strip(): (value or "").strip() for name, value in key_pairs}
        unknown = sorted(set(given) - {LEAD_LINK, *object_type.keys})
        if unknown:
            raise BadParameter(f"Bad parameter: unknown key {', '.join(unknown)}")
        lead = given.get(LEAD_LINK)
        lead_id = int(lead) if lead and lead.isdigit() else None
        if lead and lead_id is None:
            raise BadParameter(f"Bad parameter: {LEAD_LINK} {lead} is not a lead id")
        keys = [given.get(k) or None for k in object_type.keys]
        key = self._store.stream_key()
        after = 0
        if position:
            data = unseal(key, position)
            if data.get("i") != instance or data.get("t") != object_type.id or "o" not in data:
                raise BadStreamPosition("Bad stream position: not one this server issued")
            after = int(data["o"])
        found, remaining = self._store.page_objects(object_type.id, lead_id, keys, after, size)
        next_position = (
            seal(key, {"i": instance, "t": object_type.id, "o": found[-1].id})
            if remaining and found
            else ""
        )
        return ObjectPage(object_type, found, remaining, next_position)
