"""What mergeLeads does to the tables, in SQL both stores run (store/tables.py): inside
the merge's write transaction, the losers' memberships, activities and custom objects
move to the winner, then the losers go."""

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
        # A loser's object with the same type and keys as one of the winner's gives way.
        self._run(
            f"DELETE FROM custom_objects WHERE lead_id IN ({select}) AND EXISTS (SELECT 1"
            " FROM custom_objects AS w WHERE w.lead_id = ? AND w.type_id ="
            " custom_objects.type_id AND w.key_text = custom_objects.key_text) RETURNING 1",
            (param, winner),
        )
        self._run(  # and of two losers' alike, the older stays
            f"DELETE FROM custom_objects WHERE lead_id IN ({select}) AND EXISTS (SELECT 1"
            f" FROM custom_objects AS o WHERE o.lead_id IN ({select}) AND o.type_id ="
            " custom_objects.type_id AND o.key_text = custom_objects.key_text"
            " AND o.id < custom_objects.id) RETURNING 1",
            (param, param),
        )
        self._run(
            f"UPDATE custom_objects SET lead_id = ? WHERE lead_id IN ({select}) RETURNING 1",
            (winner, param),
        )
        self._run(  # the losers' opportunity roles are the winner's
            f"UPDATE mobjects SET lead_id = ? WHERE lead_id IN ({select}) RETURNING 1",
            (winner, param),
        )
        self._run(f"DELETE FROM leads WHERE id IN ({select}) RETURNING 1", (param,))
