"""Channels, programs, static lists and list membership, in SQL both stores run.

``ListTables`` (the store's part) and ``MemberTables`` (the write transaction's part)
are written once, with ``?`` marks, over three primitives each store gives: ``_query``
(a read), ``_change`` (one write in its own transaction; a duplicate name raises
``Duplicate``) and, in a transaction, ``_run``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import orjson

from leadsync.lists import Channel, Program, StaticList


class Duplicate(ValueError):
    """A name is taken already in the instance."""


_LISTS = (
    "SELECT l.id, l.name, p.name FROM lists AS l LEFT JOIN programs AS p ON p.id = l.program_id"
    " WHERE l.instance = ? ORDER BY l.id"
)


class ListTables:
    """The ListStore methods of a store."""

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _change(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _insert(self, what: str, name: str, sql: str, params: Sequence[Any]) -> int:
        # Checked first so that a refused name does not use up an id (a sequence would);
        # the unique constraint still decides between two adds at once.
        instance = params[0]
        if self._query(f"SELECT 1 FROM {what}s WHERE instance = ? AND name = ?", (instance, name)):
            raise Duplicate(f"a {what} named {name} exists already")
        try:
            [(new_id,)] = self._change(sql + " RETURNING id", params)
        except Duplicate:
            raise Duplicate(f"a {what} named {name} exists already") from None
        return int(new_id)

    def add_channel(self, instance: str, name: str, progression: Sequence[str]) -> int:
        return self._insert(
            "channel",
            name,
            "INSERT INTO channels (instance, name, progression) VALUES (?, ?, ?)",
            (instance, name, orjson.dumps(list(progression)).decode()),
        )

    def list_channels(self, instance: str) -> list[Channel]:
        rows = self._query(
            "SELECT id, name, progression FROM channels WHERE instance = ? ORDER BY id",
            (instance,),
        )
        return [Channel(row[0], row[1], tuple(orjson.loads(row[2]))) for row in rows]

    def add_program(
        self,
        instance: str,
        name: str,
        channel: str | None,
        tags: Sequence[tuple[str, str]],
        now_us: int,
    ) -> int:
        if channel is not None and channel not in {c.name for c in self.list_channels(instance)}:
            raise ValueError(f"no channel {channel}: add it with leadsync channels add")
        return self._insert(
            "program",
            name,
            "INSERT INTO programs (instance, name, channel, tags, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (instance, name, channel, orjson.dumps([list(t) for t in tags]).decode(), now_us),
        )

    def list_programs(self, instance: str) -> list[Program]:
        rows = self._query(
            "SELECT id, name, channel, tags FROM programs WHERE instance = ? ORDER BY id",
            (instance,),
        )
        return [
            Program(row[0], row[1], row[2], tuple((t, v) for t, v in orjson.loads(row[3])))
            for row in rows
        ]

    def add_list(self, instance: str, name: str, program: str | None, now_us: int) -> int:
        program_id = None
        if program is not None:
            found = [p.id for p in self.list_programs(instance) if p.name == program]
            if not found:
                raise ValueError(f"no program {program}: add it with leadsync programs add")
            program_id = found[0]
        return self._insert(
            "list",
            name,
            "INSERT INTO lists (instance, name, program_id, created_at) VALUES (?, ?, ?, ?)",
            (instance, name, program_id, now_us),
        )

    def list_lists(self, instance: str) -> list[StaticList]:
        return [StaticList(*row) for row in self._query(_LISTS, (instance,))]

    def list_size(self, list_id: int) -> int:
        [(count,)] = self._query("SELECT count(*) FROM list_members WHERE list_id = ?", (list_id,))
        return int(count)

    def remove_list(self, instance: str, name: str) -> bool:
        found = [s.id for s in self.list_lists(instance) if s.name == name]
        if not found:
            return False
        self._change("DELETE FROM list_members WHERE list_id = ? RETURNING 1", (found[0],))
        self._change("DELETE FROM lists WHERE id = ? RETURNING 1", (found[0],))
        return True

    def members_of(self, list_id: int, lead_ids: Collection[int]) -> set[int]:
        sql, param = _member_sql(self._ids(lead_ids))
        return {int(row[0]) for row in self._query(sql, (list_id, param))}

    def _ids(self, lead_ids: Collection[int]) -> tuple[str, object]:
        """A SELECT of the ids (as column ``i``) given as one parameter, and that
        parameter."""
        raise NotImplementedError


def _member_sql(ids: tuple[str, object]) -> tuple[str, object]:
    select, param = ids
    return f"SELECT lead_id FROM list_members WHERE list_id = ? AND lead_id IN ({select})", param


class MemberTables:
    """The membership changes of a write transaction (LeadWriter): one statement each,
    whatever the number of leads."""

    def _run(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _ids(self, lead_ids: Collection[int]) -> tuple[str, object]:
        raise NotImplementedError

    def members(self, list_id: int, lead_ids: Collection[int]) -> set[int]:
        sql, param = _member_sql(self._ids(lead_ids))
        return {int(row[0]) for row in self._run(sql, (list_id, param))}

    def add_members(self, list_id: int, lead_ids: Collection[int], at: int) -> list[int]:
        select, param = self._ids(lead_ids)
        rows = self._run(
            f"INSERT INTO list_members (list_id, lead_id, added_at) SELECT ?, i, ? FROM"
            f" ({select}) AS s WHERE true ON CONFLICT DO NOTHING RETURNING lead_id",
            (list_id, at, param),
        )
        return sorted(int(row[0]) for row in rows)

    def remove_members(self, list_id: int, lead_ids: Collection[int]) -> list[int]:
        select, param = self._ids(lead_ids)
        rows = self._run(
            f"DELETE FROM list_members WHERE list_id = ? AND lead_id IN ({select})"
            " RETURNING lead_id",
            (list_id, param),
        )
        return sorted(int(row[0]) for row in rows)
