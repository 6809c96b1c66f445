"""Marketo's rules, by entity, over the Store protocol; no XML, no JSON, no SQL.

The wire layer reaches the store only through ``Services``: one service object per
entity (leads, objects, ...), each method one operation's call, returning what the
answer needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from leadsync.calls import Clock, utc_now
from leadsync.faults import FaultBook
from leadsync.journal import Journal
from leadsync.service.admin import AdminService
from leadsync.service.browse import BrowseService
from leadsync.service.campaigns import CampaignService
from leadsync.service.custom_objects import CustomObjectService
from leadsync.service.exports import ExportService
from leadsync.service.history import HistoryService
from leadsync.service.identity import IdentityService
from leadsync.service.imports import ImportService
from leadsync.service.leads import LeadService
from leadsync.service.lists import ListService
from leadsync.service.merge import MergeService
from leadsync.service.mobjects import MObjectService
from leadsync.service.objects import ObjectService
from leadsync.service.rest import RestService
from leadsync.service.usage import UsageService
from leadsync.store.base import Store


@dataclass(frozen=True, slots=True)
class Services:
    leads: LeadService
    objects: ObjectService
    history: HistoryService
    lists: ListService
    campaigns: CampaignService
    merge: MergeService
    imports: ImportService
    exports: ExportService
    custom_objects: CustomObjectService
    mobjects: MObjectService
    rest: RestService
    identity: IdentityService
    usage: UsageService
    browse: BrowseService
    admin: AdminService

    @classmethod
    def over(
        cls,
        store: Store,
        clock: Clock = utc_now,
        export_dir: str | None = None,
        quota_zone: str = "America/Chicago",
        admin: AdminService | None = None,
    ) -> Services:
        """``export_dir``: where bulk extract files go (None: beside a SQLite file);
        ``quota_zone``: whose midnight starts a day of REST usage; ``admin``: the test
        kit's (its journal and fault rules; off by default)."""
        lists = ListService(store)
        return cls(
            LeadService(store),
            ObjectService(store),
            HistoryService(store),
            lists,
            CampaignService(store),
            MergeService(store),
            ImportService(store, lists),
            ExportService(store, export_dir, clock),
            CustomObjectService(store),
            MObjectService(store),
            RestService(store),
            IdentityService(store, clock),
            UsageService(store, clock, quota_zone),
            BrowseService(store),
            admin or AdminService(store, Journal(0), FaultBook(), enabled=False),
        )


__all__ = [
    "AdminService",
    "BrowseService",
    "CampaignService",
    "CustomObjectService",
    "ExportService",
    "HistoryService",
    "IdentityService",
    "ImportService",
    "LeadService",
    "ListService",
    "MergeService",
    "MObjectService",
    "ObjectService",
    "RestService",
    "UsageService",
    "Services",
]
