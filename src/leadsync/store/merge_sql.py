"""What mergeLeads does to the tables, in SQL both stores run (store/tables.py): inside
the merge's write transaction, the losers' memberships and activities move to the
winner, then the losers go."""

from __future__ import annotations

from collections.abc import Collection

from leadsync.store.tables import WriterTables


class MergeTables(WriterTables):
    def merge_into(self, winner: int, losers: Collection[int]) -> None:
        select, param = self._ids(losers)
        self._run(
            "INSERT INTO list_members (list_id, lead_id, added_at) SELECT list_id, ?, added_at"
            f" FROM list_members WHERE lead_id IN ({select}) AND true"
            " ON CONFLICT DO NOTHING RETURNING 1",
            (winner, param),
        )
        self._run(f"DELETE FROM list_members WHERE lead_id IN ({select}) RETURNING 1", (param,))
        self._run(
            f"UPDATE activities SET lead_id = ? WHERE lead_id IN ({select}) RETURNING 1",
            (winner, param),
        )
        self._run(f"DELETE FROM leads WHERE id IN ({select}) RETURNING 1", (param,))
