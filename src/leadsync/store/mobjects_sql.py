"""Stored MObjects and program costs and tags, in SQL both stores run
(store/tables.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from leadsync.mobjects import MObject
from leadsync.store.tables import Tables, WriterTables

_COLUMNS = "id, type, external_key, lead_id, parent_id, attrs, created_at, updated_at"


def _mobject(row: Sequence[Any]) -> MObject:
    return MObject(
        int(row[0]),
        row[1],
        row[2],
        None if row[3] is None else int(row[3]),
        None if row[4] is None else int(row[4]),
        dict(orjson.loads(row[5])),
        int(row[6]),
        int(row[7]),
    )


class MObjectTables(Tables):
    """The MObjectStore methods of a store."""

    def mobjects(self, instance: str, type_name: str, after_id: int = 0) -> list[MObject]:
        rows = self._query(
            f"SELECT {_COLUMNS} FROM mobjects WHERE instance = ? AND type = ? AND id > ?"
            " ORDER BY id",
            (instance, type_name, after_id),
        )
        return [_mobject(row) for row in rows]

    def program_costs(self, program_id: int) -> list[list[str]]:
        rows = self._query("SELECT costs FROM programs WHERE id = ?", (program_id,))
        return [list(cost) for cost in orjson.loads(rows[0][0])] if rows else []


class MObjectWriterTables(WriterTables):
    """A write transaction's MObjects."""

    def find_mobject(
        self, instance: str, type_name: str, object_id: int | None, external_key: str | None
    ) -> MObject | None:
        value: object
        if object_id is not None:
            where, value = "id = ?", object_id
        elif external_key is not None:
            where, value = "external_key = ?", external_key
        else:
            return None
        rows = self._run(
            f"SELECT {_COLUMNS} FROM mobjects WHERE instance = ? AND type = ? AND {where}",
            (instance, type_name, value),
        )
        return _mobject(rows[0]) if rows else None

    def insert_mobject(self, instance: str, obj: MObject) -> int:
        [(new_id,)] = self._run(
            "INSERT INTO mobjects (instance, type, external_key, lead_id, parent_id, attrs,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                instance,
                obj.type,
                obj.external_key,
                obj.lead_id,
                obj.parent_id,
                orjson.dumps(obj.attributes).decode(),
                obj.created_at,
                obj.updated_at,
            ),
        )
        return int(new_id)

    def update_mobject(self, obj: MObject) -> None:
        self._run(
            "UPDATE mobjects SET external_key = ?, lead_id = ?, parent_id = ?, attrs = ?,"
            " updated_at = ? WHERE id = ? RETURNING 1",
            (
                obj.external_key,
                obj.lead_id,
                obj.parent_id,
                orjson.dumps(obj.attributes).decode(),
                obj.updated_at,
                obj.id,
            ),
        )

    def delete_mobject(self, object_id: int) -> None:
        """Delete the object, and the roles of an opportunity."""
        self._run("DELETE FROM mobjects WHERE parent_id = ? RETURNING 1", (object_id,))
        self._run("DELETE FROM mobjects WHERE id = ? RETURNING 1", (object_id,))

    def update_program(
        self, program_id: int, tags: Sequence[tuple[str, str]], costs: Sequence[Sequence[str]]
    ) -> None:
        self._run(
            "UPDATE programs SET tags = ?, costs = ? WHERE id = ? RETURNING 1",
            (
                orjson.dumps([list(t) for t in tags]).decode(),
                orjson.dumps([list(c) for c in costs]).decode(),
                program_id,
            ),
        )
