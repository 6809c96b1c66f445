"""importToList jobs, in SQL both stores run (store/tables.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from leadsync.imports import ImportJob, ImportMode, ImportStatus
from leadsync.store.tables import Tables

_COLUMNS = (
    "id, instance, list_id, mode, clear_list, campaign, columns, rows, status, started_at,"
    " ended_at, next_row, imported, failed, ignored, summary"
)


def _job(row: Sequence[Any]) -> ImportJob:
    return ImportJob(
        int(row[0]),
        row[1],
        int(row[2]),
        ImportMode(row[3]),
        bool(row[4]),
        row[5],
        tuple(orjson.loads(row[6])),
        tuple(orjson.loads(row[7])),
        ImportStatus(row[8]),
        int(row[9]),
        None if row[10] is None else int(row[10]),
        int(row[11]),
        int(row[12]),
        int(row[13]),
        int(row[14]),
        row[15],
    )


class ImportTables(Tables):
    """The ImportStore methods of a store."""

    def add_import(self, job: ImportJob) -> int:
        [(job_id,)] = self._change(
            "INSERT INTO import_jobs (instance, list_id, mode, clear_list, campaign, columns,"
            " rows, status, started_at, next_row, imported, failed, ignored)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0) RETURNING id",
            (
                job.instance,
                job.list_id,
                job.mode.value,
                job.clear_list,
                job.campaign,
                orjson.dumps(list(job.columns)).decode(),
                orjson.dumps(list(job.rows)).decode(),
                job.status.value,
                job.started_at,
            ),
        )
        return int(job_id)

    def latest_import(self, list_id: int) -> ImportJob | None:
        rows = self._query(
            f"SELECT {_COLUMNS} FROM import_jobs WHERE list_id = ? ORDER BY id DESC LIMIT 1",
            (list_id,),
        )
        return _job(rows[0]) if rows else None

    def claim_import(self, claimer: str, now_us: int, stale_before: int) -> ImportJob | None:
        free = "status = 'PROCESSING' AND (claimed_by IS NULL OR claimed_at < ?)"
        rows = self._change(
            f"UPDATE import_jobs SET claimed_by = ?, claimed_at = ? WHERE {free} AND id ="
            f" (SELECT id FROM import_jobs WHERE {free} ORDER BY id LIMIT 1) RETURNING {_COLUMNS}",
            (claimer, now_us, stale_before, stale_before),
        )
        return _job(rows[0]) if rows else None

    def record_import(self, job: ImportJob, claimer: str, now_us: int) -> bool:
        """Write the job's progress and status, if ``claimer`` still holds it."""
        rows = self._change(
            "UPDATE import_jobs SET next_row = ?, imported = ?, failed = ?, ignored = ?,"
            " status = ?, ended_at = ?, summary = ?, claimed_at = ?"
            " WHERE id = ? AND claimed_by = ? RETURNING 1",
            (
                job.next_row,
                job.imported,
                job.failed,
                job.ignored,
                job.status.value,
                job.ended_at,
                job.summary,
                now_us,
                job.id,
                claimer,
            ),
        )
        return bool(rows)

    def member_ids(self, list_id: int) -> list[int]:
        rows = self._query(
            "SELECT lead_id FROM list_members WHERE list_id = ? ORDER BY lead_id", (list_id,)
        )
        return [int(row[0]) for row in rows]
