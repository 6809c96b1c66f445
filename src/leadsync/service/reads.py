"""Reading leads back: getLead, getMultipleLeads (with stream positions), describeMObject.

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
from dataclasses import dataclass
from datetime import datetime

import orjson

from leadsync.errors import (
    BadParameter,
    BadStreamPosition,
    LeadKeyBad,
    LeadNotFound,
    ListNotFound,
    ParameterRequired,
)
from leadsync.fields import STANDARD_FIELDS, FieldType
from leadsync.model import Lead, email_key
from leadsync.store.base import LeadQuery, Store

MAX_KEYS = 100  # LeadKeySelector: further keys are ignored, as Marketo documents
DEFAULT_BATCH = 100
MAX_BATCH = 1000


def get_lead(store: Store, instance: str, key_type: str, key_value: str) -> list[Lead]:
    """Every lead of ``instance`` with that key (an email may be shared); 20103 if none."""
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
    return leads


@dataclass(frozen=True, slots=True)
class Selection:
    """A getMultipleLeads request, decoded."""

    key_type: str | None = None  # LeadKeySelector
    key_values: tuple[str, ...] = ()
    oldest: datetime | None = None  # LastUpdateAtSelector (or the deprecated lastUpdatedAt)
    latest: datetime | None = None
    static_list: str | None = None  # StaticListSelector
    stream_position: str | None = None
    batch_size: int | None = None


@dataclass(frozen=True, slots=True)
class Page:
    leads: list[Lead]
    remaining: int
    stream_position: str  # "" when nothing remains


def get_multiple_leads(store: Store, instance: str, selection: Selection, now_us: int) -> Page:
    size = DEFAULT_BATCH if selection.batch_size is None else selection.batch_size
    if size < 1:
        raise BadParameter(f"Bad parameter: batchSize must be at least 1, not {size}")
    size = min(size, MAX_BATCH)
    key = store.stream_key()
    if selection.stream_position:
        query, after = _decode_position(key, selection.stream_position, instance)
    else:
        query, after = _query(store, selection, now_us), 0
    leads, remaining = store.page_leads(instance, query, after, size)
    position = _encode_position(key, query, leads[-1].id, instance) if remaining else ""
    return Page(leads, remaining, position)


def _query(store: Store, selection: Selection, now_us: int) -> LeadQuery:
    max_id = store.last_lead_id()
    if selection.key_type is not None:
        values = selection.key_values[:MAX_KEYS]
        if selection.key_type == "IDNUM":
            ids = tuple(int(v) for v in values if v.strip().lstrip("-").isdigit())
            return LeadQuery(max_id, ids=ids)
        if selection.key_type == "EMAIL":
            return LeadQuery(max_id, email_keys=tuple(email_key(v) for v in values))
        raise LeadKeyBad(
            f"Lead key type {selection.key_type} is not supported here: use IDNUM or EMAIL"
        )
    if selection.static_list is not None:
        raise ListNotFound(f"List not found: {selection.static_list} (leadsync has no lists)")
    if selection.oldest is not None:
        latest = None if selection.latest is None else _us(selection.latest)
        return LeadQuery(max_id, oldest=_us(selection.oldest), latest=latest, started=now_us)
    raise ParameterRequired("Parameter required: leadSelector (or lastUpdatedAt)")


def _us(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def _signature(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()[:16]


def _encode_position(key: bytes, query: LeadQuery, after: int, instance: str) -> str:
    payload = orjson.dumps(
        {
            "q": [
                query.max_id,
                query.ids,
                query.email_keys,
                query.oldest,
                query.latest,
                query.started,
            ],
            "a": after,
            "i": instance,
        }
    )
    token = payload + _signature(key, payload)
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def _decode_position(key: bytes, position: str, instance: str) -> tuple[LeadQuery, int]:
    bad = BadStreamPosition("Bad stream position: not one this server issued")
    try:
        token = base64.urlsafe_b64decode(position + "=" * (-len(position) % 4))
    except ValueError:
        raise bad from None
    payload, signature = token[:-16], token[-16:]
    if len(token) <= 16 or not hmac.compare_digest(signature, _signature(key, payload)):
        raise bad
    data = orjson.loads(payload)
    if data["i"] != instance:  # another instance's position: not this caller's stream
        raise bad
    max_id, ids, emails, oldest, latest, started = data["q"]
    query = LeadQuery(
        max_id,
        ids=None if ids is None else tuple(ids),
        email_keys=None if emails is None else tuple(emails),
        oldest=oldest,
        latest=latest,
        started=started,
    )
    return query, int(data["a"])


def describe_lead_fields(store: Store) -> list[tuple[str, FieldType, bool]]:
    """(name, type, is custom) of every field a LeadRecord attribute may name."""
    custom = store.custom_fields()
    standard = [(name, kind, False) for name, kind in sorted(STANDARD_FIELDS.items())]
    return standard + [(name, kind, True) for name, kind in sorted(custom.items())]
