"""The values and errors of ``leadsync.Client``: results, field metadata, leads read
back, the retry policy, and the client's error classes under leadsync's one root."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Final

from leadsync.errors import MktowsError
from leadsync.model import SyncStatusCode

DEFAULT_RETRIES: Final = 8
MAX_BATCH: Final = 300  # records per syncMultipleLeads call; Marketo supports no more
RETRYABLE_CODES: Final = frozenset({10001, 20011, 20023, 20024})
KEYS: Final = ("Id", "Email", "ForeignSysPersonId", "ForeignSysType")


class ClientError(MktowsError):
    """Root of the client's errors (itself under leadsync's one root, ``MktowsError``)."""

    code = 0
    short = "Client error"


class RemoteFault(ClientError):
    """The endpoint answered with a SOAP fault.

    ``code`` is Marketo's number (20014 authentication, 20023 rate limit, ...),
    ``message`` the detail's text and ``faultstring`` the fault's, all as the server
    sent them; ``attempts`` counts the calls made, retries included.
    """

    def __init__(
        self,
        code: int,
        message: str,
        faultstring: str = "",
        faultcode: str = "",
        *,
        attempts: int = 1,
    ) -> None:
        super().__init__(message or faultstring or f"fault {code}")
        self.code = code
        self.faultstring = faultstring
        self.faultcode = faultcode
        self.attempts = attempts

    @property
    def retryable(self) -> bool:
        return self.code in RETRYABLE_CODES

    def __str__(self) -> str:
        text = self.message
        return text if str(self.code) in text else f"{text} ({self.code})"


class ConnectionFailed(ClientError):
    """No answer: the connection was refused or reset, or the call timed out (after the
    retries). ``maybe_applied`` is True when the request had been sent, so the server may
    have applied it. ``permanent`` when trying again cannot help (a certificate that is
    not trusted, TLS against a plain port or the other way round): never retried."""

    short = "No answer from the endpoint"

    def __init__(
        self, message: str, *, maybe_applied: bool, attempts: int = 1, permanent: bool = False
    ) -> None:
        super().__init__(message)
        self.maybe_applied = maybe_applied
        self.attempts = attempts
        self.permanent = permanent


class ProtocolError(ClientError):
    """The endpoint answered something that is not a mktows response."""

    short = "Not a mktows response"


@dataclass(frozen=True, slots=True)
class SyncResult:
    """One record's outcome, in the order the records were given.

    ``lead_id`` is 0 for a failed record. A record the client could not put into XML
    at all (a value of an unsupported type, a character XML cannot carry) is FAILED
    with an ``error`` starting ``"not sent: "`` and was never sent.
    """

    lead_id: int
    status: SyncStatusCode
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not SyncStatusCode.FAILED


@dataclass(frozen=True, slots=True)
class FieldMetadata:
    """One field of describeMObject's answer."""

    name: str
    data_type: str
    display_name: str | None = None
    size: int | None = None
    read_only: bool = False


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry.

    A retryable fault (``codes``), a connection error or a timeout is retried up to
    ``max_retries`` times, waiting ``min(max_delay, base_delay * 2**n)`` seconds with
    "equal jitter" (half of it fixed, half random) before the n-th retry. A call that was
    sent but got no answer is retried only when resending is safe (``dedup`` on: the
    records upsert by key instead of creating duplicates).
    """

    max_retries: int = DEFAULT_RETRIES
    base_delay: float = 0.5
    max_delay: float = 30.0
    codes: frozenset[int] = RETRYABLE_CODES

    def delay(self, retry: int) -> float:
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (retry - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


@dataclass(frozen=True, slots=True)
class CallStats:
    """What a client has done so far: calls answered (faults included), retries by reason
    (the fault code, or ``"connection"``)."""

    calls: int
    retries: Counter[str]


@dataclass(frozen=True, slots=True)
class RemoteLead:
    """A lead as getLead, getMultipleLeads or syncLead returned it."""

    id: int
    email: str | None
    foreign_sys_person_id: str | None = None
    foreign_sys_type: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
