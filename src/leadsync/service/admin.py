"""The test kit's admin operations (``/leadsync-api/``): reset, seed, snapshots, and the
journal and fault rules the wire layers consult.

Seeding takes the format ``leadsync leads export`` writes (JSON Lines, or CSV with a
header): ``Email``, ``ForeignSysPersonId`` and ``ForeignSysType`` are the keys, every
other column but ``Id``, ``instance``, ``createdAt`` and ``updatedAt`` an attribute, and
the rows are applied as syncMultipleLeads would (300 a call, dedup on)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import orjson

from leadsync.batches import batches
from leadsync.errors import BadParameter
from leadsync.faults import FaultBook
from leadsync.journal import Journal
from leadsync.model import Attribute, LeadRecord, SyncStatus
from leadsync.service.sync import sync_multiple_leads
from leadsync.store.base import Store

SEED_MAX_ROWS = 100_000
_KEYS = {"Email": "email", "ForeignSysPersonId": "foreign_sys_person_id",
         "ForeignSysType": "foreign_sys_type"}  # fmt: skip
_IGNORED = frozenset({"Id", "instance", "createdAt", "updatedAt"})


class AdminService:
    def __init__(
        self, store: Store, journal: Journal, faults: FaultBook, *, enabled: bool = True
    ) -> None:
        """``enabled``: serve --admin (or --admin-token-file): only then do the wire layers
        keep a journal and fire fault rules."""
        self._store = store
        self.journal = journal
        self.faults = faults
        self.enabled = enabled
        # What else a reset clears, by instance (None: all): the limits' counters.
        self.on_reset: list[Callable[[str | None], None]] = []

    def reset(self, instance: str | None, everything: bool = False) -> list[str]:
        """Reset one instance (None: every one); the instances reset."""
        names = self._store.list_instances() if instance is None else [instance]
        if instance is not None and instance not in self._store.list_instances():
            raise BadParameter(f"no instance {instance}")
        for name in names:
            with self._store.write(name) as writer:
                writer.reset_instance(name, everything)
        self.journal.clear()
        for hook in self.on_reset:
            hook(instance)
        return names

    def seed(self, instance: str, body: bytes, csv_body: bool) -> list[SyncStatus]:
        if instance not in self._store.list_instances():
            raise BadParameter(f"no instance {instance}")
        rows = list(_csv_rows(body) if csv_body else _json_rows(body))
        if len(rows) > SEED_MAX_ROWS:
            raise BadParameter(f"{len(rows)} rows; at most {SEED_MAX_ROWS} a seed")
        statuses: list[SyncStatus] = []
        for chunk in batches([_record(row) for row in rows], 300):
            statuses.extend(sync_multiple_leads(self._store, chunk, True, instance=instance))
        return statuses

    def snapshot(self, name: str) -> None:
        try:
            self._store.snapshot(name)
        except ValueError as exc:
            raise BadParameter(str(exc)) from None

    def restore(self, name: str) -> None:
        try:
            self._store.restore(name)
        except ValueError as exc:
            raise BadParameter(str(exc)) from None


def _record(row: dict[str, Any]) -> LeadRecord:
    keys: dict[str, str | None] = {}
    attributes: list[Attribute] = []
    for name, value in row.items():
        text = None if value is None or value == "" else str(value)
        if name in _KEYS:
            keys[_KEYS[name]] = text
        elif name not in _IGNORED:
            attributes.append(Attribute(name, text))
    return LeadRecord(
        email=keys.get("email"),
        foreign_sys_person_id=keys.get("foreign_sys_person_id"),
        foreign_sys_type=keys.get("foreign_sys_type"),
        attributes=tuple(a for a in attributes if a.value is not None),
    )


def _json_rows(body: bytes) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(body.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise BadParameter(f"line {number} is not JSON") from None
        if not isinstance(row, dict):
            raise BadParameter(f"line {number} is not a JSON object")
        yield row


def _csv_rows(body: bytes) -> Iterator[dict[str, Any]]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadParameter("the CSV is not UTF-8") from None
    reader = csv.DictReader(io.StringIO(text))
    header: Sequence[str] | None = reader.fieldnames
    if not header:
        raise BadParameter("the CSV has no header row")
    yield from reader
