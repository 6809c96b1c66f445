"""Bulk extract jobs and the streaming reads they export, in SQL both stores run
(store/tables.py).

Besides ``_query`` and ``_change`` a store gives two primitives here: ``_stream`` (the
rows of one read, from one snapshot, fetched as they are consumed: a million leads never
sit in memory) and ``_change_alone`` (one write that no other ``_change_alone`` runs
beside, so the queue and processing limits, counted in the statement, hold across
processes: SQLite writes one at a time anyway; PostgreSQL takes an advisory lock).
"""

from __future__ import annotations

from collections.abc import Collection, Generator, Sequence
from typing import Any

import orjson

from leadsync.activities import Activity
from leadsync.exports import (
    ExportFilter,
    ExportFormat,
    ExportJob,
    ExportKind,
    ExportStatus,
    LeadColumn,
)
from leadsync.store.base import ACTIVITY_COLUMNS, ActivityQuery, activity_sql, expand
from leadsync.store.tables import Tables

_COLUMNS = (
    "id, export_id, instance, kind, format, spec, status, created_at, queued_at, started_at,"
    " finished_at, records, file_size, checksum, file, error"
)
_LEAD_COLUMNS = frozenset({"id", "email", "created_at", "updated_at"})
_BUSY = "('Queued', 'Processing')"
Rows = Generator[tuple[Any, ...], None, None]  # closed early, it ends its read


def _spec(job: ExportJob) -> str:
    f = job.filter
    return orjson.dumps(
        {
            "fields": list(job.fields),
            "headers": list(job.headers),
            "created": f.created,
            "updated": f.updated,
            "list": f.list_id,
            "kinds": f.kinds,
        }
    ).decode()


def _range(value: Any) -> tuple[int, int] | None:
    return None if value is None else (int(value[0]), int(value[1]))


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _job(row: Sequence[Any]) -> ExportJob:
    spec = orjson.loads(row[5])
    kinds = spec["kinds"]
    return ExportJob(
        row[1],
        row[2],
        ExportKind(row[3]),
        ExportFormat(row[4]),
        tuple(spec["fields"]),
        tuple(spec["headers"]),
        ExportFilter(
            _range(spec["created"]),
            _range(spec["updated"]),
            spec["list"],
            None if kinds is None else tuple(kinds),
        ),
        ExportStatus(row[6]),
        int(row[7]),
        _int(row[8]),
        _int(row[9]),
        _int(row[10]),
        _int(row[11]),
        _int(row[12]),
        row[13],
        row[14],
        row[15],
        int(row[0]),
    )


class ExportTables(Tables):
    """The ExportStore methods of a store."""

    def _stream(self, sql: str, params: Sequence[Any] = ()) -> Rows:
        raise NotImplementedError

    def _change_alone(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def add_export(self, job: ExportJob) -> ExportJob:
        rows = self._change(
            "INSERT INTO bulk_jobs (export_id, instance, kind, format, spec, status, created_at)"
            f" VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {_COLUMNS}",
            (
                job.id,
                job.instance,
                job.kind.value,
                job.format.value,
                _spec(job),
                job.status.value,
                job.created_at,
            ),
        )
        return _job(rows[0])

    def export_job(self, instance: str, kind: ExportKind, export_id: str) -> ExportJob | None:
        rows = self._query(
            f"SELECT {_COLUMNS} FROM bulk_jobs WHERE export_id = ? AND instance = ? AND kind = ?",
            (export_id, instance, kind.value),
        )
        return _job(rows[0]) if rows else None

    def export_jobs(
        self,
        instance: str,
        kind: ExportKind,
        statuses: Collection[ExportStatus],
        since: int,
        after: int,
        limit: int,
    ) -> list[ExportJob]:
        chosen = sorted(status.value for status in statuses)
        where = f" AND status IN ({', '.join('?' * len(chosen))})" if chosen else ""
        rows = self._query(
            f"SELECT {_COLUMNS} FROM bulk_jobs WHERE instance = ? AND kind = ? AND id > ?"
            f" AND created_at >= ?{where} ORDER BY id LIMIT ?",
            (instance, kind.value, after, since, *chosen, limit),
        )
        return [_job(row) for row in rows]

    def enqueue_export(
        self, instance: str, kind: ExportKind, export_id: str, now_us: int, max_queued: int
    ) -> ExportJob | None:
        rows = self._change_alone(
            "UPDATE bulk_jobs SET status = 'Queued', queued_at = ?"
            " WHERE export_id = ? AND instance = ? AND kind = ? AND status = 'Created'"
            f" AND (SELECT count(*) FROM bulk_jobs WHERE instance = ? AND status IN {_BUSY}) < ?"
            f" RETURNING {_COLUMNS}",
            (now_us, export_id, instance, kind.value, instance, max_queued),
        )
        return _job(rows[0]) if rows else None

    def cancel_export(
        self, instance: str, kind: ExportKind, export_id: str, now_us: int
    ) -> ExportJob | None:
        rows = self._change(
            "UPDATE bulk_jobs SET status = 'Cancelled', finished_at = ?"
            " WHERE export_id = ? AND instance = ? AND kind = ?"
            f" AND status IN ('Created', 'Queued', 'Processing') RETURNING {_COLUMNS}",
            (now_us, export_id, instance, kind.value),
        )
        return _job(rows[0]) if rows else None

    def claim_export(
        self, claimer: str, now_us: int, stale_before: int, max_processing: int, started_at: int
    ) -> ExportJob | None:
        stale = "status = 'Processing' AND claimed_at < ?"
        rows = self._change_alone(
            "UPDATE bulk_jobs SET status = 'Processing', started_at = coalesce(started_at, ?),"
            f" claimed_by = ?, claimed_at = ? WHERE (status = 'Queued' OR ({stale})) AND id ="
            f" (SELECT j.id FROM bulk_jobs AS j WHERE (j.{stale}) OR (j.status = 'Queued' AND"
            " (SELECT count(*) FROM bulk_jobs AS p WHERE p.instance = j.instance"
            " AND p.status = 'Processing') < ?) ORDER BY j.queued_at, j.id LIMIT 1)"
            f" RETURNING {_COLUMNS}",
            (started_at, claimer, now_us, stale_before, stale_before, max_processing),
        )
        return _job(rows[0]) if rows else None

    def hold_export(self, seq: int, claimer: str, now_us: int) -> bool:
        """Refresh the claim; False when the job was cancelled or taken over."""
        rows = self._change(
            "UPDATE bulk_jobs SET claimed_at = ? WHERE id = ? AND claimed_by = ?"
            " AND status = 'Processing' RETURNING 1",
            (now_us, seq, claimer),
        )
        return bool(rows)

    def finish_export(self, job: ExportJob, claimer: str) -> bool:
        """Record the job's end (Completed with its file, or Failed) if ``claimer`` still
        holds it."""
        rows = self._change(
            "UPDATE bulk_jobs SET status = ?, finished_at = ?, records = ?, file_size = ?,"
            " checksum = ?, file = ?, error = ?"
            " WHERE id = ? AND claimed_by = ? AND status = 'Processing' RETURNING 1",
            (
                job.status.value,
                job.finished_at,
                job.records,
                job.file_size,
                job.checksum,
                job.file,
                job.error,
                job.seq,
                claimer,
            ),
        )
        return bool(rows)

    def exports_pending(self) -> bool:
        return bool(self._query(f"SELECT 1 FROM bulk_jobs WHERE status IN {_BUSY} LIMIT 1"))

    def expire_exports(self, files_before: int, jobs_before: int) -> list[str]:
        """Forget the files of jobs that ended before ``files_before`` and the jobs that
        ended (or were never enqueued) before ``jobs_before``; the names of the files
        to delete."""
        rows = self._query(
            "SELECT id, file FROM bulk_jobs WHERE file IS NOT NULL AND finished_at < ?",
            (files_before,),
        )
        if rows:
            ids = [int(row[0]) for row in rows]
            self._change(
                f"UPDATE bulk_jobs SET file = NULL WHERE id IN ({', '.join('?' * len(ids))})"
                " RETURNING 1",
                ids,
            )
        self._change(
            f"DELETE FROM bulk_jobs WHERE status NOT IN {_BUSY}"
            " AND coalesce(finished_at, created_at) < ? AND file IS NULL RETURNING 1",
            (jobs_before,),
        )
        return [str(row[1]) for row in rows]

    def export_leads(
        self, instance: str, columns: Sequence[LeadColumn], selection: ExportFilter
    ) -> Rows:
        """The leads ``selection`` selects, by id, from one snapshot: per lead, the value
        of each column (None where there is none)."""
        shown: list[str] = []
        params: list[object] = []
        for column in columns:
            if column.column == "attrs" and column.attribute is not None:
                # A SOAP field name (letters, digits, _ and spaces) is a plain key on both
                # stores' ->> operators.
                shown.append("attrs ->> ?")
                params.append(column.attribute)
            elif column.column in _LEAD_COLUMNS:
                shown.append(column.column)
            else:
                raise ValueError(f"no lead column {column.column}")
        clauses = ["instance = ?"]
        params.append(instance)
        for name, window in (("created_at", selection.created), ("updated_at", selection.updated)):
            if window is not None:
                clauses.append(f"{name} >= ? AND {name} < ?")
                params.extend(window)
        if selection.list_id is not None:
            clauses.append("id IN (SELECT lead_id FROM list_members WHERE list_id = ?)")
            params.append(selection.list_id)
        return self._stream(
            f"SELECT {', '.join(shown)} FROM leads WHERE {' AND '.join(clauses)} ORDER BY id",
            params,
        )

    def export_activities(
        self, instance: str, selection: ExportFilter
    ) -> Generator[Activity, None, None]:
        """The activities ``selection`` selects, by id, from one snapshot."""
        window = selection.created
        query = ActivityQuery(
            kinds=None if selection.kinds is None else frozenset(selection.kinds),
            oldest=None if window is None else window[0],
            latest=None if window is None else window[1] - 1,
        )
        clauses, params = activity_sql(query, "?")
        where = " AND ".join(["instance = ?", *clauses])
        rows = self._stream(
            f"SELECT {ACTIVITY_COLUMNS} FROM activities WHERE {where} ORDER BY id",
            [instance, *params],
        )
        try:
            for row in rows:
                yield from expand(row)
        finally:
            rows.close()
