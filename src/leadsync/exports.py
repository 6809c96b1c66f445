"""Bulk extract jobs (rest-api/bulk-extract.md): leads or activities written to one file in
the background, then downloaded.

A job is created (``Created``), enqueued (``Queued``: at most MAX_QUEUED of an instance
queued or processing), claimed by a worker of some server process (``Processing``: at
most MAX_PROCESSING of an instance at once) and ends ``Completed`` (its file written
once, with its size and SHA-256), ``Failed`` or ``Cancelled``. A worker refreshes its
claim every HEARTBEAT_S; a claim not refreshed for CLAIM_TIMEOUT_S (its process died)
is taken over and the file written again from the start, under a new name: a job's file
is named by the run that wrote it, and only the run that completes the job names it in
the job.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

MAX_QUEUED = 10  # an instance's jobs queued or processing (1029 beyond)
MAX_PROCESSING = 2  # an instance's jobs processing at once
MAX_RANGE_DAYS = 31  # a createdAt or updatedAt filter's span
CLAIM_TIMEOUT_S = 5.0
HEARTBEAT_S = 1.0
FILE_DAYS = 7  # a completed job's file is kept this long, and listed
STATUS_DAYS = 30  # a job's status is kept this long after it ended
DAY_US = 86_400_000_000

# A lead export's columns besides the catalog's fields (REST names).
LEAD_SYSTEM_FIELDS = ("id", "createdAt", "updatedAt")
# An activity export's columns, in Marketo's order (the default: all of them).
ACTIVITY_FIELDS = (
    "marketoGUID",
    "leadId",
    "activityDate",
    "activityTypeId",
    "campaignId",
    "primaryAttributeValueId",
    "primaryAttributeValue",
    "attributes",
)
ACTION_RESULT = "actionResult"  # asked for by name only: every stored activity succeeded


class ExportKind(StrEnum):
    LEADS = "leads"
    ACTIVITIES = "activities"


class ExportStatus(StrEnum):
    CREATED = "Created"
    QUEUED = "Queued"
    PROCESSING = "Processing"
    CANCELLED = "Cancelled"
    COMPLETED = "Completed"
    FAILED = "Failed"

    @property
    def ended(self) -> bool:
        return self in (ExportStatus.CANCELLED, ExportStatus.COMPLETED, ExportStatus.FAILED)


class ExportFormat(StrEnum):
    CSV = "CSV"
    TSV = "TSV"
    SSV = "SSV"

    @property
    def delimiter(self) -> str:
        return {"CSV": ",", "TSV": "\t", "SSV": ";"}[self.value]

    @property
    def media_type(self) -> str:
        return "text/tab-separated-values" if self is ExportFormat.TSV else "text/csv"

    @property
    def suffix(self) -> str:
        return self.value.lower()


@dataclass(frozen=True, slots=True)
class ExportFilter:
    """What a job selects. Times are microseconds, ``[start, end)``: an ``endAt`` given
    to the second includes that whole second."""

    created: tuple[int, int] | None = None
    updated: tuple[int, int] | None = None  # leads only
    list_id: int | None = None  # leads only: the static list's members
    kinds: tuple[int, ...] | None = None  # activities only: their activityTypeIds


@dataclass(frozen=True, slots=True)
class ExportJob:
    """``fields``: the columns (REST field names, or activity columns), ``headers`` the
    header row (the names, or their ``columnHeaderNames``)."""

    id: str  # the exportId
    instance: str
    kind: ExportKind
    format: ExportFormat
    fields: tuple[str, ...]
    headers: tuple[str, ...]
    filter: ExportFilter
    status: ExportStatus
    created_at: int
    queued_at: int | None = None
    started_at: int | None = None
    finished_at: int | None = None
    records: int | None = None
    file_size: int | None = None
    checksum: str | None = None  # the file's SHA-256, hex
    file: str | None = None  # the file's name in the export directory
    error: str | None = None
    seq: int = 0  # the store's order of jobs (listings page by it)


class LeadColumn(NamedTuple):
    """What one column of a lead export reads: a column of the leads table (``id``,
    ``email``, ``created_at``, ``updated_at``), or the attribute ``attribute`` (a SOAP
    field name) when ``column`` is ``attrs``."""

    column: str
    attribute: str | None = None
