"""getLeadActivity and getLeadChanges relayed to the upstream's activity stream
(``activities/pagingtoken.json``, then ``activities.json``; a getLeadChanges asking for
New Lead and Change Data Value exactly, what ``activities/leadchanges.json`` gives, goes
to that endpoint, as Marketo's migration guide maps it).

Only the activity types leadsync knows are asked for (New Lead, Change Data Value, Add
to List, Remove from List, Merge Leads, Request Campaign): a record of another type has
no SOAP shape here. getLeadActivity reads the lead's whole stream (REST gives it oldest
first) and answers it newest first, ``offset`` ``ID:n`` as leadsync's own; getLeadChanges'
position is the upstream's ``nextPageToken`` itself.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from leadsync.activities import CHANGE_DATA_VALUE, KINDS, NEW_LEAD, Activity
from leadsync.errors import BadStreamPosition, LeadNotFound, ParameterRequired
from leadsync.relay.leads import RelayLeadService
from leadsync.relay.upstream import Upstream
from leadsync.service import reads
from leadsync.service.history import (
    ACTIVITY_BATCH,
    CHANGES_DEFAULT_BATCH,
    HistoryPage,
    HistoryService,
    StartPosition,
    TypeFilter,
    activity_query,
)
from leadsync.service.keys import LeadKey

REST_PAGE = 300
_ID_OFFSET = re.compile(r"ID:([0-9]{1,18})", re.IGNORECASE)
_EPOCH = "1970-01-01T00:00:00Z"
MAX_PAGES = 100  # of one lead's history (30,000 activities)
_CHANGES = frozenset({NEW_LEAD.id, CHANGE_DATA_VALUE.id})  # what Get Lead Changes gives


class RelayHistoryService(HistoryService):
    def __init__(self, upstream: Upstream, leads: RelayLeadService) -> None:
        self._upstream = upstream
        self._leads = leads

    def _kinds(self, types: TypeFilter, start: StartPosition) -> list[int]:
        query = activity_query(types, start)
        kinds = sorted(KINDS if query.kinds is None else query.kinds & set(KINDS))
        return [k for k in kinds if k not in query.excluded]

    def _token(self, since_us: int | None) -> str:
        since = _EPOCH if since_us is None else _iso(since_us)
        answer = self._upstream.call(
            "GET", "/rest/v1/activities/pagingtoken.json", params={"sinceDatetime": since}
        )
        return str(answer["nextPageToken"])

    def _page(
        self, token: str, kinds: list[int], lead_ids: list[int] | None, size: int
    ) -> tuple[list[Activity], str, bool]:
        params: dict[str, Any] = {
            "nextPageToken": token,
            "activityTypeIds": ",".join(map(str, kinds)),
            "batchSize": min(size, REST_PAGE),
        }
        if lead_ids:
            params["leadIds"] = ",".join(map(str, lead_ids))
        answer = self._upstream.call("GET", "/rest/v1/activities.json", params=params)
        found = [_activity(item) for item in answer.get("result", [])]
        return found, str(answer.get("nextPageToken", token)), bool(answer.get("moreResult"))

    def _changes(
        self, token: str, lead_ids: list[int] | None, size: int
    ) -> tuple[list[Activity], str, bool]:
        """Get Lead Changes of every field the upstream describes (a form body: the
        list of fields may be too long for a URL)."""
        fields = self._leads.upstream_fields
        form = {
            "nextPageToken": token,
            "fields": ",".join(fields.rest_of.values()),
            "batchSize": str(min(size, REST_PAGE)),
        }
        if lead_ids:
            form["leadIds"] = ",".join(map(str, lead_ids))
        answer = self._upstream.call(
            "POST", "/rest/v1/activities/leadchanges.json", params={"_method": "GET"}, form=form
        )
        found: list[Activity] = []
        for item in answer.get("result", []):
            found.extend(_changed(item, fields.display_of))
        return found, str(answer.get("nextPageToken", token)), bool(answer.get("moreResult"))

    def lead_activity(
        self,
        instance: str,
        key_type: str,
        key_value: str,
        types: TypeFilter,
        start: StartPosition,
        batch_size: int | None,
    ) -> HistoryPage:
        kinds = self._kinds(types, start)
        ids = self._leads.resolve([LeadKey(key_type, key_value)])
        if not ids:
            raise LeadNotFound(f"No lead found with {key_type} = {key_value}")
        lead_id = next(iter(ids.values()))
        before: int | None = None
        if start.offset:
            found = _ID_OFFSET.fullmatch(start.offset.strip())
            if found is None:
                raise BadStreamPosition("Bad stream position: offset is not ID:n")
            before = int(found.group(1))
        history: list[Activity] = []
        token = self._token(start.since)
        for _ in range(MAX_PAGES):
            page, token, more = self._page(token, kinds, [lead_id], REST_PAGE)
            history.extend(page)
            if not more:
                break
        latest = None if start.latest is None else int(start.latest.timestamp() * 1_000_000)
        chosen = [
            a
            for a in reversed(history)
            if (before is None or a.id < before) and (latest is None or a.created_at <= latest)
        ]
        size = min(batch_size or ACTIVITY_BATCH, ACTIVITY_BATCH)
        page = chosen[:size]
        offset = f"ID:{page[-1].id}" if page else start.offset
        position = StartPosition(start.latest, start.oldest, start.activity_created, offset)
        return HistoryPage(page, len(chosen) - len(page), position)

    def lead_changes(
        self,
        instance: str,
        start: StartPosition | None,
        types: TypeFilter,
        selector: reads.Selection | None,
        batch_size: int | None,
    ) -> HistoryPage:
        if start is None:
            raise ParameterRequired("Parameter required: startPosition")
        kinds = self._kinds(types, start)
        lead_ids: list[int] | None = None
        if selector is not None and selector.key_type is not None:
            keys = [LeadKey(selector.key_type, v) for v in selector.key_values]
            lead_ids = sorted(set(self._leads.resolve(keys).values()))[:30]
            if not lead_ids:
                return HistoryPage([], 0, start)
        token = start.offset.strip() if start.offset else self._token(start.since)
        size = min(batch_size or CHANGES_DEFAULT_BATCH, REST_PAGE)
        if set(kinds) == _CHANGES:
            page, token, more = self._changes(token, lead_ids, size)
        else:
            page, token, more = self._page(token, kinds, lead_ids, size)
        position = StartPosition(start.latest, start.oldest, start.activity_created, token)
        return HistoryPage(page, 1 if more else 0, position)


def _iso(microseconds: int) -> str:
    return datetime.fromtimestamp(microseconds / 1e6, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _activity(item: dict[str, Any], given: dict[str, Any] | None = None) -> Activity:
    """An activity of Get Lead Activities, or of Get Lead Changes with ``given`` (its
    attributes and the changed field's Attribute Name, Old and New Value)."""
    kind = KINDS[int(item["activityTypeId"])]
    if given is None:
        given = {}
    for attribute in item.get("attributes", []):
        given.setdefault(attribute.get("name"), attribute.get("value"))
    values = tuple(None if given.get(n) is None else str(given[n]) for n in kind.attributes)
    moment = datetime.fromisoformat(str(item["activityDate"]).replace("Z", "+00:00"))
    asset = item.get("primaryAttributeValue", given.get("Attribute Name"))
    return Activity(
        int(item["id"]),
        int(item["leadId"]),
        kind.id,
        int(moment.timestamp() * 1_000_000),
        None if asset is None else str(asset),
        values,
    )


def _changed(item: dict[str, Any], display_of: dict[str, str]) -> list[Activity]:
    """A Get Lead Changes record as activities: a New Lead, or one Change Data Value per
    changed field (Marketo's carry one), named by the upstream's display name."""
    changed = item.get("fields") or []
    if int(item["activityTypeId"]) != CHANGE_DATA_VALUE.id or not changed:
        return [_activity(item)]
    return [
        _activity(
            item,
            {
                "Attribute Name": display_of.get(str(field.get("name")), field.get("name")),
                "Old Value": field.get("oldValue"),
                "New Value": field.get("newValue"),
            },
        )
        for field in changed
    ]
