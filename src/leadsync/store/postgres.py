"""The PostgreSQL store: many stateless leadsync processes on one database.

A write transaction first takes transaction-scoped advisory locks on the hashes of every
email key and ForeignSysPersonId of the call, in sorted order (``leadsync_lock_keys``).
No other writer can then give any of those keys to a lead, so the lookups that follow
see every lead that holds them until the commit, and "create when absent" cannot race.
The leads are then read and locked with one ``SELECT ... ORDER BY id FOR UPDATE`` (rows
in id order, so row locks never wait in a cycle either), which also protects leads
reached by Id. Writes go as one statement over arrays each. Details and the argument:
docs/architecture.md.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson
import psycopg
import psycopg.errors
from psycopg import sql
from psycopg.types.json import Jsonb, set_json_loads
from psycopg_pool import ConnectionPool

from leadsync.activities import Activity
from leadsync.errors import ConfigError
from leadsync.fields import Catalog, FieldDef, FieldType
from leadsync.model import DEFAULT_INSTANCE, Account, Lead
from leadsync.store.base import (
    ACTIVITY_COLUMNS,
    REMAINING_CAP,
    WRITE_COLUMNS,
    ActivityQuery,
    ActivityRow,
    ChangePosition,
    LeadQuery,
    TransientStoreError,
    activity_sql,
    expand,
    expand_after,
    lead_page_sql,
    lead_params,
    newest_first,
    page_sql,
    remaining_sql,
    split_updates,
)
from leadsync.store.campaigns_sql import CampaignTables, RunTables
from leadsync.store.custom_objects_sql import ObjectTables, ObjectWriterTables
from leadsync.store.exports_sql import ExportTables, Rows
from leadsync.store.imports_sql import ImportTables
from leadsync.store.lists_sql import ListTables, MemberTables
from leadsync.store.merge_sql import MergeTables
from leadsync.store.mobjects_sql import MObjectTables, MObjectWriterTables
from leadsync.store.postgres_schema import migrate
from leadsync.store.rest_sql import DeleteTables, RestTables
from leadsync.store.tables import INSTANCE_DELETES, Duplicate, check_snapshot_name

CONNECT_TIMEOUT_S = 3
_LEAD_COLUMNS = (
    "id, email, foreign_id, foreign_type, attrs, created_at, updated_at, cookie, instance"
)


def key_lock(kind: str, value: str, instance: str) -> int:
    """A signed 64-bit advisory lock id for one key ("e" email key, "f" foreign id)
    of one instance."""
    digest = hashlib.blake2b(f"{kind}:{instance}\x00{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


# What ``_change_alone`` writes under (bulk extract jobs' enqueue and claim), and the
# rows a streaming read fetches a round trip.
_ALONE_LOCK = key_lock("j", "bulk_jobs", "")
STREAM_ROWS = 10_000


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _jsonb(lead: Lead) -> Jsonb:
    return Jsonb(lead.attributes, dumps=_dumps)


# Writes go as one statement over arrays (unnest), not one execution per lead: a call's
# 300 rows cost PostgreSQL one plan and one round trip instead of 300 executions.
_ARRAY_TYPES = {
    "id": "int",
    "email": "text",
    "email_key": "text",
    "foreign_id": "text",
    "foreign_type": "text",
    "attrs": "jsonb",
    "created_at": "bigint",
    "updated_at": "bigint",
    "cookie": "text",
}


def _rows_sql(columns: Sequence[str]) -> str:
    """The rows given as one array per column, named ``u``."""
    arrays = ", ".join(f"%b::{_ARRAY_TYPES[column]}[]" for column in columns)
    return f"unnest({arrays}) AS u({', '.join(columns)})"


_GIVEN = WRITE_COLUMNS[:-1]  # instance, the last, is the writer's own
_INSERT = (
    f"INSERT INTO leads ({', '.join(WRITE_COLUMNS)})"
    f" SELECT {', '.join(f'u.{column}' for column in _GIVEN)}, %s FROM {_rows_sql(_GIVEN)}"
)
_UPDATE_KEYED = (
    f"UPDATE leads SET {', '.join(f'{column} = u.{column}' for column in _GIVEN[1:])}"
    f" FROM {_rows_sql(_GIVEN)} WHERE leads.id = u.id"
)
_UPDATE_PLAIN = (
    "UPDATE leads SET attrs = u.attrs, updated_at = u.updated_at"
    f" FROM {_rows_sql(('id', 'attrs', 'updated_at'))} WHERE leads.id = u.id"
)


_INSERT_ACTIVITIES = (
    "INSERT INTO activities (id, instance, lead_id, kind, created_at, n, body)"
    " SELECT * FROM unnest(%b::bigint[], %b::text[], %b::int[], %b::smallint[], %b::bigint[],"
    " %b::int[], %b::text[])"
)
_XMIN = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
# A page that stops short because writers are still running below its horizon waits
# for them this long, in these steps, so that a change committed before the call is in it.
HORIZON_WAIT_S = 0.2
HORIZON_STEP_S = 0.005


def _columns(rows: Sequence[Sequence[object]]) -> list[list[object]]:
    return [list(column) for column in zip(*rows, strict=True)]


def _marks(sql: str) -> str:
    """SQL written with ``?`` marks (store/lists_sql.py) in psycopg's."""
    return sql.replace("?", "%s")


def _ids(lead_ids: Collection[int]) -> tuple[str, object]:
    return "SELECT unnest(?::int[]) AS i", sorted(set(lead_ids))


def _configure(conn: psycopg.Connection[Any]) -> None:
    set_json_loads(orjson.loads, conn)


def _lead(row: Sequence[Any]) -> Lead:
    return Lead(row[0], row[1], row[2], row[3], dict(row[4]), row[5], row[6], row[7], row[8])


def redact(url: str) -> str:
    """The URL with any password replaced, for banners and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


class _Writer(
    MemberTables, RunTables, MergeTables, ObjectWriterTables, MObjectWriterTables, DeleteTables
):
    def __init__(self, conn: psycopg.Connection[Any], instance: str) -> None:
        self._conn = conn
        self._instance = instance

    def _run(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._conn.execute(_marks(sql), params).fetchall()

    def _ids(self, lead_ids: Collection[int]) -> tuple[str, object]:
        return _ids(lead_ids)

    def find_leads(
        self,
        ids: Collection[int],
        foreign_ids: Collection[str],
        email_keys: Collection[str],
        cookies: Collection[str] = (),
    ) -> list[Lead]:
        scope = self._instance
        keys = sorted(
            {key_lock("f", f, scope) for f in foreign_ids}
            | {key_lock("e", e, scope) for e in email_keys}
            | {key_lock("c", c, scope) for c in cookies}
        )
        if keys:
            self._conn.execute("SELECT leadsync_lock_keys(%s)", (keys,))
        # Locked in id order (the sort runs below the row locks), so row locks never
        # wait in a cycle; a row changed meanwhile is read again as committed and
        # checked against the keys again.
        rows = self._conn.execute(
            f"SELECT {_LEAD_COLUMNS} FROM leads WHERE instance = %s AND (id = ANY(%s)"
            " OR foreign_id = ANY(%s) OR email_key = ANY(%s) OR cookie = ANY(%s))"
            " ORDER BY id FOR UPDATE",
            (scope, list(ids), list(foreign_ids), list(email_keys), list(cookies)),
        ).fetchall()
        return [_lead(row) for row in rows]

    def find_by_field(self, name: str, values: Collection[str]) -> list[Lead]:
        # The same locks as for emails: two calls creating leads with one value of a
        # lookup field queue, and the second finds the first's lead.
        scope = self._instance
        keys = sorted({key_lock("a", f"{name}\x00{value}", scope) for value in values})
        if keys:
            self._conn.execute("SELECT leadsync_lock_keys(%s)", (keys,))
        rows = self._conn.execute(
            f"SELECT {_LEAD_COLUMNS} FROM leads WHERE instance = %s AND attrs ->> %s = ANY(%s)"
            " ORDER BY id FOR UPDATE",
            (scope, name, list(values)),
        ).fetchall()
        return [_lead(row) for row in rows]

    def allocate_ids(self, count: int) -> list[int]:
        if count == 0:
            return []
        rows = self._conn.execute(
            "SELECT nextval('leads_id_seq') FROM generate_series(1, %s)", (count,)
        ).fetchall()
        return sorted(int(row[0]) for row in rows)

    def insert_leads(self, leads: Sequence[Lead]) -> None:
        if leads:
            rows = [lead_params(lead, _jsonb(lead), self._instance)[:-1] for lead in leads]
            self._conn.execute(_INSERT, [self._instance, *_columns(rows)])

    def insert_activities(self, rows: Sequence[ActivityRow]) -> None:
        if not rows:
            return
        total = sum(row[4] for row in rows)
        found = self._conn.execute("SELECT leadsync_activity_ids(%s)", (total,)).fetchone()
        last = int(found[0]) - total  # type: ignore[index]
        numbered = []
        for row in rows:
            last += row[4]
            numbered.append((last, *row))
        self._conn.execute(_INSERT_ACTIVITIES, _columns(numbered))

    def update_leads(
        self, leads: Sequence[Lead], released: Collection[int], rekeyed: Collection[int]
    ) -> None:
        if released:
            self._conn.execute(
                "UPDATE leads SET foreign_id = NULL, foreign_type = NULL WHERE id = ANY(%s)",
                (list(released),),
            )
        keyed, plain = split_updates(leads, rekeyed)
        if keyed:
            rows = [lead_params(lead, _jsonb(lead), self._instance)[:-1] for lead in keyed]
            self._conn.execute(_UPDATE_KEYED, _columns(rows))
        if plain:
            rows = [(lead.id, _jsonb(lead), lead.updated_at) for lead in plain]
            self._conn.execute(_UPDATE_PLAIN, _columns(rows))


class _ChangePage:
    """One page of a change stream, read in one snapshot (the ChangePosition argument).

    With ``X`` the snapshot's xmin (every transaction below it has ended): first the
    band still open, then a new band (rows of transactions in ``[horizon, X)`` with ids
    the stream passed already), then new rows (ids past ``last_id``, transactions below
    ``X``). A band cut short by the page's size stays open in the position."""

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        where: str,
        params: list[object],
        position: ChangePosition,
        limit: int,
    ) -> None:
        self._conn = conn
        self._where = where
        self._params = params
        self.position = position
        self._limit = limit
        self.rows: list[Activity] = []
        self._xmin = 0

    @property
    def full(self) -> bool:
        return len(self.rows) >= self._limit

    def _select(self, condition: str, params: Sequence[object], after: int) -> list[Activity]:
        """The next activities with ids above ``after`` of the rows ``condition`` selects
        (a row may hold a run the last page cut)."""
        wanted = self._limit - len(self.rows)
        rows = self._conn.execute(
            f"SELECT {ACTIVITY_COLUMNS} FROM activities WHERE {self._where} AND {condition}"
            " ORDER BY id LIMIT %s",
            [*self._params, *params, wanted],
        ).fetchall()
        found = expand_after(rows, after, wanted)
        self.rows.extend(found)
        return found

    def _band(self, start: int, end: int, after: int) -> None:
        """Rows of transactions in [start, end) with ids in (after, last_id]."""
        last = self.position.last_id
        found = self._select(
            "txid >= %s::text::xid8 AND txid < %s::text::xid8 AND id > %s AND id <= %s",
            (str(start), str(end), after, last),
            after,
        )
        if self.full and found:
            self.position = ChangePosition(start, last, end, found[-1].id)
        else:
            self.position = ChangePosition(end, last)

    def read(self) -> None:
        position = self.position
        self._xmin = max(
            int(self._conn.execute(_XMIN).fetchone()[0]),  # type: ignore[index]
            position.horizon,
            position.band_end,
        )
        if position.band_end > position.horizon:
            self._band(position.horizon, position.band_end, position.band_last)
        if not self.full and self._xmin > self.position.horizon:
            self._band(self.position.horizon, self._xmin, 0)
        if not self.full and self.position.band_end == 0:
            found = self._select(
                "txid < %s::text::xid8 AND id > %s",
                (str(self._xmin), self.position.last_id),
                self.position.last_id,
            )
            if found:
                self.position = ChangePosition(self._xmin, found[-1].id)
        self.rows.sort(key=lambda activity: activity.id)

    def held_back(self) -> bool:
        """Whether visible rows wait behind the horizon (writers below it still run)."""
        row = self._conn.execute(
            f"SELECT EXISTS (SELECT 1 FROM activities WHERE {self._where}"
            " AND txid >= %s::text::xid8)",
            [*self._params, str(self._xmin)],
        ).fetchone()
        return bool(row and row[0])

    def remaining(self) -> int:
        """The matching rows not delivered yet, up to REMAINING_CAP."""
        p = self.position
        band_last = min(p.band_last, p.last_id)
        # Per row, the activities not delivered: past last_id for a row below the
        # horizon, past band_last for a row of the band, all of any other.
        row = self._conn.execute(
            "SELECT coalesce(sum(c), 0) FROM (SELECT CASE"
            " WHEN txid < %s::text::xid8 THEN least(n, id - %s)"
            " WHEN txid < %s::text::xid8 AND id <= %s THEN least(n, id - %s)"
            f" ELSE n END AS c FROM activities WHERE {self._where}"
            " AND (txid >= %s::text::xid8 OR id > %s)"
            " AND NOT (txid >= %s::text::xid8 AND txid < %s::text::xid8 AND id <= %s)"
            " LIMIT %s) AS r",
            [
                str(p.horizon),
                p.last_id,
                str(p.band_end),
                p.last_id,
                band_last,
                *self._params,
                str(p.horizon),
                p.last_id,
                str(p.horizon),
                str(p.band_end),
                band_last,
                REMAINING_CAP,
            ],
        ).fetchone()
        return min(int(row[0]), REMAINING_CAP) if row else 0


def _reachable(url: str, location: str, create: bool) -> None:
    """One plain connection first, so that a wrong URL fails in a second with one line
    (a pool would retry in the background and log each attempt); without ``create``,
    a database leadsync never migrated is no store."""
    try:
        with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S) as conn:
            migrated = conn.execute("SELECT to_regclass('leadsync_schema')").fetchone()
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ConfigError(f"cannot open the store {location}: {reason}") from None
    if not create and (migrated is None or migrated[0] is None):
        raise ConfigError(f"no store at {location}")


class PostgresStore(
    ListTables,
    CampaignTables,
    ImportTables,
    ExportTables,
    ObjectTables,
    MObjectTables,
    RestTables,
):
    """A lead store in a PostgreSQL database, reached through a connection pool."""

    def __init__(self, url: str, pool_size: int, create: bool = True) -> None:
        self.location = redact(url)
        _reachable(url, self.location, create)
        try:
            self._pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
                url,
                min_size=1,
                max_size=pool_size,
                open=True,
                timeout=30,
                configure=_configure,
                # A lone read or write is its own transaction: no COMMIT round trip when
                # the pool takes the connection back; several statements that belong
                # together run inside conn.transaction().
                kwargs={"autocommit": True},
            )
            self._pool.wait(timeout=10)
            with self._pool.connection() as conn:
                migrate(conn)
                row = conn.execute("SELECT value FROM meta WHERE name = 'created_at'").fetchone()
                self._created_at = int(str(row[0]))  # type: ignore[index]
        except (psycopg.Error, TimeoutError) as exc:
            if hasattr(self, "_pool"):
                self._pool.close()
            raise ConfigError(f"cannot open the store {self.location}: {exc}") from None

    @contextmanager
    def write(self, instance: str = DEFAULT_INSTANCE) -> Iterator[_Writer]:
        try:
            with self._pool.connection() as conn, conn.transaction():
                yield _Writer(conn, instance)
        except (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure) as exc:
            raise TransientStoreError(str(exc)) from exc

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._pool.connection() as conn:
            return conn.execute(sql, params).fetchall()

    def account(self, user_id: str) -> Account | None:
        rows = self._rows("SELECT secret, instance FROM users WHERE user_id = %s", (user_id,))
        return None if not rows else Account(user_id, rows[0][0], rows[0][1])

    def add_user(self, user_id: str, secret: str, instance: str = DEFAULT_INSTANCE) -> bool:
        try:
            rows = self._rows(
                "INSERT INTO users (user_id, secret, instance) VALUES (%s, %s, %s)"
                " ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret,"
                " instance = excluded.instance RETURNING (xmax = 0)",
                (user_id, secret, instance),
            )
        except psycopg.errors.ForeignKeyViolation:
            raise ValueError(f"no instance {instance!r}") from None
        return bool(rows[0][0])

    def remove_user(self, user_id: str) -> bool:
        return bool(self._rows("DELETE FROM users WHERE user_id = %s RETURNING 1", (user_id,)))

    def list_users(self) -> list[tuple[str, str]]:
        rows = self._rows("SELECT user_id, instance FROM users ORDER BY user_id")
        return [(row[0], row[1]) for row in rows]

    def add_instance(self, name: str) -> bool:
        rows = self._rows(
            "INSERT INTO instances (name) VALUES (%s) ON CONFLICT DO NOTHING RETURNING 1",
            (name,),
        )
        return bool(rows)

    def list_instances(self) -> list[str]:
        return [row[0] for row in self._rows("SELECT name FROM instances ORDER BY name")]

    def instance_use(self, name: str) -> tuple[int, int]:
        [(users, leads)] = self._rows(
            "SELECT (SELECT count(*) FROM users WHERE instance = %s),"
            " (SELECT count(*) FROM leads WHERE instance = %s)",
            (name, name),
        )
        return int(users), int(leads)

    def remove_instance(self, name: str) -> bool:
        with self._pool.connection() as conn, conn.transaction():
            for statement in INSTANCE_DELETES:
                conn.execute(_marks(statement), (name,))
            cur = conn.execute("DELETE FROM instances WHERE name = %s", (name,))
            return cur.rowcount > 0

    def catalog(self, instance: str = DEFAULT_INSTANCE) -> Catalog:
        rows = self._rows(
            "SELECT name, type, added_at, rest_name, display_name FROM fields WHERE instance = %s",
            (instance,),
        )
        custom = (
            FieldDef(name, FieldType(kind), True, added, rest, display)
            for name, kind, added, rest, display in rows
        )
        return Catalog(custom, self._created_at)

    def add_field(self, instance: str, field: FieldDef) -> None:
        self._rows(
            "INSERT INTO fields (instance, name, type, rest_name, display_name, added_at)"
            " VALUES (%s, %s, %s, %s, %s, %s) RETURNING 1",
            (instance, field.name, field.type.value, field.rest, field.display, field.added_at),
        )

    def field_use(self, instance: str, name: str) -> int:
        [(count,)] = self._rows(
            "SELECT count(*) FROM leads WHERE instance = %s AND attrs ? %s", (instance, name)
        )
        return int(count)

    def remove_field(self, instance: str, name: str) -> bool:
        with self._pool.connection() as conn, conn.transaction():
            conn.execute(
                "UPDATE leads SET attrs = attrs - %s WHERE instance = %s AND attrs ? %s",
                (name, instance, name),
            )
            cur = conn.execute(
                "DELETE FROM fields WHERE instance = %s AND name = %s", (instance, name)
            )
            return cur.rowcount > 0

    def read_leads(
        self,
        instance: str,
        ids: Collection[int] = (),
        email_keys: Collection[str] = (),
        cookies: Collection[str] = (),
    ) -> list[Lead]:
        rows = self._rows(
            f"SELECT {_LEAD_COLUMNS} FROM leads WHERE instance = %s AND (id = ANY(%s)"
            " OR email_key = ANY(%s) OR cookie = ANY(%s)) ORDER BY id",
            (instance, list(ids), list(email_keys), list(cookies)),
        )
        return [_lead(row) for row in rows]

    def read_by_field(self, instance: str, name: str, values: Collection[str]) -> list[Lead]:
        rows = self._rows(
            f"SELECT {_LEAD_COLUMNS} FROM leads WHERE instance = %s AND attrs ->> %s = ANY(%s)"
            " ORDER BY id",
            (instance, name, list(values)),
        )
        return [_lead(row) for row in rows]

    def page_leads(
        self, instance: str, query: LeadQuery, after_id: int, limit: int
    ) -> tuple[list[Lead], int]:
        where, params = page_sql(query, instance, after_id, "%s")
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            rows = conn.execute(
                f"SELECT {_LEAD_COLUMNS} FROM leads WHERE {where} ORDER BY id LIMIT %s",
                [*params, limit],
            ).fetchall()
            leads = [_lead(row) for row in rows]
            rest, rest_params = remaining_sql(
                query, instance, leads[-1].id if leads else after_id, "%s"
            )
            counted = conn.execute(rest, rest_params)
            remaining = int(counted.fetchone()[0])  # type: ignore[index]
        return leads, remaining

    def last_lead_id(self) -> int:
        rows = self._rows("SELECT last_value, is_called FROM leads_id_seq")
        return int(rows[0][0]) if rows[0][1] else 0

    def stream_key(self) -> bytes:
        return bytes.fromhex(self._rows("SELECT value FROM meta WHERE name = 'stream_key'")[0][0])

    def iter_leads(self, instance: str | None = None) -> Iterator[Lead]:
        # One snapshot, streamed through a server-side cursor.
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            with conn.cursor(name="leadsync_export") as cur:
                if instance is None:
                    cur.execute(f"SELECT {_LEAD_COLUMNS} FROM leads ORDER BY id")
                else:
                    cur.execute(
                        f"SELECT {_LEAD_COLUMNS} FROM leads WHERE instance = %s ORDER BY id",
                        (instance,),
                    )
                for row in cur:
                    yield _lead(row)

    def attribute_names(self, instance: str | None = None) -> list[str]:
        sql = "SELECT DISTINCT jsonb_object_keys(attrs) AS k FROM leads"
        params: tuple[str, ...] = ()
        if instance is not None:
            sql, params = sql + " WHERE instance = %s", (instance,)
        rows = self._rows(sql + " ORDER BY k", params)
        return [row[0] for row in rows]

    def lead_activities(
        self, instance: str, lead_id: int, query: ActivityQuery, before_id: int | None, limit: int
    ) -> tuple[list[Activity], int]:
        clauses, params = activity_sql(query, "%s")
        below, below_params, counted, counted_params = lead_page_sql(before_id, "%s")
        where = " AND ".join(["instance = %s", "lead_id = %s", *clauses]) + below
        params = [instance, lead_id, *params, *below_params]
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            rows = conn.execute(
                f"SELECT {ACTIVITY_COLUMNS} FROM activities WHERE {where}"
                " ORDER BY id DESC LIMIT %s",
                [*params, limit + 1],
            ).fetchall()
            total = conn.execute(
                f"SELECT coalesce(sum({counted}), 0) FROM activities WHERE {where}",
                [*counted_params, *params],
            ).fetchone()
        found = newest_first(rows, before_id, limit)
        return found, int(total[0]) - len(found)  # type: ignore[index]

    def change_start(self, after_id: int = 0, since: int | None = None) -> ChangePosition:
        # The horizon first, in the same snapshot as the lower bound: every transaction
        # below it has committed, so its rows below the bound are all created before
        # ``since``; rows of later ones are delivered as the band.
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            horizon = int(conn.execute(_XMIN).fetchone()[0])  # type: ignore[index]
            if since is None:
                return ChangePosition(horizon, after_id)
            found = conn.execute(
                "SELECT min(id - n + 1), (SELECT coalesce(max(id), 0) FROM activities)"
                " FROM activities WHERE created_at >= %s",
                (since,),
            ).fetchone()
        first, last = found  # type: ignore[misc]
        before = int(last) if first is None else int(first) - 1
        return ChangePosition(horizon, max(after_id, before))

    def page_changes(
        self, instance: str, query: ActivityQuery, position: ChangePosition, limit: int
    ) -> tuple[list[Activity], ChangePosition, int]:
        clauses, params = activity_sql(query, "%s")
        where = " AND ".join(["instance = %s", *clauses])
        params = [instance, *params]
        deadline = time.monotonic() + HORIZON_WAIT_S
        while True:
            with self._pool.connection() as conn, conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                page = _ChangePage(conn, where, params, position, limit)
                page.read()
                held = not page.full and page.held_back()
                if not held or time.monotonic() >= deadline:
                    return page.rows, page.position, page.remaining()
            time.sleep(HORIZON_STEP_S)

    def iter_activities(
        self, instance: str, lead_id: int | None = None, since: int | None = None
    ) -> Iterator[Activity]:
        clauses, params = activity_sql(
            ActivityQuery(lead_ids=None if lead_id is None else (lead_id,), oldest=since), "%s"
        )
        where = " AND ".join(["instance = %s", *clauses])
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            with conn.cursor(name="leadsync_activities") as cur:
                cur.execute(
                    f"SELECT {ACTIVITY_COLUMNS} FROM activities WHERE {where} ORDER BY id",
                    [instance, *params],
                )
                for row in cur:
                    yield from expand(row)

    def prune_activities(self, before: int, limit: int) -> int:
        rows = self._rows(
            "DELETE FROM activities WHERE id IN (SELECT id FROM activities"
            " WHERE created_at < %s ORDER BY created_at LIMIT %s) RETURNING n",
            (before, limit),
        )
        return sum(int(row[0]) for row in rows)

    def _tables(self, conn: psycopg.Connection[Any]) -> tuple[str, list[str]]:
        schema = str(conn.execute("SELECT current_schema()").fetchone()[0])  # type: ignore[index]
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
            " AND table_type = 'BASE TABLE' ORDER BY table_name",
            (schema,),
        ).fetchall()
        return schema, [str(row[0]) for row in rows]

    def snapshot(self, name: str) -> None:
        check_snapshot_name(name)
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            schema, tables = self._tables(conn)
            copy = sql.Identifier(f"{schema}_snap_{name}".lower())
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(copy))
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(copy))
            for table in tables:
                conn.execute(
                    sql.SQL("CREATE TABLE {}.{} AS TABLE {}.{}").format(
                        copy, sql.Identifier(table), sql.Identifier(schema), sql.Identifier(table)
                    )
                )

    def restore(self, name: str) -> None:
        check_snapshot_name(name)
        with self._pool.connection() as conn, conn.transaction():
            schema, tables = self._tables(conn)
            copy = f"{schema}_snap_{name}".lower()
            found = conn.execute(
                "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (copy,)
            ).fetchone()
            if found is None:
                raise ValueError(f"no snapshot {name}")
            names = sql.SQL(", ").join(sql.Identifier(schema, t) for t in tables)
            conn.execute(sql.SQL("TRUNCATE {}").format(names))
            for table in tables:
                conn.execute(
                    sql.SQL("INSERT INTO {} OVERRIDING SYSTEM VALUE SELECT * FROM {}").format(
                        sql.Identifier(schema, table), sql.Identifier(copy, table)
                    )
                )

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._rows(_marks(sql), params)

    def _change(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._rows(_marks(sql), params)
        except psycopg.errors.UniqueViolation as exc:
            raise Duplicate(str(exc)) from None

    def _stream(self, sql: str, params: Sequence[Any] = ()) -> Rows:
        # One snapshot, through a server-side cursor, STREAM_ROWS rows a round trip.
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            with conn.cursor(name="leadsync_stream") as cur:
                cur.itersize = STREAM_ROWS
                cur.execute(_marks(sql), params)
                yield from cur

    def _change_alone(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_ALONE_LOCK,))
            return conn.execute(_marks(sql), params).fetchall()

    def _ids(self, lead_ids: Collection[int]) -> tuple[str, object]:
        return _ids(lead_ids)

    def ping(self) -> None:
        self._rows("SELECT 1")

    def close(self) -> None:
        self._pool.close()


__all__ = ["PostgresStore", "key_lock", "redact"]
