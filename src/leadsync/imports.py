"""importToList jobs: rows of a CSV imported into a static list in the background.

A job is stored whole when importToList is called (its rows, its columns as field
names) and answered PROCESSING; a worker in a server process claims it and imports its
rows chunk by chunk, recording its progress after each chunk. A claim that has not
moved for CLAIM_TIMEOUT_S (its process died) is taken over, and the job goes on from
its last recorded row: a chunk done again changes nothing (its leads are upserted to
the same values, membership is a set).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

CHUNK_ROWS = 300
CLAIM_TIMEOUT_S = 10.0
MAX_ROWS = 100_000  # rows a call (Marketo documented none; a call is 8 MB at most)


class ImportMode(StrEnum):
    UPSERT = "UPSERTLEADS"
    LIST_ONLY = "LISTONLY"


class ImportStatus(StrEnum):
    PROCESSING = "PROCESSING"
    COMPLETE = "COMPLETE"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class ImportJob:
    """``columns``: each column's SOAP field name, or a My Token (``{{my.x}}``)."""

    id: int
    instance: str
    list_id: int
    mode: ImportMode
    clear_list: bool
    campaign: str | None
    columns: tuple[str, ...]
    rows: tuple[str, ...]
    status: ImportStatus
    started_at: int
    ended_at: int | None = None
    next_row: int = 0
    imported: int = 0
    failed: int = 0
    ignored: int = 0
    summary: str | None = None
