"""What the web page (web/) reads: the instances, an instance's leads by id in pages or
found by email or id, a lead's fields and activities, its lists and campaigns. Reads
only, no locks taken; nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass

from leadsync.activities import Activity
from leadsync.campaigns import Campaign
from leadsync.fields import Catalog
from leadsync.lists import StaticList
from leadsync.model import DEFAULT_INSTANCE, Lead, email_key
from leadsync.store.base import ActivityQuery, LeadQuery, Store

_EVERY_ID = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Page:
    """Leads by id, and how many more match after the last of them."""

    leads: list[Lead]
    more: int


@dataclass(frozen=True, slots=True)
class Timeline:
    """A lead's activities, newest first, and how many older ones match."""

    activities: list[Activity]
    older: int


@dataclass(frozen=True, slots=True)
class ListInfo:
    static_list: StaticList
    members: int


class BrowseService:
    """The store's reads the web page shows, per instance."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def instances(self) -> list[str]:
        """Every instance by name, ``default`` first when there is one."""
        names = self._store.list_instances()
        return sorted(names, key=lambda name: (name != DEFAULT_INSTANCE, name))

    def leads(self, instance: str, after_id: int, limit: int) -> Page:
        """Up to ``limit`` leads with ids above ``after_id``, by id."""
        leads, more = self._store.page_leads(instance, LeadQuery(max_id=_EVERY_ID), after_id, limit)
        return Page(leads, more)

    def members(self, instance: str, list_id: int, after_id: int, limit: int) -> Page:
        """Up to ``limit`` members of the list with ids above ``after_id``, by id."""
        query = LeadQuery(max_id=_EVERY_ID, list_id=list_id)
        leads, more = self._store.page_leads(instance, query, after_id, limit)
        return Page(leads, more)

    def find(self, instance: str, text: str) -> list[Lead]:
        """The leads whose email is ``text`` (any case, surrounding space ignored) or,
        for digits, whose id it is; by id."""
        wanted = text.strip()
        if not wanted:
            return []
        digits = wanted.isascii() and wanted.isdigit() and len(wanted) <= 18
        ids = [int(wanted)] if digits else []
        found = self._store.read_leads(instance, ids=ids, email_keys=[email_key(wanted)])
        return sorted(found, key=lambda lead: lead.id)

    def lead(self, instance: str, lead_id: int) -> Lead | None:
        found = self._store.read_leads(instance, ids=[lead_id])
        return found[0] if found else None

    def timeline(self, instance: str, lead_id: int, before_id: int | None, limit: int) -> Timeline:
        """The lead's activities with ids below ``before_id`` (None: from the newest)."""
        activities, older = self._store.lead_activities(
            instance, lead_id, ActivityQuery(), before_id, limit
        )
        return Timeline(activities, older)

    def catalog(self, instance: str) -> Catalog:
        return self._store.catalog(instance)

    def lists(self, instance: str) -> list[ListInfo]:
        """The instance's static lists by id, each with its member count."""
        return [
            ListInfo(item, self._store.list_size(item.id))
            for item in sorted(self._store.list_lists(instance), key=lambda item: item.id)
        ]

    def campaigns(self, instance: str) -> list[Campaign]:
        return sorted(self._store.list_campaigns(instance), key=lambda c: c.id)
