"""Channels, programs, static lists and list membership, in SQL both stores run
(store/tables.py): ``ListTables`` the store's part, ``MemberTables`` the write
transaction's."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import orjson

from leadsync.lists import Channel, Program, StaticList, Status
from leadsync.store.tables import Tables, WriterTables, member_sql

_LISTS = (
    "SELECT l.id, l.name, p.name FROM lists AS l LEFT JOIN programs AS p ON p.id = l.program_id"
    " WHERE l.instance = ? ORDER BY l.id"
)


class ListTables(Tables):
    """The ListStore methods of a store."""

    def add_channel(self, instance: str, channel: Channel) -> int:
        steps = [[s.name, s.step, s.success] for s in channel.progression]
        return self._insert(
            "channels",
            "channel",
            channel.name,
            "INSERT INTO channels (instance, name, progression) VALUES (?, ?, ?)",
            (instance, channel.name, orjson.dumps(steps).decode()),
        )

    def list_channels(self, instance: str) -> list[Channel]:
        rows = self._query(
            "SELECT id, name, progression FROM channels WHERE instance = ? ORDER BY id",
            (instance,),
        )
        return [
            Channel(row[0], row[1], tuple(Status(*step) for step in orjson.loads(row[2])))
            for row in rows
        ]

    def add_program(
        self,
        instance: str,
        name: str,
        channel: str | None,
        tags: Sequence[tuple[str, str]],
        now_us: int,
        tokens: Sequence[tuple[str, str]] = (),
    ) -> int:
        if channel is not None and channel not in {c.name for c in self.list_channels(instance)}:
            raise ValueError(f"no channel {channel}: add it with leadsync channels add")
        return self._insert(
            "programs",
            "program",
            name,
            "INSERT INTO programs (instance, name, channel, tags, created_at, tokens)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                instance,
                name,
                channel,
                orjson.dumps([list(t) for t in tags]).decode(),
                now_us,
                orjson.dumps([list(t) for t in tokens]).decode(),
            ),
        )

    def list_programs(self, instance: str) -> list[Program]:
        rows = self._query(
            "SELECT id, name, channel, tags, tokens FROM programs WHERE instance = ? ORDER BY id",
            (instance,),
        )
        return [
            Program(
                row[0],
                row[1],
                row[2],
                tuple((t, v) for t, v in orjson.loads(row[3])),
                tuple((n, v) for n, v in orjson.loads(row[4])),
            )
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
            "lists",
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
        self._change("DELETE FROM import_jobs WHERE list_id = ? RETURNING 1", (found[0],))
        self._change("DELETE FROM lists WHERE id = ? RETURNING 1", (found[0],))
        return True

    def members_of(self, list_id: int, lead_ids: Collection[int]) -> set[int]:
        sql, param = member_sql(self._ids(lead_ids))
        return {int(row[0]) for row in self._query(sql, (list_id, param))}


class MemberTables(WriterTables):
    """The membership changes of a write transaction (LeadWriter): one statement each,
    whatever the number of leads."""

    def members(self, list_id: int, lead_ids: Collection[int]) -> set[int]:
        sql, param = member_sql(self._ids(lead_ids))
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
