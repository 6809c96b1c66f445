"""Custom object types and their objects, in SQL both stores run (store/tables.py):
``ObjectTables`` the store's part, ``ObjectWriterTables`` the write transaction's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from leadsync.custom_objects import CustomObject, ObjectType
from leadsync.fields import FieldType
from leadsync.store.tables import Tables, WriterTables

_OBJECT_COLUMNS = "id, lead_id, key_text, attrs, created_at, updated_at"


def key_text(keys: Sequence[str]) -> str:
    """The stored form of an object's key values (with its lead, what is unique)."""
    return orjson.dumps(list(keys)).decode()


def _object(row: Sequence[Any]) -> CustomObject:
    return CustomObject(
        int(row[0]),
        int(row[1]),
        tuple(orjson.loads(row[2])),
        dict(orjson.loads(row[3])),
        int(row[4]),
        int(row[5]),
    )


class ObjectTables(Tables):
    """The ObjectStore methods of a store."""

    def add_object_type(self, instance: str, object_type: ObjectType, now_us: int) -> int:
        return self._insert(
            "custom_object_types",
            "custom object",
            object_type.name,
            "INSERT INTO custom_object_types (instance, name, keys, fields, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                instance,
                object_type.name,
                orjson.dumps(list(object_type.keys)).decode(),
                orjson.dumps([[name, kind.value] for name, kind in object_type.fields]).decode(),
                now_us,
            ),
        )

    def object_types(self, instance: str) -> list[ObjectType]:
        rows = self._query(
            "SELECT id, name, keys, fields FROM custom_object_types WHERE instance = ? ORDER BY id",
            (instance,),
        )
        return [
            ObjectType(
                int(row[0]),
                row[1],
                tuple(orjson.loads(row[2])),
                tuple((name, FieldType(kind)) for name, kind in orjson.loads(row[3])),
            )
            for row in rows
        ]

    def page_objects(
        self,
        type_id: int,
        lead_id: int | None,
        keys: Sequence[str | None],
        after_id: int,
        limit: int,
    ) -> tuple[list[CustomObject], int]:
        """Up to ``limit`` objects of the type after ``after_id`` (by id) of the lead
        (any lead: None) whose key values match ``keys`` (None: any), and how many more
        match."""
        where = "type_id = ? AND id > ?"
        params: list[Any] = [type_id, after_id]
        if lead_id is not None:
            where += " AND lead_id = ?"
            params.append(lead_id)
        rows = self._query(
            f"SELECT {_OBJECT_COLUMNS} FROM custom_objects WHERE {where} ORDER BY id", params
        )
        found = [
            obj
            for obj in map(_object, rows)
            if all(want is None or want == have for want, have in zip(keys, obj.keys, strict=False))
        ]
        return found[:limit], max(len(found) - limit, 0)


class ObjectWriterTables(WriterTables):
    """A write transaction's custom objects."""

    def find_object(self, type_id: int, lead_id: int, keys: Sequence[str]) -> CustomObject | None:
        rows = self._run(
            f"SELECT {_OBJECT_COLUMNS} FROM custom_objects WHERE type_id = ? AND lead_id = ?"
            " AND key_text = ?",
            (type_id, lead_id, key_text(keys)),
        )
        return _object(rows[0]) if rows else None

    def insert_object(
        self, type_id: int, lead_id: int, keys: Sequence[str], attributes: dict[str, str], at: int
    ) -> int:
        [(object_id,)] = self._run(
            "INSERT INTO custom_objects (type_id, lead_id, key_text, attrs, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (type_id, lead_id, key_text(keys), orjson.dumps(attributes).decode(), at, at),
        )
        return int(object_id)

    def update_object(self, object_id: int, attributes: dict[str, str], at: int) -> None:
        self._run(
            "UPDATE custom_objects SET attrs = ?, updated_at = ? WHERE id = ? RETURNING 1",
            (orjson.dumps(attributes).decode(), at, object_id),
        )

    def delete_object(self, object_id: int) -> None:
        self._run("DELETE FROM custom_objects WHERE id = ? RETURNING 1", (object_id,))
