"""The lead operations the wire layer calls: one method a call, each returning what the
answer needs (the leads and the catalog that types their attributes). The rules live in
``sync.py`` (upserts) and ``reads.py`` (reads); this is their entry point."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from leadsync.fields import Catalog
from leadsync.model import Lead, LeadRecord, SyncStatus
from leadsync.service import reads, sync
from leadsync.store.base import Store


@dataclass(frozen=True, slots=True)
class FoundLeads:
    leads: list[Lead]
    catalog: Catalog


@dataclass(frozen=True, slots=True)
class SyncedLead:
    status: SyncStatus
    lead: Lead | None  # as stored afterwards; None when the record failed
    catalog: Catalog


@dataclass(frozen=True, slots=True)
class LeadPage:
    page: reads.Page
    catalog: Catalog


class LeadService:
    """syncMultipleLeads, syncLead, getLead and getMultipleLeads on one store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def sync_multiple(
        self, instance: str, records: Sequence[LeadRecord], dedup: bool
    ) -> list[SyncStatus]:
        return sync.sync_multiple_leads(self._store, records, dedup, instance=instance)

    def sync_one(self, instance: str, record: LeadRecord) -> SyncedLead:
        catalog = self._store.catalog(instance)  # read once: the check, sync and answer
        status, lead = sync.sync_lead(self._store, record, instance, catalog)
        return SyncedLead(status, lead, catalog)

    def get(self, instance: str, key_type: str, key_value: str) -> FoundLeads:
        leads = reads.get_lead(self._store, instance, key_type, key_value)
        return FoundLeads(leads, self._store.catalog(instance))

    def page(
        self, instance: str, selection: reads.Selection, now_us: int, max_window_days: int
    ) -> LeadPage:
        found = reads.get_multiple_leads(self._store, instance, selection, now_us, max_window_days)
        return LeadPage(found, self._store.catalog(instance))
