"""What a mktows client sends, without I/O: shared by ``Client`` and ``AsyncClient``,
which only send, wait and retry (answers are read in ``answers.py``).

Requests are written as Marketo's own samples write them (``SOAP-ENV`` and ``ns1``
prefixes, unqualified children), signed afresh for every attempt.
"""

from __future__ import annotations

import logging
import re
import ssl
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Final, TypeVar
from xml.sax.saxutils import escape

import httpx
from lxml import etree

from leadsync import ns
from leadsync.auth import sign
from leadsync.batches import batches
from leadsync.client.answers import answer, descendant_text, leads, sync_statuses
from leadsync.client.types import (
    KEYS,
    MAX_BATCH,
    CallStats,
    ClientError,
    ConnectionFailed,
    RemoteFault,
    RemoteLead,
    RetryPolicy,
    SyncResult,
)
from leadsync.model import SyncStatusCode

log = logging.getLogger("leadsync.client")

_KEY_ATTRIBUTES: Final = {
    "Id": "id",
    "Email": "email",
    "ForeignSysPersonId": "foreign_sys_person_id",
    "ForeignSysType": "foreign_sys_type",
}
HEADERS: Final = {"User-Agent": "leadsync-client"}
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPES = {"\r": "&#13;"}  # a bare CR would reach the server as LF
R = TypeVar("R")


class Secret:
    """A key that never shows itself in a repr, a traceback's locals or ``vars()``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def __repr__(self) -> str:
        return "<secret>"

    def reveal(self) -> str:
        return self._value


class ClientCore:
    """What ``Client`` and ``AsyncClient`` share: the endpoint and the account, the
    retry policy, and the tally of calls and retries."""

    def __init__(
        self,
        endpoint: str,
        user_id: str,
        secret: str,
        max_concurrency: int,
        retry: RetryPolicy | None,
    ) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise ValueError(f"endpoint must be an http:// or https:// URL, not {endpoint!r}")
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.endpoint = endpoint
        self.user_id = user_id
        self._secret = Secret(secret)
        self.max_concurrency = max_concurrency
        self.retry = retry or RetryPolicy()
        self._lock = threading.Lock()
        self._calls = 0
        self._answered_once = False  # the endpoint has answered over HTTP at least once
        self._retries: Counter[str] = Counter()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(endpoint={self.endpoint!r}, user_id={self.user_id!r}, "
            f"max_concurrency={self.max_concurrency})"
        )

    @property
    def stats(self) -> CallStats:
        with self._lock:
            return CallStats(self._calls, Counter(self._retries))

    def _limits(self) -> httpx.Limits:
        """One connection per call in flight, kept alive."""
        return httpx.Limits(
            max_connections=self.max_concurrency,
            max_keepalive_connections=self.max_concurrency,
        )

    def _envelope(self, request: Request) -> tuple[bytes, dict[str, str]]:
        return request.envelope(self.user_id, self._secret)

    def _answered(self, response: httpx.Response, request: Request) -> etree._Element:
        with self._lock:
            self._calls += 1
            self._answered_once = True
        return answer(response, request.operation)

    def _failed(self, exc: httpx.TransportError, request: Request) -> ConnectionFailed:
        return request.failed_to_send(exc, self.endpoint, self._answered_once)

    def _retrying(
        self, request: Request, error: ClientError, attempt: int, interrupted: bool
    ) -> float | None:
        """Seconds to wait before retrying after ``error`` (counted as a retry), or None
        when it is to be raised: not retryable, retries spent, or the client interrupted."""
        reason = request.retry_reason(error, attempt, self.retry)
        if reason is None or attempt > self.retry.max_retries or interrupted:
            return None
        wait = self.retry.delay(attempt)
        log.info(
            "%s: %s; retry %d of %d in %.1f s",
            request.operation,
            error,
            attempt,
            self.retry.max_retries,
            wait,
        )
        with self._lock:
            self._retries[reason] += 1
        return wait


class Unsendable(ValueError):
    """One record cannot be written as XML; it fails on its own, unsent."""


@dataclass(frozen=True, slots=True)
class Request:
    """One operation's parameters (the Body's element), and whether sending it twice is
    harmless (a call that may have applied is resent only then)."""

    operation: str
    params: str
    resend_safe: bool = True

    def envelope(self, user_id: str, secret: Secret) -> tuple[bytes, dict[str, str]]:
        """The signed SOAP envelope and its HTTP headers, with a fresh timestamp."""
        timestamp = datetime.now().astimezone().isoformat(timespec="seconds")
        text = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{ns.SOAP_ENV}" xmlns:ns1="{ns.MKTOWS}"'
            f' xmlns:xsi="{ns.XSI}"><SOAP-ENV:Header><ns1:AuthenticationHeader>'
            f"<mktowsUserId>{escape_text(user_id)}</mktowsUserId>"
            f"<requestSignature>{sign(secret.reveal(), timestamp, user_id)}"
            f"</requestSignature><requestTimestamp>{timestamp}</requestTimestamp>"
            "</ns1:AuthenticationHeader></SOAP-ENV:Header>"
            f"<SOAP-ENV:Body>{self.params}</SOAP-ENV:Body></SOAP-ENV:Envelope>"
        )
        headers = {
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"{ns.SOAP_ACTION_PREFIX}{self.operation}"',
        }
        return text.encode(), headers

    def failed_to_send(
        self, exc: httpx.TransportError, endpoint: str, answered_before: bool
    ) -> ConnectionFailed:
        """What an httpx transport error means for this request; ``answered_before`` is
        whether the endpoint ever answered this client over HTTP."""
        tls = _tls_error(exc)
        if tls is not None:
            return ConnectionFailed(
                f"cannot reach {endpoint}: TLS failed: {tls}", maybe_applied=False, permanent=True
            )
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
            return ConnectionFailed(f"cannot reach {endpoint}: {exc}", maybe_applied=False)
        if isinstance(exc, httpx.RemoteProtocolError) and not answered_before:
            # An endpoint that never spoke HTTP to us: an https port called with http://,
            # or no HTTP server at all. Trying again cannot help.
            return ConnectionFailed(
                f"{endpoint} does not answer HTTP ({exc}); is it an https:// endpoint?",
                maybe_applied=True,
                permanent=True,
            )
        kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
        return ConnectionFailed(
            f"{self.operation} to {endpoint} {kind} before an answer: {exc}", maybe_applied=True
        )

    def retry_reason(self, error: ClientError, attempt: int, policy: RetryPolicy) -> str | None:
        """Why ``error`` may be retried: the fault code or "connection"; None when it may
        not. Records on ``error`` that it came from attempt number ``attempt``."""
        if isinstance(error, RemoteFault):
            error.attempts = attempt
            if error.code == INTERNAL_ERROR and not self.resend_safe:
                return None  # the server may have applied some of it (a relay says so)
            return str(error.code) if error.code in policy.codes else None
        if isinstance(error, ConnectionFailed):
            error.attempts = attempt
            if error.permanent or (error.maybe_applied and not self.resend_safe):
                return None
            return "connection"
        return None


INTERNAL_ERROR = 20011


def _tls_error(exc: BaseException) -> ssl.SSLError | None:
    """The TLS error behind an httpx error (httpx chains the causes), if there is one."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


Verify = bool | str | ssl.SSLContext


def tls_verify(verify: Verify) -> bool | ssl.SSLContext:
    """httpx's ``verify`` from ours: True (the system's CAs), False (no check), a CA
    bundle file, or an SSLContext as it is."""
    if isinstance(verify, str):
        try:
            return ssl.create_default_context(cafile=verify)
        except (OSError, ssl.SSLError) as exc:
            raise ValueError(f"cannot read the CA file {verify}: {exc}") from None
    return verify


# -- requests ---------------------------------------------------------------------------


def escape_text(text: str) -> str:
    return escape(text, _ESCAPES)


class SyncBatch:
    """One syncMultipleLeads call: the records XML can carry, and the results of the
    others (FAILED, unsent), put back in input order when the answer comes."""

    def __init__(self, records: Sequence[object], dedup: bool) -> None:
        if len(records) > MAX_BATCH:
            raise ValueError(f"{len(records)} records in one call; at most {MAX_BATCH}")
        self._results: list[SyncResult | None] = []
        parts: list[str] = []
        for record in records:
            try:
                parts.append(record_xml(record))
                self._results.append(None)
            except Unsendable as problem:
                self._results.append(SyncResult(0, SyncStatusCode.FAILED, f"not sent: {problem}"))
        self._sent = len(parts)
        self.request = (
            Request(
                "syncMultipleLeads",
                f"<ns1:paramsSyncMultipleLeads><leadRecordList>{''.join(parts)}"
                f"</leadRecordList><dedupEnabled>{'true' if dedup else 'false'}</dedupEnabled>"
                "</ns1:paramsSyncMultipleLeads>",
                resend_safe=dedup,
            )
            if parts
            else None
        )

    def results(self, answer: etree._Element | None) -> list[SyncResult]:
        """Every record's result, in input order (``answer`` None: nothing was sent)."""
        statuses = iter([] if answer is None else sync_statuses(answer, self._sent))
        return [result or next(statuses) for result in self._results]


def describe_request(object_name: str) -> Request:
    return Request(
        "describeMObject",
        f"<ns1:paramsDescribeMObject><objectName>{escape_text(object_name)}</objectName>"
        "</ns1:paramsDescribeMObject>",
    )


def sync_lead_request(record: object, return_lead: bool, cookie: str | None) -> Request:
    try:
        lead_xml = record_xml(record)
    except Unsendable as problem:
        raise ValueError(f"the record cannot be sent: {problem}") from None
    extra = "" if cookie is None else f"<marketoCookie>{escape_text(cookie)}</marketoCookie>"
    return Request(
        "syncLead",
        f"<ns1:paramsSyncLead>{lead_xml}<returnLead>{'true' if return_lead else 'false'}"
        f"</returnLead>{extra}</ns1:paramsSyncLead>",
    )


def sync_lead_result(
    answer: etree._Element, return_lead: bool
) -> tuple[SyncResult, RemoteLead | None]:
    [status] = sync_statuses(answer, 1)
    found = leads(answer)
    return status, (found[0] if found and return_lead else None)


def get_lead_request(key_type: str, key_value: str | int) -> Request:
    return Request(
        "getLead",
        f"<ns1:paramsGetLead><leadKey><keyType>{escape_text(key_type)}</keyType>"
        f"<keyValue>{escape_text(str(key_value))}</keyValue></leadKey></ns1:paramsGetLead>",
    )


NO_SUCH_LEAD = 20103  # getLead's fault when no lead has the key: the client answers []


MAX_KEYS = 100  # keys in one LeadKeySelector: Marketo ignores the rest


class LeadPages:
    """getMultipleLeads page after page: ``request()`` is the next page's request (None
    when there is no more), ``leads(answer)`` that page's leads. More keys than one
    selector takes go as several selectors of MAX_KEYS, one stream after the other."""

    def __init__(
        self,
        *,
        emails: Iterable[str] | None,
        ids: Iterable[int] | None,
        updated_since: datetime | None,
        updated_until: datetime | None,
        attributes: Iterable[str] | None,
        batch_size: int,
    ) -> None:
        if emails is not None or ids is not None:
            kind, keys = (
                ("EMAIL", list(emails))
                if emails is not None
                else ("IDNUM", [str(i) for i in ids or ()])
            )
            self._selectors = [
                '<leadSelector xsi:type="ns1:LeadKeySelector">'
                f"<keyType>{kind}</keyType><keyValues>"
                + "".join(f"<stringItem>{escape_text(k)}</stringItem>" for k in group)
                + "</keyValues></leadSelector>"
                for group in batches(keys, MAX_KEYS)
            ]
        elif updated_since is not None:
            until = (
                ""
                if updated_until is None
                else f"<latestUpdatedAt>{updated_until.isoformat()}</latestUpdatedAt>"
            )
            self._selectors = [
                '<leadSelector xsi:type="ns1:LastUpdateAtSelector">'
                f"<oldestUpdatedAt>{updated_since.isoformat()}</oldestUpdatedAt>{until}"
                "</leadSelector>"
            ]
        else:
            raise ValueError("give emails, ids or updated_since")
        self._include = (
            ""
            if attributes is None
            else "<includeAttributes>"
            + "".join(f"<stringItem>{escape_text(a)}</stringItem>" for a in attributes)
            + "</includeAttributes>"
        )
        self._batch_size = batch_size
        self._position = ""

    def request(self) -> Request | None:
        if not self._selectors:
            return None
        stream = (
            f"<streamPosition>{escape_text(self._position)}</streamPosition>"
            if self._position
            else ""
        )
        return Request(
            "getMultipleLeads",
            f"<ns1:paramsGetMultipleLeads>{self._selectors[0]}<batchSize>{self._batch_size}"
            f"</batchSize>{stream}{self._include}</ns1:paramsGetMultipleLeads>",
        )

    def leads(self, answer: etree._Element) -> list[RemoteLead]:
        remaining = (descendant_text(answer, "remainingCount") or "0").strip()
        self._position = (descendant_text(answer, "newStreamPosition") or "").strip()
        if remaining in ("", "0") or not self._position:
            self._selectors.pop(0)  # this selector's stream is done: on to the next
            self._position = ""
        return leads(answer)


def _text(value: object, what: str) -> str | None:
    """The XML text of a value, None for None; Unsendable when it has none."""
    if value is None:
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = value
    elif isinstance(value, int | float | Decimal):
        text = str(value)
    elif isinstance(value, date | datetime):
        text = value.isoformat()
    else:
        raise Unsendable(f"{what}: a {type(value).__name__} value cannot be sent")
    bad = _NOT_XML.search(text)
    if bad:
        raise Unsendable(f"{what} holds U+{ord(bad.group()):04X}, which XML cannot carry")
    return text


def _parts(record: object) -> tuple[Mapping[str, object], Iterable[tuple[object, object]]]:
    """A record's keys and its (name, value) attributes."""
    if isinstance(record, Mapping):
        keys = {key: record[key] for key in KEYS if key in record}
        return keys, [(name, value) for name, value in record.items() if name not in KEYS]
    if hasattr(record, "attributes") and any(hasattr(record, a) for a in _KEY_ATTRIBUTES.values()):
        keys = {key: getattr(record, attr, None) for key, attr in _KEY_ATTRIBUTES.items()}
        if keys["Id"] == 0:  # leadsync.model.Lead's id before the lead exists
            keys["Id"] = None
        attributes = record.attributes
        if isinstance(attributes, Mapping):
            return keys, list(attributes.items())
        return keys, [(pair[0], pair[1]) for pair in attributes]
    if is_dataclass(record) and not isinstance(record, type):
        return _parts({item.name: getattr(record, item.name) for item in fields(record)})
    raise TypeError(
        f"a lead record must be a mapping or a Lead-like object, not {type(record).__name__}"
    )


def record_xml(record: object) -> str:
    keys, attributes = _parts(record)
    out = ["<leadRecord>"]
    for key in KEYS:
        text = _text(keys.get(key), key)
        if text:  # None or "": no such key
            out.append(f"<{key}>{escape_text(text)}</{key}>")
    items = []
    for name, value in attributes:
        if not isinstance(name, str) or not name:
            raise Unsendable(f"attribute name {name!r} is not a non-empty string")
        _text(name, "an attribute name")
        text = _text(value, name)
        shown = (
            '<attrValue xsi:nil="true" />'
            if text is None
            else f"<attrValue>{escape_text(text)}</attrValue>"
        )
        items.append(f"<attribute><attrName>{escape_text(name)}</attrName>{shown}</attribute>")
    if items:
        out.append(f"<leadAttributeList>{''.join(items)}</leadAttributeList>")
    out.append("</leadRecord>")
    return "".join(out)
