"""SQL both stores run: the primitives the store families (lists_sql.py,
campaigns_sql.py) are written over.

The families write SQL once, with ``?`` marks; each store gives ``_query`` (a read),
``_change`` (one write in its own transaction; a duplicate name raises ``Duplicate``),
``_ids`` (a SELECT of ids given as one parameter) and, in a write transaction, ``_run``.
PostgreSQL's store rewrites the marks as psycopg's.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

# What removing an instance deletes, in order (one ``?``: the instance's name), before
# the instance itself: rows that reference others first.
INSTANCE_DELETES = (
    "DELETE FROM leads WHERE instance = ?",
    "DELETE FROM activities WHERE instance = ?",
    "DELETE FROM list_members WHERE list_id IN (SELECT id FROM lists WHERE instance = ?)",
    "DELETE FROM custom_objects WHERE type_id IN"
    " (SELECT id FROM custom_object_types WHERE instance = ?)",
    *(
        f"DELETE FROM {table} WHERE instance = ?"
        for table in (
            "api_usage",
            "bulk_jobs",
            "mobjects",
            "custom_object_types",
            "import_jobs",
            "campaign_runs",
            "campaigns",
            "lists",
            "programs",
            "channels",
        )
    ),
    "DELETE FROM instance_upstreams WHERE instance = ?",
    "DELETE FROM rest_tokens WHERE instance = ?",
    "DELETE FROM rest_clients WHERE instance = ?",
    "DELETE FROM users WHERE instance = ?",
    "DELETE FROM fields WHERE instance = ?",
)


class Duplicate(ValueError):
    """A name is taken already in the instance."""


class Tables:
    """The store's side."""

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _change(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _ids(self, lead_ids: Collection[int]) -> tuple[str, object]:
        """A SELECT of the ids (as column ``i``) given as one parameter, and that
        parameter."""
        raise NotImplementedError

    def _insert(self, table: str, what: str, name: str, sql: str, params: Sequence[Any]) -> int:
        """Run ``sql`` (an INSERT of a named row whose first parameter is its instance);
        the new row's id. Checked first so that a refused name does not use up an id (a
        sequence would); the unique constraint still decides between two adds at once."""
        instance = params[0]
        if self._query(f"SELECT 1 FROM {table} WHERE instance = ? AND name = ?", (instance, name)):
            raise Duplicate(f"a {what} named {name} exists already")
        try:
            [(new_id,)] = self._change(sql + " RETURNING id", params)
        except Duplicate:
            raise Duplicate(f"a {what} named {name} exists already") from None
        return int(new_id)


class WriterTables:
    """A write transaction's side."""

    def _run(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _ids(self, lead_ids: Collection[int]) -> tuple[str, object]:
        raise NotImplementedError


def member_sql(ids: tuple[str, object]) -> tuple[str, object]:
    """The members of a list (parameter 1) among the ids ``_ids`` gave."""
    select, param = ids
    return f"SELECT lead_id FROM list_members WHERE list_id = ? AND lead_id IN ({select})", param
