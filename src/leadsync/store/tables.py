"""SQL both stores run: the primitives the store families (lists_sql.py,
campaigns_sql.py) are written over.

The families write SQL once, with ``?`` marks; each store gives ``_query`` (a read),
``_change`` (one write in its own transaction; a duplicate name raises ``Duplicate``),
``_ids`` (a SELECT of ids given as one parameter) and, in a write transaction, ``_run``.
PostgreSQL's store rewrites the marks as psycopg's.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any

# What an instance's reset deletes (one ``?``: the instance's name): its leads and what
# hangs off them, its jobs, its usage counts (the admin API's reset; the definitions,
# users and fields stay).
DATA_DELETES = (
    "DELETE FROM list_members WHERE list_id IN (SELECT id FROM lists WHERE instance = ?)",
    "DELETE FROM custom_objects WHERE type_id IN"
    " (SELECT id FROM custom_object_types WHERE instance = ?)",
    *(
        f"DELETE FROM {table} WHERE instance = ?"
        for table in (
            "leads",
            "activities",
            "api_usage",
            "bulk_jobs",
            "mobjects",
            "import_jobs",
            "campaign_runs",
        )
    ),
)
# And with ``everything``: the definitions, the credentials and the fields.
DEFINITION_DELETES = tuple(
    f"DELETE FROM {table} WHERE instance = ?"
    for table in (
        "custom_object_types",
        "campaigns",
        "lists",
        "programs",
        "channels",
        "instance_upstreams",
        "rest_tokens",
        "rest_clients",
        "users",
        "fields",
    )
)
# What removing an instance deletes, in order, before the instance itself: rows that
# reference others first.
INSTANCE_DELETES = DATA_DELETES + DEFINITION_DELETES


_SNAPSHOT_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


def check_snapshot_name(name: str) -> None:
    """ValueError unless ``name`` is letters, digits, _ and -, at most 64 of them."""
    if not _SNAPSHOT_NAME.fullmatch(name):
        raise ValueError(f"bad snapshot name {name!r}: letters, digits, _ and - (64 at most)")


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
