"""The default store: one SQLite file in WAL mode.

Writes go through one connection, inside ``BEGIN IMMEDIATE``, behind a write gate: a
thread lock within the process and an ``flock`` on ``<file>.lock`` across processes, so
that a waiting writer (another thread or another ``--workers`` process) wakes the moment
the lock is free instead of polling SQLite's busy handler. ``synchronous=FULL``: a
commit is on disk before the response is sent. WAL checkpoints run on a background
thread (PASSIVE, off the request path) instead of inside a committing call, in one
process per database: the one holding an ``flock`` on ``<file>.checkpointer``. Reads
(users, export) use one connection per thread and never block on the writer.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson

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
from leadsync.store.rest_sql import DeleteTables, RestTables
from leadsync.store.sqlite_checkpoint import Checkpointer
from leadsync.store.sqlite_schema import migrate
from leadsync.store.tables import INSTANCE_DELETES, Duplicate, check_snapshot_name

_LEAD_COLUMNS = (
    "id, email, foreign_id, foreign_type, attrs, created_at, updated_at, cookie, instance"
)
_CHUNK = 500  # bound on host parameters per statement
BUSY_TIMEOUT_MS = 30_000
CACHE_KIB = 64 * 1024  # the writer's page cache: the email index of a large store
WAL_KEPT_BYTES = 64 * 1024 * 1024  # a WAL a burst made longer shrinks back to this
_INSERT = (
    f"INSERT INTO leads ({', '.join(WRITE_COLUMNS)}) VALUES ({', '.join('?' * len(WRITE_COLUMNS))})"
)
# Every written column but id and instance (the rows were found within the instance);
# its parameters are lead_params(...)[1:-1] + lead_params(...)[:1].
_UPDATE = (
    f"UPDATE leads SET {', '.join(f'{column} = ?' for column in WRITE_COLUMNS[1:-1])} WHERE id = ?"
)


def _lead(row: tuple[Any, ...]) -> Lead:
    return Lead(
        row[0], row[1], row[2], row[3], orjson.loads(row[4]), row[5], row[6], row[7], row[8]
    )


_INSERT_ACTIVITY = (
    "INSERT INTO activities (id, instance, lead_id, kind, created_at, n, body)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def _ids(lead_ids: Collection[int]) -> tuple[str, object]:
    return "SELECT value AS i FROM json_each(?)", orjson.dumps(sorted(set(lead_ids))).decode()


def _field(row: tuple[Any, ...]) -> FieldDef:
    name, kind, added, rest, display = row
    return FieldDef(name, FieldType(kind), True, added, rest, display)


def _path(name: str) -> str:
    """The JSON path of one attribute (field names are letters, digits and _)."""
    return f'$."{name}"'


def _wal(conn: sqlite3.Connection) -> None:
    """WAL mode. Several processes opening a new file at once: the switch can be refused
    at once ("database is locked", SQLite's deadlock avoidance skips the busy handler), so
    it is tried again for a few seconds."""
    for attempt in range(100):
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 99:
                raise
            time.sleep(0.05)


def _dumps(attributes: dict[str, str]) -> str:
    return orjson.dumps(attributes).decode()


class _Writer(
    MemberTables, RunTables, MergeTables, ObjectWriterTables, MObjectWriterTables, DeleteTables
):
    def __init__(self, conn: sqlite3.Connection, instance: str) -> None:
        self._conn = conn
        self._instance = instance
        self._next_id: int | None = None

    def _run(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._conn.execute(sql, params).fetchall()

    def _ids(self, lead_ids: Collection[int]) -> tuple[str, object]:
        return _ids(lead_ids)

    def _select(self, column: str, values: Collection[object]) -> list[Lead]:
        # The keys as one JSON array (json_each): for 300 keys ~0.6 ms less than as many
        # bound parameters, which SQLite copies into an ephemeral table first.
        if not values:
            return []
        # By id: "+instance" keeps the planner off the (instance, ...) indexes, which it
        # may prefer on a store without statistics: the rows are found by rowid.
        scope = "+instance" if column == "id" else "instance"
        sql = (
            f"SELECT {_LEAD_COLUMNS} FROM leads WHERE {scope} = ?"
            f" AND {column} IN (SELECT value FROM json_each(?))"
        )
        keys = orjson.dumps(list(values)).decode()
        return [_lead(row) for row in self._conn.execute(sql, (self._instance, keys))]

    def find_leads(
        self,
        ids: Collection[int],
        foreign_ids: Collection[str],
        email_keys: Collection[str],
        cookies: Collection[str] = (),
    ) -> list[Lead]:
        # BEGIN IMMEDIATE already holds the one write lock of the file: no other writer,
        # in this process or another, runs until this transaction ends.
        return (
            self._select("id", ids)
            + self._select("foreign_id", foreign_ids)
            + self._select("email_key", email_keys)
            + self._select("cookie", cookies)
        )

    def find_by_field(self, name: str, values: Collection[str]) -> list[Lead]:
        found: list[Lead] = []
        items = list(values)
        for start in range(0, len(items), _CHUNK):
            chunk = items[start : start + _CHUNK]
            sql = (
                f"SELECT {_LEAD_COLUMNS} FROM leads WHERE instance = ?"
                f" AND json_extract(attrs, ?) IN ({','.join('?' * len(chunk))}) ORDER BY id"
            )
            rows = self._conn.execute(sql, [self._instance, _path(name), *chunk])
            found.extend(_lead(row) for row in rows)
        return found

    def allocate_ids(self, count: int) -> list[int]:
        if self._next_id is None:
            row = self._conn.execute(
                "SELECT seq FROM sqlite_sequence WHERE name = 'leads'"
            ).fetchone()
            self._next_id = (row[0] if row else 0) + 1
        first = self._next_id
        self._next_id += count
        return list(range(first, first + count))

    def insert_leads(self, leads: Sequence[Lead]) -> None:
        rows = [lead_params(lead, _dumps(lead.attributes), self._instance) for lead in leads]
        self._conn.executemany(_INSERT, rows)

    def insert_activities(self, rows: Sequence[ActivityRow]) -> None:
        # The writer holds the file's lock: the ids after the sequence are this
        # transaction's; the row of a run takes its last id, which moves the sequence.
        if not rows:
            return
        found = self._conn.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'activities'"
        ).fetchone()
        last = int(found[0]) if found else 0
        numbered = []
        for row in rows:
            last += row[4]
            numbered.append((last, *row))
        self._conn.executemany(_INSERT_ACTIVITY, numbered)

    def update_leads(
        self, leads: Sequence[Lead], released: Collection[int], rekeyed: Collection[int]
    ) -> None:
        if released:
            self._conn.executemany(
                "UPDATE leads SET foreign_id = NULL, foreign_type = NULL WHERE id = ?",
                [(i,) for i in released],
            )
        keyed, plain = split_updates(leads, rekeyed)
        rows = [lead_params(lead, _dumps(lead.attributes), self._instance) for lead in keyed]
        self._conn.executemany(_UPDATE, [row[1:-1] + row[:1] for row in rows])
        self._conn.executemany(
            "UPDATE leads SET attrs = ?, updated_at = ? WHERE id = ?",
            [(_dumps(lead.attributes), lead.updated_at, lead.id) for lead in plain],
        )


class SqliteStore(
    ListTables,
    CampaignTables,
    ImportTables,
    ExportTables,
    ObjectTables,
    MObjectTables,
    RestTables,
):
    """A lead store in one SQLite file; created (mode 0600) and migrated on open."""

    def __init__(self, path: str, create: bool = True) -> None:
        self.location = path
        self._path = path
        if not os.path.exists(path):
            if not create:
                raise ConfigError(f"no store at {path}")
            directory = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(directory):
                raise ConfigError(f"cannot create the store {path}: no directory {directory}")
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        self._closed = False
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._gate = os.open(f"{path}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        self._writer = self._connect()
        self._writer.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        self._writer.execute("PRAGMA wal_autocheckpoint = 0")
        self._writer.execute(f"PRAGMA journal_size_limit = {WAL_KEPT_BYTES}")
        migrate(self._writer)
        row = self._writer.execute("SELECT value FROM meta WHERE name = 'created_at'")
        self._created_at = int(row.fetchone()[0])
        self._checkpointer = Checkpointer(self._connect, self._gated, f"{path}.checkpointer")

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self._path, isolation_level=None, check_same_thread=False, timeout=30
            )
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            _wal(conn)
            conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"cannot open the store {self._path}: {exc}") from exc
        return conn

    def _reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    @contextmanager
    def _gated(self) -> Iterator[None]:
        """Exclusive across the threads of this process and the processes of the file."""
        with self._write_lock:
            fcntl.flock(self._gate, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._gate, fcntl.LOCK_UN)

    @contextmanager
    def write(self, instance: str = DEFAULT_INSTANCE) -> Iterator[_Writer]:
        with self._gated():
            conn = self._writer
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:  # another process held the lock too long
                raise TransientStoreError(str(exc)) from exc
            try:
                yield _Writer(conn, instance)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        self._checkpointer.committed()

    def account(self, user_id: str) -> Account | None:
        row = (
            self._reader()
            .execute("SELECT secret, instance FROM users WHERE user_id = ?", (user_id,))
            .fetchone()
        )
        return None if row is None else Account(user_id, row[0], row[1])

    def add_user(self, user_id: str, secret: str, instance: str = DEFAULT_INSTANCE) -> bool:
        with self._gated():
            if instance not in self.list_instances():
                raise ValueError(f"no instance {instance!r}")
            found = self._writer.execute("SELECT 1 FROM users WHERE user_id = ?", (user_id,))
            existed = found.fetchone() is not None
            self._writer.execute(
                "INSERT INTO users (user_id, secret, instance) VALUES (?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret,"
                " instance = excluded.instance",
                (user_id, secret, instance),
            )
        return not existed

    def remove_user(self, user_id: str) -> bool:
        with self._gated():
            cur = self._writer.execute("DELETE FROM users WHERE user_id = ?", (user_id,))
        return cur.rowcount > 0

    def list_users(self) -> list[tuple[str, str]]:
        rows = self._reader().execute("SELECT user_id, instance FROM users ORDER BY user_id")
        return [(row[0], row[1]) for row in rows]

    def add_instance(self, name: str) -> bool:
        with self._gated():
            cur = self._writer.execute(
                "INSERT INTO instances (name) VALUES (?) ON CONFLICT DO NOTHING", (name,)
            )
        return cur.rowcount > 0

    def list_instances(self) -> list[str]:
        rows = self._reader().execute("SELECT name FROM instances ORDER BY name")
        return [row[0] for row in rows]

    def instance_use(self, name: str) -> tuple[int, int]:
        conn = self._reader()
        users = conn.execute("SELECT count(*) FROM users WHERE instance = ?", (name,))
        leads = conn.execute("SELECT count(*) FROM leads WHERE instance = ?", (name,))
        return int(users.fetchone()[0]), int(leads.fetchone()[0])

    def remove_instance(self, name: str) -> bool:
        with self.write(name):  # one transaction, behind the write gate
            for statement in INSTANCE_DELETES:
                self._writer.execute(statement, (name,))
            cur = self._writer.execute("DELETE FROM instances WHERE name = ?", (name,))
        return cur.rowcount > 0

    def catalog(self, instance: str = DEFAULT_INSTANCE) -> Catalog:
        rows = self._reader().execute(
            "SELECT name, type, added_at, rest_name, display_name FROM fields WHERE instance = ?",
            (instance,),
        )
        return Catalog((_field(row) for row in rows), self._created_at)

    def add_field(self, instance: str, field: FieldDef) -> None:
        with self._gated():
            self._writer.execute(
                "INSERT INTO fields (instance, name, type, rest_name, display_name, added_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (instance, field.name, field.type.value, field.rest, field.display, field.added_at),
            )

    def field_use(self, instance: str, name: str) -> int:
        row = self._reader().execute(
            "SELECT count(*) FROM leads WHERE instance = ? AND json_type(attrs, ?) IS NOT NULL",
            (instance, _path(name)),
        )
        return int(row.fetchone()[0])

    def remove_field(self, instance: str, name: str) -> bool:
        with self.write(instance):
            self._writer.execute(
                "UPDATE leads SET attrs = json_remove(attrs, ?)"
                " WHERE instance = ? AND json_type(attrs, ?) IS NOT NULL",
                (_path(name), instance, _path(name)),
            )
            cur = self._writer.execute(
                "DELETE FROM fields WHERE instance = ? AND name = ?", (instance, name)
            )
        return cur.rowcount > 0

    def read_leads(
        self,
        instance: str,
        ids: Collection[int] = (),
        email_keys: Collection[str] = (),
        cookies: Collection[str] = (),
    ) -> list[Lead]:
        reader = _Writer(self._reader(), instance)  # the same lookups, without a lock
        found = {lead.id: lead for lead in reader.find_leads(ids, (), email_keys, cookies)}
        return [found[i] for i in sorted(found)]

    def read_by_field(self, instance: str, name: str, values: Collection[str]) -> list[Lead]:
        return _Writer(self._reader(), instance).find_by_field(name, values)

    def page_leads(
        self, instance: str, query: LeadQuery, after_id: int, limit: int
    ) -> tuple[list[Lead], int]:
        where, params = page_sql(query, instance, after_id, "?")
        conn = self._reader()
        conn.execute("BEGIN")  # the page and the count from one snapshot
        try:
            rows = conn.execute(
                f"SELECT {_LEAD_COLUMNS} FROM leads WHERE {where} ORDER BY id LIMIT ?",
                [*params, limit],
            ).fetchall()
            leads = [_lead(row) for row in rows]
            rest, rest_params = remaining_sql(
                query, instance, leads[-1].id if leads else after_id, "?"
            )
            remaining = conn.execute(rest, rest_params).fetchone()[0]
        finally:
            conn.execute("COMMIT")
        return leads, int(remaining)

    def last_lead_id(self) -> int:
        row = (
            self._reader()
            .execute("SELECT seq FROM sqlite_sequence WHERE name = 'leads'")
            .fetchone()
        )
        return int(row[0]) if row else 0

    def stream_key(self) -> bytes:
        row = self._reader().execute("SELECT value FROM meta WHERE name = 'stream_key'")
        return bytes.fromhex(row.fetchone()[0])

    def iter_leads(self, instance: str | None = None) -> Iterator[Lead]:
        # A dedicated connection: the export is one consistent snapshot.
        conn = self._connect()
        where, params = ("", ()) if instance is None else (" WHERE instance = ?", (instance,))
        try:
            conn.execute("BEGIN")
            sql = f"SELECT {_LEAD_COLUMNS} FROM leads{where} ORDER BY id"
            for row in conn.execute(sql, params):
                yield _lead(row)
            conn.execute("COMMIT")
        finally:
            conn.close()

    def attribute_names(self, instance: str | None = None) -> list[str]:
        where, params = ("", ()) if instance is None else (" WHERE instance = ?", (instance,))
        rows = self._reader().execute(
            f"SELECT DISTINCT j.key FROM leads, json_each(leads.attrs) AS j{where} ORDER BY j.key",
            params,
        )
        return [row[0] for row in rows]

    def lead_activities(
        self, instance: str, lead_id: int, query: ActivityQuery, before_id: int | None, limit: int
    ) -> tuple[list[Activity], int]:
        clauses, params = activity_sql(query, "?")
        below, below_params, counted, counted_params = lead_page_sql(before_id, "?")
        where = " AND ".join(["instance = ?", "lead_id = ?", *clauses]) + below
        params = [instance, lead_id, *params, *below_params]
        conn = self._reader()
        conn.execute("BEGIN")  # the page and the count from one snapshot
        try:
            rows = conn.execute(
                f"SELECT {ACTIVITY_COLUMNS} FROM activities WHERE {where} ORDER BY id DESC LIMIT ?",
                [*params, limit + 1],
            ).fetchall()
            total = conn.execute(
                f"SELECT coalesce(sum({counted}), 0) FROM activities WHERE {where}",
                [*counted_params, *params],
            ).fetchone()[0]
        finally:
            conn.execute("COMMIT")
        found = newest_first(rows, before_id, limit)
        return found, int(total) - len(found)

    def change_start(self, after_id: int = 0, since: int | None = None) -> ChangePosition:
        if since is None:
            return ChangePosition(0, after_id)
        row = self._reader().execute(
            "SELECT min(id - n + 1) FROM activities WHERE created_at >= ?", (since,)
        )
        first = row.fetchone()[0]
        before = self._last_activity_id() if first is None else int(first) - 1
        return ChangePosition(0, max(after_id, before))

    def _last_activity_id(self) -> int:
        row = (
            self._reader()
            .execute("SELECT seq FROM sqlite_sequence WHERE name = 'activities'")
            .fetchone()
        )
        return int(row[0]) if row else 0

    def page_changes(
        self, instance: str, query: ActivityQuery, position: ChangePosition, limit: int
    ) -> tuple[list[Activity], ChangePosition, int]:
        # One writer at a time commits ids in increasing order: no id below one a reader
        # has seen can become visible later, so the last id delivered is the position.
        # A run cut by the page's end is read again from the row, past that id.
        clauses, params = activity_sql(query, "?")
        where = " AND ".join(["id > ?", "instance = ?", *clauses])
        conn = self._reader()
        conn.execute("BEGIN")
        try:
            rows = conn.execute(
                f"SELECT {ACTIVITY_COLUMNS} FROM activities WHERE {where} ORDER BY id LIMIT ?",
                [position.last_id, instance, *params, limit],
            ).fetchall()
            found = expand_after(rows, position.last_id, limit)
            last = found[-1].id if found else position.last_id
            remaining = conn.execute(
                "SELECT coalesce(sum(CASE WHEN id - n < ? THEN id - ? ELSE n END), 0)"
                f" FROM (SELECT id, n FROM activities WHERE {where} LIMIT ?)",
                [last, last, last, instance, *params, REMAINING_CAP],
            ).fetchone()[0]
        finally:
            conn.execute("COMMIT")
        return found, ChangePosition(0, last), min(int(remaining), REMAINING_CAP)

    def iter_activities(
        self, instance: str, lead_id: int | None = None, since: int | None = None
    ) -> Iterator[Activity]:
        conn = self._connect()  # one consistent snapshot, as iter_leads
        clauses, params = activity_sql(
            ActivityQuery(lead_ids=None if lead_id is None else (lead_id,), oldest=since), "?"
        )
        where = " AND ".join(["instance = ?", *clauses])
        try:
            conn.execute("BEGIN")
            sql = f"SELECT {ACTIVITY_COLUMNS} FROM activities WHERE {where} ORDER BY id"
            for row in conn.execute(sql, [instance, *params]):
                yield from expand(row)
            conn.execute("COMMIT")
        finally:
            conn.close()

    def prune_activities(self, before: int, limit: int) -> int:
        with self._gated():
            rows = self._writer.execute(
                "DELETE FROM activities WHERE id IN (SELECT id FROM activities"
                " WHERE created_at < ? ORDER BY created_at LIMIT ?) RETURNING n",
                (before, limit),
            ).fetchall()
        self._checkpointer.committed()
        return sum(row[0] for row in rows)

    def _snapshot_path(self, name: str) -> str:
        check_snapshot_name(name)
        return os.path.join(f"{self._path}.snapshots", f"{name}.db")

    def snapshot(self, name: str) -> None:
        path = self._snapshot_path(name)
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        target = sqlite3.connect(path)
        try:
            with self._gated():  # no writer between the pages it copies
                self._writer.backup(target)
        finally:
            target.close()

    def restore(self, name: str) -> None:
        path = self._snapshot_path(name)
        if not os.path.exists(path):
            raise ValueError(f"no snapshot {name}")
        source = sqlite3.connect(path)
        try:
            with self._gated():  # the whole store, as one write, behind the write gate
                source.backup(self._writer)
        finally:
            source.close()
        self._checkpointer.committed()

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._reader().execute(sql, params).fetchall()

    def _change(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._gated():
            try:
                rows = self._writer.execute(sql, params).fetchall()
            except sqlite3.IntegrityError as exc:
                if "UNIQUE" in str(exc):
                    raise Duplicate(str(exc)) from None
                raise
        self._checkpointer.committed()
        return rows

    def _stream(self, sql: str, params: Sequence[Any] = ()) -> Rows:
        # A dedicated connection: one consistent snapshot, stepped row by row.
        conn = self._connect()
        try:
            conn.execute("BEGIN")
            yield from conn.execute(sql, params)
            conn.execute("COMMIT")
        finally:
            conn.close()

    def _change_alone(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._change(sql, params)  # every write holds the write gate already

    def _ids(self, lead_ids: Collection[int]) -> tuple[str, object]:
        return _ids(lead_ids)

    def ping(self) -> None:
        self._reader().execute("SELECT 1").fetchone()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._checkpointer.close()
        self._writer.close()
        os.close(self._gate)
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
