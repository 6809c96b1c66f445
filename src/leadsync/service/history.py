"""A lead's history read back: getLeadActivity (one lead, newest first) and
getLeadChanges (every lead's changes, oldest first, as a stream).

getLeadActivity pages by id: ``offset`` is ``ID:n``, the oldest activity delivered, and
the next page holds older ones. A lead's writes are serialised by its row lock, so its
activity ids become visible in order on both stores and a page never misses one.

getLeadChanges continues from a ``ChangePosition`` (store/base.py) sealed into an opaque
``offset``: it records what has been delivered, not a time, so whatever commits
meanwhile is delivered exactly once. A filter may change between pages; a position says
nothing about it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from leadsync.activities import SOAP_TYPES, Activity, kind_ids_of_names, kind_ids_of_soap
from leadsync.errors import (
    ActivityKeyBad,
    BadParameter,
    BadStreamPosition,
    LeadKeyBad,
    ParameterRequired,
)
from leadsync.model import email_key
from leadsync.service import reads
from leadsync.store.base import ActivityQuery, ChangePosition, Store
from leadsync.words import quoted

ACTIVITY_BATCH = 100  # getLeadActivity: Marketo's cap, and the default
CHANGES_DEFAULT_BATCH = 100
CHANGES_MAX_BATCH = 1000
MAX_SELECTOR_KEYS = 100
_ID_OFFSET = re.compile(r"ID:([0-9]{1,18})", re.IGNORECASE)
_SOAP_TYPES = frozenset(SOAP_TYPES)


@dataclass(frozen=True, slots=True)
class StartPosition:
    """A StreamPosition as sent; every part optional (an empty element is absent)."""

    latest: datetime | None = None
    oldest: datetime | None = None
    activity_created: datetime | None = None
    offset: str | None = None

    @property
    def since(self) -> int | None:
        """Activities created at or after this (oldestCreatedAt or activityCreatedAt,
        the later of the two), microseconds."""
        moments = [m for m in (self.oldest, self.activity_created) if m is not None]
        return max(_us(m) for m in moments) if moments else None


@dataclass(frozen=True, slots=True)
class TypeFilter:
    """activityFilter (ActivityType names to include or exclude) and activityNameFilter
    (display names); None where not sent."""

    include: tuple[str, ...] | None = None
    exclude: tuple[str, ...] | None = None
    names: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class HistoryPage:
    activities: list[Activity]
    remaining: int
    position: StartPosition  # newStartPosition


class HistoryService:
    """getLeadActivity and getLeadChanges on one store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def lead_activity(
        self,
        instance: str,
        key_type: str,
        key_value: str,
        types: TypeFilter,
        start: StartPosition,
        batch_size: int | None,
    ) -> HistoryPage:
        return get_lead_activity(
            self._store, instance, key_type, key_value, types, start, batch_size
        )

    def lead_changes(
        self,
        instance: str,
        start: StartPosition | None,
        types: TypeFilter,
        selector: reads.Selection | None,
        batch_size: int | None,
    ) -> HistoryPage:
        return get_lead_changes(self._store, instance, start, types, selector, batch_size)

    def stream_token(self, instance: str, since_us: int) -> str:
        """A REST paging token: a change stream starting at ``since_us``."""
        key = self._store.stream_key()
        return _seal(key, instance, self._store.change_start(since=since_us))

    def stream_page(
        self,
        instance: str,
        token: str,
        size: int,
        kinds: frozenset[int],
        lead_ids: tuple[int, ...] | None = None,
        list_id: int | None = None,
    ) -> tuple[list[Activity], str, int]:
        """The next activities of these kinds (of these leads, or of the list's members)
        in the stream ``token`` holds (see ``stream_token``), the token after them, and
        how many more match now."""
        query = ActivityQuery(kinds=kinds, lead_ids=lead_ids, list_id=list_id)
        key = self._store.stream_key()
        position = _unsealed(key, instance, token.strip())
        activities, position, remaining = self._store.page_changes(instance, query, position, size)
        return activities, _seal(key, instance, position), remaining


def get_lead_activity(
    store: Store,
    instance: str,
    key_type: str,
    key_value: str,
    types: TypeFilter,
    start: StartPosition,
    batch_size: int | None,
) -> HistoryPage:
    """One page of the lead's activities, newest first; 20103 for an unknown lead."""
    query = activity_query(types, start)
    size = min(_batch(batch_size, ACTIVITY_BATCH), ACTIVITY_BATCH)
    before = None
    if start.offset:
        found = _ID_OFFSET.fullmatch(start.offset.strip())
        if found is None:
            raise BadStreamPosition(
                f"Bad stream position: offset {quoted(start.offset)} is not one this server "
                "issued (ID:n)"
            )
        before = int(found.group(1))
    lead = reads.get_lead(store, instance, key_type, key_value)[0]
    activities, remaining = store.lead_activities(instance, lead.id, query, before, size)
    offset = f"ID:{activities[-1].id}" if activities else start.offset
    return HistoryPage(activities, remaining, _replace_offset(start, offset))


def get_lead_changes(
    store: Store,
    instance: str,
    start: StartPosition | None,
    types: TypeFilter,
    selector: reads.Selection | None,
    batch_size: int | None,
) -> HistoryPage:
    """The next changes of every lead (or the selector's), oldest first."""
    if start is None:
        raise ParameterRequired("Parameter required: startPosition")
    size = min(_batch(batch_size, CHANGES_DEFAULT_BATCH), CHANGES_MAX_BATCH)
    query = activity_query(types, start)
    if selector is not None:
        query = _selected(store, instance, query, selector)
        if selector.oldest is not None and start.since is None:
            start = StartPosition(start.latest, selector.oldest, None, start.offset)
    key = store.stream_key()
    position = _position(store, key, instance, start)
    activities, position, remaining = store.page_changes(instance, query, position, size)
    return HistoryPage(
        activities, remaining, _replace_offset(start, _seal(key, instance, position))
    )


def activity_query(types: TypeFilter, start: StartPosition) -> ActivityQuery:
    """The kinds and times a filter and start position select; 20110 for both include
    and exclude, 20107 for a name outside the ActivityType enumeration."""
    if types.include and types.exclude:
        raise BadParameter(
            "Bad parameter: activityFilter takes includeTypes or excludeTypes, not both"
        )
    for name in (*(types.include or ()), *(types.exclude or ())):
        if name not in _SOAP_TYPES:
            raise ActivityKeyBad(f"Activity key bad: {quoted(name)} is not an ActivityType")
    kinds: frozenset[int] | None = None
    if types.include:
        kinds = kind_ids_of_soap(types.include)
    if types.names:
        named = kind_ids_of_names(types.names)
        kinds = named if kinds is None else kinds & named
    excluded = kind_ids_of_soap(types.exclude) if types.exclude else frozenset()
    latest = None if start.latest is None else _us(start.latest)
    return ActivityQuery(kinds=kinds, excluded=excluded, oldest=start.since, latest=latest)


def _selected(
    store: Store, instance: str, query: ActivityQuery, selector: reads.Selection
) -> ActivityQuery:
    """``query`` narrowed by getLeadChanges' leadSelector."""
    if selector.static_list is not None or selector.static_list_id is not None:
        return replace(query, list_id=reads.static_list(store, instance, selector).id)
    if selector.key_type is not None:
        values = selector.key_values
        if len(values) > MAX_SELECTOR_KEYS:
            raise BadParameter(
                f"Bad parameter: {len(values)} keys in the LeadKeySelector; at most "
                f"{MAX_SELECTOR_KEYS}"
            )
        if selector.key_type == "IDNUM":
            ids = [int(v) for v in values if v.strip().isdigit()]
            leads = store.read_leads(instance, ids=ids)
        elif selector.key_type == "EMAIL":
            leads = store.read_leads(instance, email_keys=[email_key(v) for v in values])
        elif selector.key_type == "COOKIE":
            leads = store.read_leads(instance, cookies=list(values))
        else:
            raise LeadKeyBad(
                f"Lead key type {selector.key_type} is not supported here: use IDNUM, EMAIL "
                "or COOKIE"
            )
        return ActivityQuery(
            query.kinds,
            query.excluded,
            tuple(lead.id for lead in leads),
            query.oldest,
            query.latest,
        )
    latest = query.latest if selector.latest is None else _us(selector.latest)
    oldest = query.oldest if selector.oldest is None else _us(selector.oldest)
    return ActivityQuery(query.kinds, query.excluded, query.lead_ids, oldest, latest)


def _position(store: Store, key: bytes, instance: str, start: StartPosition) -> ChangePosition:
    if not start.offset:
        return store.change_start(since=start.since)
    offset = start.offset.strip()
    marketo = _ID_OFFSET.fullmatch(offset)
    if marketo is not None:  # Marketo's own form: after that activity
        return store.change_start(after_id=int(marketo.group(1)))
    return _unsealed(key, instance, offset)


def _unsealed(key: bytes, instance: str, offset: str) -> ChangePosition:
    data = reads.unseal(key, offset)
    if data.get("i") != instance or not isinstance(data.get("c"), list):
        raise BadStreamPosition("Bad stream position: not one this server issued")
    try:
        return ChangePosition(*(int(part) for part in data["c"]))
    except (TypeError, ValueError):
        raise BadStreamPosition("Bad stream position: not one this server issued") from None


def _seal(key: bytes, instance: str, position: ChangePosition) -> str:
    parts = [position.horizon, position.last_id, position.band_end, position.band_last]
    return reads.seal(key, {"c": parts, "i": instance})


def _replace_offset(start: StartPosition, offset: str | None) -> StartPosition:
    return StartPosition(start.latest, start.oldest, start.activity_created, offset)


def _batch(batch_size: int | None, default: int) -> int:
    size = default if batch_size is None else batch_size
    if size < 1:
        raise BadParameter(f"Bad parameter: batchSize must be at least 1, not {size}")
    return size


def _us(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)
