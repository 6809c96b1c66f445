"""Reading leads back: getLead, getMultipleLeads (with stream positions).

A stream position is opaque to the client and tamper-evident: the query it continues
(keys or time window, and the highest lead id that existed when paging began) and the
last id delivered, signed with HMAC-SHA256 under a server-wide key kept in the store.
Pages go by id, so a lead that existed when paging began is delivered exactly once,
whatever is written meanwhile (a lead updated while paging is still delivered; leads
created after paging began are not part of the stream).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import orjson

from leadsync.errors import (
    BadParameter,
    BadStreamPosition,
    LeadKeyBad,
    LeadKeyRequired,
    LeadNotFound,
    ListNotFound,
    ParameterRequired,
    TimeRangeExceeded,
)
from leadsync.lists import StaticList, find_list
from leadsync.model import Lead, blank, creation_order, email_key
from leadsync.store.base import LeadQuery, Store
from leadsync.words import plural

MAX_KEYS = 100  # LeadKeySelector: further keys are ignored, as Marketo documents
DEFAULT_BATCH = 100
MAX_BATCH = 1000
DAY_US = 86_400 * 1_000_000


def get_lead(store: Store, instance: str, key_type: str, key_value: str) -> list[Lead]:
    """Every lead of ``instance`` with that key, the most recently created first (an
    email may be shared); 20101 for a blank key, 20103 when no lead has it."""
    if blank(key_value):
        raise LeadKeyRequired(f"Lead key required: the {key_type} keyValue is empty")
    if key_type == "IDNUM":
        try:
            leads = store.read_leads(instance, ids=[int(key_value)])
        except ValueError:
            leads = []
    elif key_type == "EMAIL":
        leads = store.read_leads(instance, email_keys=[email_key(key_value)])
    elif key_type == "COOKIE":
        leads = store.read_leads(instance, cookies=[key_value])
    else:
        raise LeadKeyBad(f"Lead key type {key_type} is not supported: use IDNUM, EMAIL or COOKIE")
    if not leads:
        raise LeadNotFound(f"No lead found with {key_type} = {key_value}")
    return sorted(leads, key=creation_order, reverse=True)


@dataclass(frozen=True, slots=True)
class Selection:
    """A getMultipleLeads request, decoded."""

    key_type: str | None = None  # LeadKeySelector
    key_values: tuple[str, ...] = ()
    oldest: datetime | None = None  # LastUpdateAtSelector (or the deprecated lastUpdatedAt)
    latest: datetime | None = None
    static_list: str | None = None  # StaticListSelector: staticListName
    static_list_id: int | None = None  # or staticListId
    stream_position: str | None = None
    batch_size: int | None = None


@dataclass(frozen=True, slots=True)
class Page:
    leads: list[Lead]
    remaining: int
    stream_position: str  # "" when nothing remains


def get_multiple_leads(
    store: Store,
    instance: str,
    selection: Selection,
    now_us: int,
    max_window_days: int = 30,
) -> Page:
    """One page of the leads ``selection`` names. A LastUpdateAtSelector may span
    ``max_window_days`` (to now when it has no latestUpdatedAt; 0: no limit), else 20022."""
    size = DEFAULT_BATCH if selection.batch_size is None else selection.batch_size
    if size < 1:
        raise BadParameter(f"Bad parameter: batchSize must be at least 1, not {size}")
    size = min(size, MAX_BATCH)
    key = store.stream_key()
    skip = 0
    marketo = marketo_position(selection.stream_position)
    if marketo is not None:  # a start position in Marketo's own form: a new stream
        start_id, skip, window = marketo
        if window is not None and not _has_selector(selection):
            selection = replace(selection, oldest=window[0], latest=window[1])
        query = _selected(store, instance, selection, now_us, max_window_days)
        query, after = replace(query, max_id=store.last_lead_id()), max(start_id - 1, 0)
    elif selection.stream_position:
        query, after = _decode_position(key, selection.stream_position, instance)
        if _has_selector(selection) and not _same(
            query, _selected(store, instance, selection, now_us, 0)
        ):
            raise BadStreamPosition(
                "Bad stream position: it continues another leadSelector; send the selector "
                "it was issued for (or none) with it"
            )
    else:
        query = _selected(store, instance, selection, now_us, max_window_days)
        query, after = replace(query, max_id=store.last_lead_id()), 0
    leads, remaining = store.page_leads(instance, query, after, skip + size)
    leads = leads[skip:]
    position = _encode_position(key, query, leads[-1].id, instance) if remaining and leads else ""
    return Page(leads, remaining if leads else 0, position)


# Marketo's textual stream position: "id:1089965:to:1392234668:tl:1392321068:os:2:rc:24"
# (lead id, window oldest and latest in Unix seconds, offset, remaining count); clients
# make start positions of their own in it ("id:1:ts:1:os:0:rc:1", Datahero's node-marketo).
_MARKETO_POSITION = re.compile(
    r"(?:id|ts|to|tl|os|rc):[0-9]{1,19}(?::(?:id|ts|to|tl|os|rc):[0-9]{1,19})*"
)


def marketo_position(
    position: str | None,
) -> tuple[int, int, tuple[datetime, datetime | None] | None] | None:
    """(first lead id, leads to skip, the window ``to``..``tl`` if given) of a position in
    Marketo's form, None for any other text; 20122 for one that cannot be followed."""
    if not position or not _MARKETO_POSITION.fullmatch(position.strip()):
        return None
    parts = position.strip().split(":")
    values = {name: int(value) for name, value in zip(parts[::2], parts[1::2], strict=True)}
    if "id" not in values or values.get("os", 0) > MAX_BATCH:
        raise BadStreamPosition(
            f"Bad stream position: {position} names no lead id, or skips more than {MAX_BATCH}"
        )
    window = None
    if "to" in values:
        latest = values.get("tl")
        try:
            window = (
                datetime.fromtimestamp(values["to"], UTC),
                None if latest is None else datetime.fromtimestamp(latest, UTC),
            )
        except (OverflowError, OSError, ValueError):
            raise BadStreamPosition(f"Bad stream position: {position} has no valid times") from None
    return values["id"], values.get("os", 0), window


def _has_selector(selection: Selection) -> bool:
    return (
        selection.key_type is not None
        or selection.oldest is not None
        or selection.static_list is not None
        or selection.static_list_id is not None
    )


def _same(one: LeadQuery, other: LeadQuery) -> bool:
    """Whether two queries select the same leads (whatever their paging bounds)."""
    return (one.ids, one.email_keys, one.oldest, one.latest, one.list_id) == (
        other.ids,
        other.email_keys,
        other.oldest,
        other.latest,
        other.list_id,
    )


def static_list(store: Store, instance: str, selection: Selection) -> StaticList:
    """The list a StaticListSelector names, by id or name (or PROGRAM.NAME); 20111 for
    none."""
    lists = store.list_lists(instance)
    if selection.static_list_id is not None:
        found = next((s for s in lists if s.id == selection.static_list_id), None)
        shown = f"id {selection.static_list_id}"
    else:
        found = find_list(lists, (selection.static_list or "").strip())
        shown = f"named {selection.static_list}"
    if found is None:
        raise ListNotFound(f"List not found: no list {shown}")
    return found


def _selected(
    store: Store, instance: str, selection: Selection, now_us: int, max_window_days: int
) -> LeadQuery:
    """The query of ``selection``'s selector; ``max_id`` is filled in by the caller."""
    if selection.key_type is not None:
        values = selection.key_values[:MAX_KEYS]
        if selection.key_type == "IDNUM":
            ids = tuple(int(v) for v in values if v.strip().lstrip("-").isdigit())
            return LeadQuery(0, ids=ids)
        if selection.key_type == "EMAIL":
            return LeadQuery(0, email_keys=tuple(email_key(v) for v in values))
        raise LeadKeyBad(
            f"Lead key type {selection.key_type} is not supported here: use IDNUM or EMAIL"
        )
    if selection.static_list is not None or selection.static_list_id is not None:
        return LeadQuery(0, list_id=static_list(store, instance, selection).id)
    if selection.oldest is not None:
        oldest = _us(selection.oldest)
        latest = None if selection.latest is None else _us(selection.latest)
        if max_window_days and (now_us if latest is None else latest) - oldest > (
            max_window_days * DAY_US
        ):
            raise TimeRangeExceeded(
                "Time range specified in query filter exceeded limit: from oldestUpdatedAt "
                f"to {'latestUpdatedAt' if latest is not None else 'now'} is more than "
                f"{plural(max_window_days, 'day')}"
            )
        return LeadQuery(0, oldest=oldest, latest=latest, started=now_us)
    raise ParameterRequired("Parameter required: leadSelector (or lastUpdatedAt)")


def _us(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def seal(key: bytes, data: dict[str, Any]) -> str:
    """An opaque, tamper-evident token holding ``data`` (JSON), signed with HMAC-SHA256."""
    payload = orjson.dumps(data)
    token = payload + _signature(key, payload)
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def unseal(key: bytes, token: str) -> dict[str, Any]:
    """The data of a token ``seal`` made with ``key``; 20122 for any other text."""
    bad = BadStreamPosition("Bad stream position: not one this server issued")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError:
        raise bad from None
    payload, signature = raw[:-16], raw[-16:]
    if len(raw) <= 16 or not hmac.compare_digest(signature, _signature(key, payload)):
        raise bad
    data = orjson.loads(payload)
    if not isinstance(data, dict):
        raise bad
    return data


def _signature(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()[:16]


def _encode_position(key: bytes, query: LeadQuery, after: int, instance: str) -> str:
    data = {
        "q": [query.max_id, query.ids, query.email_keys, query.oldest, query.latest, query.started],
        "l": query.list_id,
        "a": after,
        "i": instance,
    }
    return seal(key, data)


def _decode_position(key: bytes, position: str, instance: str) -> tuple[LeadQuery, int]:
    data = unseal(key, position)
    if data.get("i") != instance or "q" not in data:  # another instance's, or a change stream's
        raise BadStreamPosition("Bad stream position: not one this server issued")
    max_id, ids, emails, oldest, latest, started = data["q"]
    query = LeadQuery(
        max_id,
        ids=None if ids is None else tuple(ids),
        email_keys=None if emails is None else tuple(emails),
        oldest=oldest,
        latest=latest,
        started=started,
        list_id=data.get("l"),
    )
    return query, int(data["a"])
