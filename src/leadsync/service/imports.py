"""importToList and getImportToListStatus (the job model: leadsync/imports.py).

A call checks the program, list and header, stores the job and answers PROCESSING; this
process's importer thread (started on demand, ended when no job is left) claims jobs
and imports their rows, CHUNK_ROWS at a time: UPSERTLEADS upserts each row by its
Email Address as syncMultipleLeads does, then adds the lead to the list; LISTONLY adds
the leads that exist and ignores the others. A server process starting up takes over
the jobs a dead process left (``resume``).
"""

from __future__ import annotations

import csv
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import replace

from leadsync.errors import BadParameter, ListNotFound, ParameterRequired
from leadsync.imports import (
    CHUNK_ROWS,
    CLAIM_TIMEOUT_S,
    MAX_ROWS,
    ImportJob,
    ImportMode,
    ImportStatus,
)
from leadsync.lists import ListOperation, StaticList
from leadsync.model import Attribute, LeadRecord, SyncStatusCode, blank, email_key
from leadsync.service.keys import LeadKey
from leadsync.service.lists import ListService
from leadsync.service.sync import sync_multiple_leads
from leadsync.store.base import Store

log = logging.getLogger("leadsync.imports")
EMAIL = "Email"


def _now() -> int:
    return time.time_ns() // 1000


class ImportService:
    def __init__(self, store: Store, lists: ListService) -> None:
        self._store = store
        self._lists = lists
        self._claimer = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._again = False

    def _list(self, instance: str, program: str | None, name: str | None) -> StaticList:
        if blank(program) or blank(name):
            raise ParameterRequired("Parameter required: programName and listName")
        assert program is not None and name is not None
        for found in self._store.list_lists(instance):
            if found.name == name.strip() and found.program == program.strip():
                return found
        raise ListNotFound(f"List not found: no list {name} in program {program}")

    def start(
        self,
        instance: str,
        program: str | None,
        list_name: str | None,
        header: str | None,
        rows: Sequence[str],
        mode: str | None,
        clear_list: bool,
        campaign: str | None,
    ) -> ImportJob:
        static_list = self._list(instance, program, list_name)
        try:
            import_mode = ImportMode(mode or "")
        except ValueError:
            raise BadParameter(
                f"Bad parameter: importListMode {mode} is not UPSERTLEADS or LISTONLY"
            ) from None
        if blank(header):
            raise ParameterRequired("Parameter required: importFileHeader")
        assert header is not None
        if len(rows) > MAX_ROWS:
            raise BadParameter(f"Bad parameter: {len(rows)} rows; at most {MAX_ROWS} a call")
        columns = self._columns(instance, header)
        job = ImportJob(
            0,
            instance,
            static_list.id,
            import_mode,
            clear_list,
            None if blank(campaign) else campaign,
            columns,
            tuple(rows),
            ImportStatus.PROCESSING,
            _now(),
        )
        job = replace(job, id=self._store.add_import(job))
        self.resume()
        return job

    def _columns(self, instance: str, header: str) -> tuple[str, ...]:
        """Each header column's SOAP field name (display names, as Marketo's docs ask,
        or SOAP names, any case), or the My Token it names."""
        catalog = self._store.catalog(instance)
        by_name = {name.casefold(): name for name in catalog.types}
        by_name.update({shown.casefold(): name for name, shown in catalog.displays.items()})
        columns = []
        for cell in next(csv.reader([header])):
            name = cell.strip()
            if name.startswith("{{") and name.endswith("}}"):
                columns.append(name)
            elif name.casefold() in by_name:
                columns.append(by_name[name.casefold()])
            else:
                raise BadParameter(f"Bad parameter: importFileHeader column {name!r} is no field")
        if EMAIL not in columns:
            raise BadParameter("Bad parameter: importFileHeader needs an Email Address column")
        return tuple(columns)

    def status(self, instance: str, program: str | None, list_name: str | None) -> ImportJob:
        static_list = self._list(instance, program, list_name)
        job = self._store.latest_import(static_list.id)
        if job is None:
            raise BadParameter(f"Bad parameter: no import to list {list_name} was started")
        return job

    def resume(self) -> None:
        """Make sure this process's importer runs (it claims what is waiting)."""
        with self._lock:
            self._again = True
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._work, name="leadsync-imports", daemon=True
                )
                self._worker.start()

    def _work(self) -> None:
        try:
            self._claim_and_run()
        except Exception:  # the store is gone (closed, unreachable): another process,
            # or this one started again, takes the job over once its claim is stale
            log.warning("the importer stopped", exc_info=True)
            with self._lock:
                self._worker = None

    def _claim_and_run(self) -> None:
        while True:
            with self._lock:
                if not self._again:
                    self._worker = None
                    return
                self._again = False
            while True:
                now = _now()
                job = self._store.claim_import(
                    self._claimer, now, now - int(CLAIM_TIMEOUT_S * 1_000_000)
                )
                if job is None:
                    break
                with self._lock:
                    self._again = True  # look again once this job is done
                try:
                    self._run(job)
                except Exception as exc:  # a job that cannot go on fails, visibly
                    log.exception("import job %d failed", job.id)
                    failed = replace(
                        job, status=ImportStatus.FAILED, ended_at=_now(), summary=str(exc)
                    )
                    self._store.record_import(failed, self._claimer, _now())

    def _run(self, job: ImportJob) -> None:
        static_list = next(s for s in self._store.list_lists(job.instance) if s.id == job.list_id)
        if job.clear_list and job.next_row == 0:
            members = self._store.member_ids(job.list_id)
            for start in range(0, len(members), 1000):
                keys = [LeadKey("IDNUM", str(i)) for i in members[start : start + 1000]]
                self._lists.operate(job.instance, ListOperation.REMOVE, static_list, keys)
        while job.next_row < len(job.rows):
            chunk = job.rows[job.next_row : job.next_row + CHUNK_ROWS]
            imported, failed, ignored = self._chunk(job, static_list, chunk)
            job = replace(
                job,
                next_row=job.next_row + len(chunk),
                imported=job.imported + imported,
                failed=job.failed + failed,
                ignored=job.ignored + ignored,
            )
            if not self._store.record_import(job, self._claimer, _now()):
                return  # another process took the job over
        done = replace(
            job,
            status=ImportStatus.COMPLETE,
            ended_at=_now(),
            summary=f"{job.imported} imported, {job.failed} failed, {job.ignored} ignored",
        )
        self._store.record_import(done, self._claimer, _now())

    def _chunk(
        self, job: ImportJob, static_list: StaticList, rows: Sequence[str]
    ) -> tuple[int, int, int]:
        """(imported, failed, ignored) of one chunk of rows."""
        records: list[LeadRecord] = []
        failed = 0
        for values in csv.reader(rows):
            if len(values) != len(job.columns):
                failed += 1
                continue
            cells = dict(zip(job.columns, values, strict=True))
            email = cells.get(EMAIL, "").strip()
            if not email:
                failed += 1
                continue
            attributes = tuple(
                Attribute(name, value)
                for name, value in cells.items()
                if name != EMAIL and not name.startswith("{{") and value != ""
            )
            records.append(LeadRecord(email=email, attributes=attributes))
        if job.mode is ImportMode.UPSERT:
            statuses = sync_multiple_leads(self._store, records, instance=job.instance)
            ids = [s.lead_id for s in statuses if s.status is not SyncStatusCode.FAILED]
            failed += len(statuses) - len(ids)
            ignored = 0
        else:
            emails = {email_key(r.email or "") for r in records}
            found = self._store.read_leads(job.instance, email_keys=emails)
            newest = {
                email_key(lead.email or ""): lead.id
                for lead in sorted(found, key=lambda x: (x.created_at, x.id))
            }
            ids = [
                newest[email_key(r.email or "")]
                for r in records
                if email_key(r.email or "") in newest
            ]
            ignored = len(records) - len(ids)
        for start in range(0, len(ids), 1000):
            keys = [LeadKey("IDNUM", str(i)) for i in ids[start : start + 1000]]
            self._lists.operate(job.instance, ListOperation.ADD, static_list, keys)
        return len(ids), failed, ignored
