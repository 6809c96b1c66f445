"""REST bulk extract of leads and activities (the job model: leadsync/exports.py).

A create call checks the job (fields, format, one filter of at most 31 days) and stores
it Created; enqueue queues it within the instance's limit (1029 beyond). This process's
exporter threads (MAX_PROCESSING of them, started on demand and at process start,
``resume``) claim queued jobs, and jobs whose claim went stale (their process died), and
write each job's file once (service/export_files.py), with the claim refreshed as they
go: a cancel or a takeover stops the run. The file is named by the run; the job names
it only once it is complete, fsynced and checksummed, so a reader never sees part of a
file, and the next run of a job removes what a dead one left.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace

from leadsync.calls import Clock, utc_now
from leadsync.errors import (
    BadParameter,
    FieldNotFound,
    InternalError,
    JobAlreadyQueued,
    ListNotFound,
    MktowsError,
    ObjectNotFound,
    ParameterRequired,
    TooManyJobs,
)
from leadsync.exports import (
    ACTION_RESULT,
    ACTIVITY_FIELDS,
    CLAIM_TIMEOUT_S,
    DAY_US,
    FILE_DAYS,
    LEAD_SYSTEM_FIELDS,
    MAX_PROCESSING,
    MAX_QUEUED,
    MAX_RANGE_DAYS,
    STATUS_DAYS,
    ExportFilter,
    ExportFormat,
    ExportJob,
    ExportKind,
    ExportStatus,
)
from leadsync.lists import find_list
from leadsync.service.export_files import Claim, remove, wall_us, write_file
from leadsync.service.upsert import rest_fields
from leadsync.store.base import Store
from leadsync.words import quoted

log = logging.getLogger("leadsync.exports")
POLL_S = 1.0  # how often an idle exporter looks again while jobs wait elsewhere
Window = tuple[int, int]  # startAt, endAt in microseconds (as given)
_SECOND = 1_000_000


def default_directory(location: str) -> str | None:
    """Beside a SQLite file: ``<file>.exports``; a database URL has no default."""
    return None if "://" in location else os.path.abspath(location) + ".exports"


class ExportService:
    def __init__(self, store: Store, directory: str | None = None, clock: Clock = utc_now) -> None:
        self._store = store
        self._dir = directory or default_directory(store.location)
        self._clock = clock
        self._claimer = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._workers = 0
        self._again = False

    def _now(self) -> int:
        return int(self._clock().timestamp() * _SECOND)

    # --- the calls -------------------------------------------------------------------

    def create(
        self,
        instance: str,
        kind: ExportKind,
        fields: Sequence[str] | None,
        file_format: str | None,
        headers: Mapping[str, str] | None,
        created: Window | None = None,
        updated: Window | None = None,
        list_id: int | None = None,
        list_name: str | None = None,
        kinds: Sequence[int] | None = None,
    ) -> ExportJob:
        if self._dir is None:
            raise InternalError(
                "System error: bulk extract needs --export-dir (LEADSYNC_EXPORT_DIR) on a "
                "PostgreSQL store"
            )
        try:
            chosen_format = ExportFormat((file_format or "CSV").upper())
        except ValueError:
            raise BadParameter(
                f"Invalid value {quoted(str(file_format))} for format: CSV, TSV or SSV"
            ) from None
        if kind is ExportKind.LEADS:
            given = [w for w in (created, updated, list_id, list_name) if w is not None]
            if len(given) != 1:
                raise BadParameter(
                    "Invalid filter: give exactly one of createdAt, updatedAt, staticListId, "
                    "staticListName"
                )
            if not fields:
                raise ParameterRequired("fields cannot be blank")
            names = self._lead_fields(instance, fields)
            if list_id is not None or list_name is not None:
                list_id = self._list(instance, list_id, list_name)
            selection = ExportFilter(
                _window("createdAt", created), _window("updatedAt", updated), list_id
            )
        else:
            if created is None:
                raise ParameterRequired("createdAt cannot be blank: an activity export needs it")
            names = _activity_fields(fields or ACTIVITY_FIELDS)
            chosen_kinds = tuple(sorted(set(kinds))) if kinds else None
            selection = ExportFilter(_window("createdAt", created), kinds=chosen_kinds)
        job = ExportJob(
            str(uuid.uuid4()),
            instance,
            kind,
            chosen_format,
            names,
            _headers(names, headers or {}),
            selection,
            ExportStatus.CREATED,
            self._now(),
        )
        return self._store.add_export(job)

    def _lead_fields(self, instance: str, names: Sequence[str]) -> tuple[str, ...]:
        """Each name as the catalog spells it (REST names match in any case), or 1006."""
        by_rest = rest_fields(self._store.catalog(instance))
        found = []
        for name in names:
            folded = name.casefold()
            system = next((s for s in LEAD_SYSTEM_FIELDS if s.casefold() == folded), None)
            if system is not None:
                found.append(system)
            elif folded in by_rest:
                found.append(by_rest[folded].rest)
            else:
                raise FieldNotFound(f"Field {quoted(name)} not found")
        return tuple(found)

    def _list(self, instance: str, list_id: int | None, name: str | None) -> int:
        lists = self._store.list_lists(instance)
        if name is not None:
            found = find_list(lists, name.strip())
            if found is None:
                raise ListNotFound(f"Static list {quoted(name)} not found")
            return found.id
        if not any(item.id == list_id for item in lists):
            raise ListNotFound(f"Static list {list_id} not found")
        assert list_id is not None
        return list_id

    def job(self, instance: str, kind: ExportKind, export_id: str) -> ExportJob:
        """The job (1013 when the instance has none of that id and kind); a job still
        waiting makes sure this process's exporters look for it."""
        found = self._store.export_job(instance, kind, export_id)
        if found is None:
            raise ObjectNotFound(f"Export job {quoted(export_id)} not found")
        if found.status in (ExportStatus.QUEUED, ExportStatus.PROCESSING):
            self.resume(wake=False)
        return found

    def enqueue(self, instance: str, kind: ExportKind, export_id: str) -> ExportJob:
        queued = self._store.enqueue_export(instance, kind, export_id, self._now(), MAX_QUEUED)
        if queued is not None:
            self.resume()
            return queued
        job = self.job(instance, kind, export_id)
        if job.status is ExportStatus.CREATED:
            raise TooManyJobs(
                f"Too many jobs in queue: {MAX_QUEUED} export jobs are queued or processing"
            )
        if job.status is ExportStatus.CANCELLED:
            raise BadParameter(
                f"Invalid data: export job {quoted(export_id)} was cancelled; create another"
            )
        raise JobAlreadyQueued(
            f"Job already queued: export job {quoted(export_id)} is {job.status}"
        )

    def cancel(self, instance: str, kind: ExportKind, export_id: str) -> ExportJob:
        cancelled = self._store.cancel_export(instance, kind, export_id, self._now())
        if cancelled is not None:
            self._notify()  # an exporter waiting on it may stop waiting
            return cancelled
        job = self.job(instance, kind, export_id)
        if job.status is ExportStatus.CANCELLED:
            return job
        raise BadParameter(
            f"Invalid data: export job {quoted(export_id)} is {job.status}; it cannot be cancelled"
        )

    def jobs(
        self,
        instance: str,
        kind: ExportKind,
        statuses: Sequence[ExportStatus],
        after: int,
        limit: int,
    ) -> list[ExportJob]:
        """The instance's jobs of the past FILE_DAYS days, by creation."""
        since = self._now() - FILE_DAYS * DAY_US
        return self._store.export_jobs(instance, kind, statuses, since, after, limit)

    def file(self, instance: str, kind: ExportKind, export_id: str) -> tuple[str, ExportJob] | None:
        """The path of a completed job's file (kept FILE_DAYS days), and the job."""
        job = self._store.export_job(instance, kind, export_id)
        if job is None or job.status is not ExportStatus.COMPLETED or job.file is None:
            return None
        if self._dir is None or (job.finished_at or 0) < self._now() - FILE_DAYS * DAY_US:
            return None
        path = os.path.join(self._dir, job.file)
        return (path, job) if os.path.isfile(path) else None

    # --- the exporters ---------------------------------------------------------------

    def resume(self, wake: bool = True) -> None:
        """Make sure this process's exporters run (they claim what is waiting); ``wake``:
        and that those waiting look again now (something changed)."""
        with self._lock:
            if wake:
                self._again = True
                self._wake.notify_all()
            while self._workers < MAX_PROCESSING:
                self._workers += 1
                threading.Thread(target=self._work, name="leadsync-exports", daemon=True).start()

    def _notify(self) -> None:
        with self._lock:
            self._again = True
            self._wake.notify_all()

    def _work(self) -> None:
        try:
            while True:
                with self._lock:
                    self._again = False
                now = wall_us()
                stale = now - int(CLAIM_TIMEOUT_S * _SECOND)
                job = self._store.claim_export(
                    self._claimer, now, stale, MAX_PROCESSING, self._now()
                )
                if job is not None:
                    self._notify()  # the other exporter looks for the next one
                    self._expire()
                    self._run(job)
                    self._notify()  # an exporter waiting on this job may stop waiting
                    continue
                pending = self._store.exports_pending()
                with self._lock:
                    if self._again:
                        continue
                    if not pending:
                        self._workers -= 1
                        return
                    self._wake.wait(POLL_S)
        except Exception:  # the store is gone (closed, unreachable): another process, or
            # this one started again, takes the job over once its claim is stale
            log.warning("an exporter stopped", exc_info=True)
            with self._lock:
                self._workers -= 1

    def _expire(self) -> None:
        """Delete the files kept past FILE_DAYS and forget jobs past STATUS_DAYS."""
        now = self._now()
        for name in self._store.expire_exports(
            now - FILE_DAYS * DAY_US, now - STATUS_DAYS * DAY_US
        ):
            if self._dir is not None:
                remove(os.path.join(self._dir, name))

    def _run(self, job: ExportJob) -> None:
        assert self._dir is not None  # no job is created without one
        name = f"{job.id}.{uuid.uuid4().hex[:12]}.{job.format.suffix}"
        path = os.path.join(self._dir, name)
        try:
            os.makedirs(self._dir, mode=0o700, exist_ok=True)
            for other in os.listdir(self._dir):  # what a run that died left
                if other.startswith(f"{job.id}."):
                    remove(os.path.join(self._dir, other))
            with Claim(self._store, job.seq, self._claimer) as claim:
                written = write_file(self._store, job, path, claim.lost)
        except Exception as exc:  # a job that cannot go on fails, visibly
            log.exception("export job %s failed", job.id)
            remove(path)
            reason = (
                exc.message
                if isinstance(exc, MktowsError)
                else "System error: the export failed (the server's log has the cause)"
            )
            failed = replace(job, status=ExportStatus.FAILED, finished_at=self._now(), error=reason)
            self._store.finish_export(failed, self._claimer)
            return
        if written is None:  # cancelled, or taken over by another process
            remove(path)
            return
        records, size, checksum = written
        done = replace(
            job,
            status=ExportStatus.COMPLETED,
            finished_at=self._now(),
            records=records,
            file_size=size,
            checksum=checksum,
            file=name,
        )
        if not self._store.finish_export(done, self._claimer):
            remove(path)


def _window(name: str, window: Window | None) -> Window | None:
    """The filter's ``[start, end)``; 1003 for an end before its start or a span over
    MAX_RANGE_DAYS. ``endAt`` includes its whole second (Marketo's times are seconds)."""
    if window is None:
        return None
    start, end = window
    if end < start:
        raise BadParameter(f"Invalid filter: {name}.endAt is before {name}.startAt")
    if end - start > MAX_RANGE_DAYS * DAY_US:
        raise BadParameter(f"Invalid filter: the {name} date range is over {MAX_RANGE_DAYS} days")
    return start, (end // _SECOND + 1) * _SECOND


def _activity_fields(names: Sequence[str]) -> tuple[str, ...]:
    known = {name.casefold(): name for name in (*ACTIVITY_FIELDS, ACTION_RESULT)}
    found = []
    for name in names:
        if name.casefold() not in known:
            raise FieldNotFound(f"Field {quoted(name)} not found")
        found.append(known[name.casefold()])
    return tuple(found)


def _headers(fields: Sequence[str], names: Mapping[str, str]) -> tuple[str, ...]:
    """The header row: each field's name, or its ``columnHeaderNames`` entry."""
    for key in names:
        if key not in fields:
            raise BadParameter(
                f"Invalid value {quoted(key)} in columnHeaderNames: not a field of the export"
            )
    return tuple(names.get(field, field) for field in fields)
