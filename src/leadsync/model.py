"""Plain typed values that travel between the wire, the service and the store.

No XML and no SQL here: the wire layer decodes into these, the service reasons over them
and the store persists ``Lead``. The per-record values (Attribute, LeadRecord,
SyncStatus) are NamedTuples: a call makes thousands of them, and a tuple is several
times cheaper to build than a frozen dataclass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple


class SyncStatusCode(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    FAILED = "FAILED"


FOREIGN_SYS_TYPES = frozenset({"CUSTOM", "SFDC", "NETSUITE"})


class Attribute(NamedTuple):
    """One ``attribute`` of a lead record; ``value`` None means xsi:nil (clear the field)."""

    name: str
    value: str | None


class LeadRecord(NamedTuple):
    """One ``leadRecord`` as a client sent it.

    ``problem`` is set by the decoder when the record itself is malformed (an Id that is
    not an integer, an attribute without a name): such a record fails on its own.
    """

    id: int | None = None
    email: str | None = None
    foreign_sys_person_id: str | None = None
    foreign_sys_type: str | None = None
    attributes: tuple[Attribute, ...] = ()
    problem: str | None = None
    cookie: str | None = None  # syncLead's marketoCookie, a fourth key


class SyncStatus(NamedTuple):
    lead_id: int
    status: SyncStatusCode
    error: str | None = None


DEFAULT_INSTANCE = "default"


@dataclass(frozen=True, slots=True)
class Account:
    """An API user: its key, and the instance (Marketo subscription) whose leads it sees."""

    user_id: str
    secret: str
    instance: str = DEFAULT_INSTANCE


AccountLookup = Callable[[str], Account | None]  # user id -> the account, None if unknown


@dataclass(frozen=True, slots=True)
class Credentials:
    """The three fields of the AuthenticationHeader that matter, exactly as sent."""

    user_id: str
    signature: str
    timestamp: str


@dataclass(slots=True)
class Lead:
    """A stored lead of one instance. Times are microseconds since the Unix epoch, UTC."""

    id: int
    email: str | None
    foreign_sys_person_id: str | None
    foreign_sys_type: str | None
    attributes: dict[str, str] = field(default_factory=dict)
    created_at: int = 0
    updated_at: int = 0
    cookie: str | None = None
    instance: str = DEFAULT_INSTANCE


def creation_order(lead: Lead) -> tuple[int, int]:
    """Sorts leads oldest first: by creation time, then id."""
    return (lead.created_at, lead.id)


def blank(text: str | None) -> bool:
    """True for None, "" and text that is only whitespace: no value, as a key."""
    return text is None or not text.strip()


def email_key(email: str) -> str:
    """The form under which emails are matched: case-insensitive, surrounding space ignored."""
    return email.strip().lower()
