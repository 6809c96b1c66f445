"""Writing one bulk extract job's file (service/exports.py runs the jobs): the rows of
one streaming read of the store, CHUNK_ROWS at a time, as Marketo writes them (no value
is ``null``, times in REST's form, booleans true or false, an activity's attributes as
one JSON object), hashed as they are written, then fsynced with the file's name; and the
claim on the job, kept by a thread of its own while the file is written.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import logging
import os
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from itertools import islice
from typing import Any

import orjson

from leadsync.activities import Activity
from leadsync.errors import FieldNotFound
from leadsync.exports import ACTIVITY_FIELDS, HEARTBEAT_S, ExportJob, ExportKind, LeadColumn
from leadsync.fields import FieldType
from leadsync.service.upsert import rest_fields
from leadsync.store.base import Store
from leadsync.words import quoted

log = logging.getLogger("leadsync.exports")
CHUNK_ROWS = 10_000  # rows formatted, hashed and written at a time
_SECOND = 1_000_000
_NUMERIC = frozenset({"Lead ID", "List ID", "Campaign ID"})  # as rest/activities.py shows them
_PRIMARY_ID = frozenset({24, 25, 47})  # kinds whose first value is an id (list, campaign)


def wall_us() -> int:
    """Now, in microseconds: claims compare wall times across processes."""
    return time.time_ns() // 1000


def write_file(
    store: Store, job: ExportJob, path: str, lost: threading.Event
) -> tuple[int, int, str] | None:
    """Write the job's file (and make its name durable); (records, bytes, SHA-256),
    or None when the claim was ``lost`` on the way."""
    source: Generator[Any, None, None]
    iso = Iso()
    if job.kind is ExportKind.LEADS:
        columns, shape = _lead_columns(store, job, iso)
        source = store.export_leads(job.instance, columns, job.filter)
        rows: Iterator[Sequence[Any]] = map(shape, source)
    else:
        picked = [
            ACTIVITY_FIELDS.index(f) if f in ACTIVITY_FIELDS else len(ACTIVITY_FIELDS)
            for f in job.fields
        ]
        source = store.export_activities(job.instance, job.filter)
        rows = (_pick(_activity_row(a, iso), picked) for a in source)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=job.format.delimiter, lineterminator="\n")
    writer.writerow(job.headers)
    digest = hashlib.sha256()
    records = size = 0
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        with open(fd, "wb") as out:
            while True:
                batch = list(islice(rows, CHUNK_ROWS))
                writer.writerows(batch)
                records += len(batch)
                chunk = buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
                if lost.is_set():
                    return None
                if len(batch) < CHUNK_ROWS:
                    break
            os.fsync(out.fileno())
    finally:
        source.close()
    directory = os.open(os.path.dirname(path), os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return records, size, digest.hexdigest()


def _lead_columns(
    store: Store, job: ExportJob, iso: Iso
) -> tuple[list[LeadColumn], Callable[[Sequence[Any]], list[Any]]]:
    """What the store reads for each of the job's fields, and the row as the file
    writes it: no value is ``null``, times as REST writes them, booleans true or
    false, other values as stored."""
    by_rest = rest_fields(store.catalog(job.instance))
    columns: list[LeadColumn] = []
    times: list[int] = []
    booleans: list[int] = []
    for index, name in enumerate(job.fields):
        if name == "id":
            columns.append(LeadColumn("id"))
        elif name in ("createdAt", "updatedAt"):
            columns.append(LeadColumn("created_at" if name == "createdAt" else "updated_at"))
            times.append(index)
        else:
            field = by_rest.get(name.casefold())
            if field is None:  # removed from the catalog since the job was created
                raise FieldNotFound(f"Field {quoted(name)} not found")
            if field.name == "Email":
                columns.append(LeadColumn("email"))
            else:
                columns.append(LeadColumn("attrs", field.name))
            if field.type is FieldType.BOOLEAN:
                booleans.append(index)

    def shape(row: Sequence[Any]) -> list[Any]:
        out = [value or "null" for value in row]  # ids are never 0; texts are strings
        for index in times:
            out[index] = iso(row[index])
        for index in booleans:
            value = row[index]
            if value:
                out[index] = "true" if value.lower() in ("true", "1") else "false"
        return out

    return columns, shape


class Claim:
    """A run's claim, refreshed every HEARTBEAT_S by a thread of its own (however long
    the store takes to give the first row); ``lost`` is set once the job was cancelled
    or taken over."""

    def __init__(self, store: Store, seq: int, claimer: str) -> None:
        self._store = store
        self._seq = seq
        self._claimer = claimer
        self.lost = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name="leadsync-export-claim", daemon=True
        )

    def __enter__(self) -> Claim:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._done.wait(HEARTBEAT_S):
            try:
                held = self._store.hold_export(self._seq, self._claimer, wall_us())
            except Exception:  # the store is out of reach for now: try again
                log.warning("an export claim was not refreshed", exc_info=True)
                continue
            if not held:
                self.lost.set()
                return


class Iso:
    """Times as REST writes them (``2015-05-07T11:47:30Z``), formatted once a second:
    neighbouring rows mostly share one."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def __call__(self, microseconds: int) -> str:
        second = microseconds // _SECOND
        if second != self._second:
            self._second = second
            self._text = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second))
        return self._text


def _activity_row(activity: Activity, iso: Iso) -> list[Any]:
    """Every column of ACTIVITY_FIELDS, then actionResult; the attributes as one JSON
    object (numbers where REST's activity records give numbers)."""
    attributes = {
        name: int(value) if name in _NUMERIC and value.isdigit() else value
        for name, value in activity.attributes()
        if value is not None
    }
    first = activity.values[0] if activity.values else None
    primary_id = (
        int(first)
        if activity.kind in _PRIMARY_ID and first is not None and str(first).isdigit()
        else "null"
    )
    return [
        str(activity.id),
        activity.lead_id,
        iso(activity.created_at),
        activity.kind,
        "null",  # campaignId: no stored activity was written by a campaign's flow
        primary_id,
        activity.asset or "null",
        orjson.dumps(attributes).decode(),
        "succeeded",
    ]


def _pick(row: list[Any], indexes: Sequence[int]) -> list[Any]:
    return [row[index] for index in indexes]


def remove(path: str) -> None:
    with contextlib.suppress(OSError):  # gone already, or never written
        os.remove(path)
