"""A Python client for any mktows endpoint (leadsync's or another), over httpx.

    with Client(endpoint, user_id, secret) as client:
        results = client.sync_multiple_leads(leads)

Every call is signed afresh (Marketo's HMAC-SHA1 over ``requestTimestamp + mktowsUserId``),
requests are written as Marketo's own samples write them (``SOAP-ENV`` and ``ns1``
prefixes, unqualified children), and answers are read by local name with a parser that
never resolves entities or touches the network. ``docs/client.md`` has the guide.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Final, TypeVar
from xml.sax.saxutils import escape

import httpx
from lxml import etree

from leadsync import ns
from leadsync.auth import sign
from leadsync.client_types import (
    DEFAULT_RETRIES,
    KEYS,
    MAX_BATCH,
    RETRYABLE_CODES,
    CallStats,
    ClientError,
    ConnectionFailed,
    FieldMetadata,
    ProtocolError,
    RemoteFault,
    RemoteLead,
    RetryPolicy,
    SyncResult,
)
from leadsync.model import SyncStatusCode
from leadsync.wire.envelope import SAFE_PARSER

__all__ = [
    "DEFAULT_RETRIES",
    "KEYS",
    "MAX_BATCH",
    "RETRYABLE_CODES",
    "CallStats",
    "Client",
    "ClientError",
    "ConnectionFailed",
    "FieldMetadata",
    "ProtocolError",
    "RemoteFault",
    "RemoteLead",
    "RetryPolicy",
    "SyncResult",
]

log = logging.getLogger("leadsync.client")

_KEY_ATTRIBUTES: Final = {
    "Id": "id",
    "Email": "email",
    "ForeignSysPersonId": "foreign_sys_person_id",
    "ForeignSysType": "foreign_sys_type",
}
_RETRYABLE_HTTP = frozenset({429, 502, 503, 504})
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPES = {"\r": "&#13;"}  # a bare CR would reach the server as LF
_FAULT_CODE = re.compile(r"\s*(\d+)")
_XSI_NIL = f"{{{ns.XSI}}}nil"
R = TypeVar("R")


class _Secret:
    """A key that never shows itself in a repr, a traceback's locals or ``vars()``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def __repr__(self) -> str:
        return "<secret>"

    def reveal(self) -> str:
        return self._value


class _Unsendable(ValueError):
    """One record cannot be written as XML; it fails on its own, unsent."""


class Client:
    """A signed mktows client over one httpx connection pool (thread-safe).

    ``endpoint`` is the full SOAP URL (``https://.../soap/mktows/2_2``). ``timeout`` is
    per call, ``max_concurrency`` the calls ``sync_multiple_leads`` keeps in flight, and
    ``transport`` an ``httpx.BaseTransport`` to use instead of the network (tests, proxies).
    Use it as a context manager, or call ``close()``.
    """

    def __init__(
        self,
        endpoint: str,
        user_id: str,
        secret: str,
        *,
        timeout: float = 30.0,
        max_concurrency: int = 4,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise ValueError(f"endpoint must be an http:// or https:// URL, not {endpoint!r}")
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.endpoint = endpoint
        self.user_id = user_id
        self._secret = _Secret(secret)
        self.max_concurrency = max_concurrency
        self.retry = retry or RetryPolicy()
        self._interrupted = threading.Event()
        self._lock = threading.Lock()
        self._calls = 0
        self._retries: Counter[str] = Counter()
        limits = httpx.Limits(
            max_connections=max_concurrency, max_keepalive_connections=max_concurrency
        )
        self._http = httpx.Client(
            timeout=timeout,
            limits=limits,
            transport=transport,
            headers={"User-Agent": "leadsync-client"},
        )

    def __repr__(self) -> str:
        return (
            f"Client(endpoint={self.endpoint!r}, user_id={self.user_id!r}, "
            f"max_concurrency={self.max_concurrency})"
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool; calls waiting to retry give up."""
        self._interrupted.set()
        self._http.close()

    def interrupt(self) -> None:
        """Make calls that are waiting to retry give up now (raising their last error).

        Calls on the wire still finish. For a clean stop from another thread, such as a
        Ctrl-C handler; the client retries no more afterwards.
        """
        self._interrupted.set()

    @property
    def stats(self) -> CallStats:
        with self._lock:
            return CallStats(self._calls, Counter(self._retries))

    # -- operations -------------------------------------------------------------------

    def sync_multiple_leads(
        self, records: Iterable[object], *, dedup: bool = True
    ) -> list[SyncResult]:
        """Upsert ``records``: one result per record, in input order.

        A record is a mapping (keys ``Id``, ``Email``, ``ForeignSysPersonId``,
        ``ForeignSysType``; every other key is an attribute) or an object with those keys
        as ``id``, ``email``, ... and ``attributes`` (a mapping, or (name, value) pairs),
        such as ``leadsync.model.Lead``; any other dataclass is read as a mapping of its
        fields. A value of None clears the attribute (sent as ``xsi:nil``).

        Records go in calls of at most 300, up to ``max_concurrency`` at once. A permanent
        fault raises ``RemoteFault``; the calls before it were applied (``iter_sync``
        gives each call's results as they come).
        """
        results: list[SyncResult] = []
        for _, batch in self.iter_sync(records, dedup=dedup):
            results.extend(batch)
        return results

    def iter_sync(
        self, records: Iterable[R], *, dedup: bool = True, batch_size: int = MAX_BATCH
    ) -> Iterator[tuple[list[R], list[SyncResult]]]:
        """Like ``sync_multiple_leads``, yielding each call's records and results in input
        order while up to ``max_concurrency`` calls are in flight; reads ``records``
        lazily (a few calls ahead), so an endless iterable streams."""
        if not 1 <= batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be between 1 and {MAX_BATCH}")
        window: deque[tuple[list[R], Future[list[SyncResult]]]] = deque()
        ahead = 2 * self.max_concurrency  # queued calls keep every thread busy
        pool = ThreadPoolExecutor(self.max_concurrency, thread_name_prefix="leadsync-client")
        try:
            for batch in _chunks(records, batch_size):
                window.append((batch, pool.submit(self.sync_batch, batch, dedup=dedup)))
                if len(window) >= ahead:
                    done, future = window.popleft()
                    yield done, future.result()
            while window:
                done, future = window.popleft()
                yield done, future.result()
        finally:
            for _, future in window:
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)

    def sync_batch(self, records: Sequence[object], *, dedup: bool = True) -> list[SyncResult]:
        """One syncMultipleLeads call (at most 300 records), retried as the policy says."""
        if len(records) > MAX_BATCH:
            raise ValueError(f"{len(records)} records in one call; at most {MAX_BATCH}")
        results: list[SyncResult | None] = []
        parts: list[str] = []
        for record in records:
            try:
                parts.append(_record_xml(record))
                results.append(None)
            except _Unsendable as problem:
                results.append(SyncResult(0, SyncStatusCode.FAILED, f"not sent: {problem}"))
        if parts:
            body = (
                f"<ns1:paramsSyncMultipleLeads><leadRecordList>{''.join(parts)}"
                f"</leadRecordList><dedupEnabled>{'true' if dedup else 'false'}</dedupEnabled>"
                "</ns1:paramsSyncMultipleLeads>"
            )
            answer = self._call("syncMultipleLeads", body, resend_safe=dedup)
            statuses = iter(_sync_statuses(answer, len(parts)))
            results = [result or next(statuses) for result in results]
        return [result for result in results if result is not None]

    def describe_mobject(self, object_name: str = "LeadRecord") -> list[FieldMetadata]:
        """The fields of ``object_name`` (describeMObject); leadsync answers 20019 so far."""
        body = (
            f"<ns1:paramsDescribeMObject><objectName>{_escape(object_name)}</objectName>"
            "</ns1:paramsDescribeMObject>"
        )
        answer = self._call("describeMObject", body, resend_safe=True)
        found = []
        for item in answer.iter():
            if _local(item) != "field":
                continue
            values = {_local(child): (child.text or "").strip() for child in item}
            size = values.get("size", "")
            found.append(
                FieldMetadata(
                    name=values.get("name", ""),
                    data_type=values.get("dataType", ""),
                    display_name=values.get("displayName") or None,
                    size=int(size) if size.isdigit() else None,
                    read_only=values.get("isReadonly", "").lower() in ("true", "1"),
                )
            )
        return found

    # -- the sibling operations ---------------------------------------------------------

    def sync_lead(
        self, record: object, *, return_lead: bool = True, cookie: str | None = None
    ) -> tuple[SyncResult, RemoteLead | None]:
        """syncLead: one record (its own key rules; an unknown field is RemoteFault 20105),
        and the lead as stored when ``return_lead``."""
        try:
            lead_xml = _record_xml(record)
        except _Unsendable as problem:
            raise ValueError(f"the record cannot be sent: {problem}") from None
        extra = "" if cookie is None else f"<marketoCookie>{_escape(cookie)}</marketoCookie>"
        body = (
            f"<ns1:paramsSyncLead>{lead_xml}<returnLead>{'true' if return_lead else 'false'}"
            f"</returnLead>{extra}</ns1:paramsSyncLead>"
        )
        answer = self._call("syncLead", body, resend_safe=True)
        [status] = _sync_statuses(answer, 1)
        leads = _leads(answer)
        return status, (leads[0] if leads and return_lead else None)

    def get_lead(self, key_type: str, key_value: str | int) -> list[RemoteLead]:
        """getLead by ``IDNUM``, ``EMAIL`` or ``COOKIE``: every lead with that key (an email
        may be shared), or [] when none has it (the server's fault 20103)."""
        body = (
            f"<ns1:paramsGetLead><leadKey><keyType>{_escape(key_type)}</keyType>"
            f"<keyValue>{_escape(str(key_value))}</keyValue></leadKey></ns1:paramsGetLead>"
        )
        try:
            return _leads(self._call("getLead", body, resend_safe=True))
        except RemoteFault as fault:
            if fault.code == 20103:
                return []
            raise

    def get_multiple_leads(
        self,
        *,
        emails: Iterable[str] | None = None,
        ids: Iterable[int] | None = None,
        updated_since: datetime | None = None,
        updated_until: datetime | None = None,
        attributes: Iterable[str] | None = None,
        batch_size: int = 100,
    ) -> Iterator[RemoteLead]:
        """Every lead selected by key (``emails`` or ``ids``, at most 100) or by update
        time, following the stream positions page after page."""
        if emails is not None or ids is not None:
            kind, keys = (
                ("EMAIL", list(emails))
                if emails is not None
                else ("IDNUM", [str(i) for i in ids or ()])
            )
            items = "".join(f"<stringItem>{_escape(k)}</stringItem>" for k in keys)
            selector = (
                '<leadSelector xsi:type="ns1:LeadKeySelector">'
                f"<keyType>{kind}</keyType><keyValues>{items}</keyValues></leadSelector>"
            )
        elif updated_since is not None:
            until = (
                ""
                if updated_until is None
                else (f"<latestUpdatedAt>{updated_until.isoformat()}</latestUpdatedAt>")
            )
            selector = (
                '<leadSelector xsi:type="ns1:LastUpdateAtSelector">'
                f"<oldestUpdatedAt>{updated_since.isoformat()}</oldestUpdatedAt>{until}"
                "</leadSelector>"
            )
        else:
            raise ValueError("give emails, ids or updated_since")
        include = (
            ""
            if attributes is None
            else "<includeAttributes>"
            + "".join(f"<stringItem>{_escape(a)}</stringItem>" for a in attributes)
            + "</includeAttributes>"
        )
        position = ""
        while True:
            stream = "" if not position else f"<streamPosition>{_escape(position)}</streamPosition>"
            body = (
                f"<ns1:paramsGetMultipleLeads>{selector}<batchSize>{batch_size}</batchSize>"
                f"{stream}{include}</ns1:paramsGetMultipleLeads>"
            )
            answer = self._call("getMultipleLeads", body, resend_safe=True)
            yield from _leads(answer)
            remaining = (_descendant_text(answer, "remainingCount") or "0").strip()
            position = (_descendant_text(answer, "newStreamPosition") or "").strip()
            if remaining in ("", "0") or not position:
                return

    # -- one call, signed and retried --------------------------------------------------

    def _call(self, operation: str, params: str, *, resend_safe: bool) -> etree._Element:
        """The answer's body element; raises the last error once retries are spent."""
        retry = 0
        while True:
            error: ClientError
            try:
                answer = self._post(operation, params)
            except RemoteFault as fault:
                fault.attempts = retry + 1
                if fault.code not in self.retry.codes:
                    raise
                reason, error = str(fault.code), fault
            except ConnectionFailed as failure:
                failure.attempts = retry + 1
                if failure.maybe_applied and not resend_safe:
                    raise
                reason, error = "connection", failure
            else:
                return answer
            retry += 1
            if retry > self.retry.max_retries or self._interrupted.is_set():
                raise error
            wait = self.retry.delay(retry)
            log.info("%s: %s; retry %d in %.2f s", operation, error, retry, wait)
            with self._lock:
                self._retries[reason] += 1
            if self._interrupted.wait(wait):
                raise error

    def _post(self, operation: str, params: str) -> etree._Element:
        timestamp = datetime.now().astimezone().isoformat(timespec="seconds")
        envelope = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{ns.SOAP_ENV}" xmlns:ns1="{ns.MKTOWS}"'
            f' xmlns:xsi="{ns.XSI}"><SOAP-ENV:Header><ns1:AuthenticationHeader>'
            f"<mktowsUserId>{_escape(self.user_id)}</mktowsUserId>"
            f"<requestSignature>{sign(self._secret.reveal(), timestamp, self.user_id)}"
            f"</requestSignature><requestTimestamp>{timestamp}</requestTimestamp>"
            "</ns1:AuthenticationHeader></SOAP-ENV:Header>"
            f"<SOAP-ENV:Body>{params}</SOAP-ENV:Body></SOAP-ENV:Envelope>"
        )
        headers = {
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"{ns.SOAP_ACTION_PREFIX}{operation}"',
        }
        try:
            response = self._http.post(self.endpoint, content=envelope.encode(), headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise ConnectionFailed(
                f"cannot reach {self.endpoint}: {exc}", maybe_applied=False
            ) from None
        except httpx.TransportError as exc:
            kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
            raise ConnectionFailed(
                f"{operation} to {self.endpoint} {kind} before an answer: {exc}",
                maybe_applied=True,
            ) from None
        with self._lock:
            self._calls += 1
        return _answer(response, operation)


# -- requests ---------------------------------------------------------------------------


def _chunks(records: Iterable[R], size: int) -> Iterator[list[R]]:
    batch: list[R] = []
    for record in records:
        batch.append(record)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _escape(text: str) -> str:
    return escape(text, _ESCAPES)


def _text(value: object, what: str) -> str | None:
    """The XML text of a value, None for None; _Unsendable when it has none."""
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
        raise _Unsendable(f"{what}: a {type(value).__name__} value cannot be sent")
    bad = _NOT_XML.search(text)
    if bad:
        raise _Unsendable(f"{what} holds U+{ord(bad.group()):04X}, which XML cannot carry")
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


def _record_xml(record: object) -> str:
    keys, attributes = _parts(record)
    out = ["<leadRecord>"]
    for key in KEYS:
        text = _text(keys.get(key), key)
        if text:  # None or "": no such key
            out.append(f"<{key}>{_escape(text)}</{key}>")
    items = []
    for name, value in attributes:
        if not isinstance(name, str) or not name:
            raise _Unsendable(f"attribute name {name!r} is not a non-empty string")
        _text(name, "an attribute name")
        text = _text(value, name)
        shown = (
            '<attrValue xsi:nil="true" />'
            if text is None
            else f"<attrValue>{_escape(text)}</attrValue>"
        )
        items.append(f"<attribute><attrName>{_escape(name)}</attrName>{shown}</attribute>")
    if items:
        out.append(f"<leadAttributeList>{''.join(items)}</leadAttributeList>")
    out.append("</leadRecord>")
    return "".join(out)


# -- answers ----------------------------------------------------------------------------


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _child(element: etree._Element, name: str) -> etree._Element | None:
    for child in element:
        if _local(child) == name:
            return child
    return None


def _answer(response: httpx.Response, operation: str) -> etree._Element:
    """The body's first element of a success; raises RemoteFault for a fault."""
    try:
        root = etree.fromstring(response.content, SAFE_PARSER)
    except etree.XMLSyntaxError:
        root = None
    body = _child(root, "Body") if root is not None and _local(root) == "Envelope" else None
    entries = [] if body is None else [child for child in body if isinstance(child.tag, str)]
    first = entries[0] if entries else None
    if first is not None and _local(first) == "Fault":
        raise _fault(first)
    if first is not None and response.status_code == 200:
        return first
    if response.status_code in _RETRYABLE_HTTP:
        raise ConnectionFailed(
            f"{operation}: HTTP {response.status_code} without a SOAP answer",
            maybe_applied=response.status_code in (502, 504),  # a gateway lost the answer
        )
    raise ProtocolError(
        f"{operation}: HTTP {response.status_code} and no SOAP answer "
        f"(is {response.request.url} a mktows endpoint?)"
    )


def _fault(fault: etree._Element) -> RemoteFault:
    faultcode = (_child_text(fault, "faultcode") or "").strip()
    faultstring = (_child_text(fault, "faultstring") or "").strip()
    message, code_text = "", ""
    detail = _child(fault, "detail")
    exception = _child(detail, "serviceException") if detail is not None else None
    if exception is not None:
        message = (_child_text(exception, "message") or "").strip()
        code_text = (_child_text(exception, "code") or "").strip()
    if not code_text.isdigit():
        leading = _FAULT_CODE.match(faultstring)
        code_text = leading[1] if leading else "0"
    return RemoteFault(int(code_text), message, faultstring, faultcode)


def _child_text(element: etree._Element, name: str) -> str | None:
    found = _child(element, name)
    return None if found is None else found.text


def _sync_statuses(answer: etree._Element, expected: int) -> list[SyncResult]:
    found = []
    for item in answer.iter():
        if _local(item) != "syncStatus":
            continue
        lead_id = (_child_text(item, "leadId") or "0").strip()
        status = (_child_text(item, "status") or "").strip()
        error = _child(item, "error")
        message = None if error is None or error.get(_XSI_NIL) in ("true", "1") else error.text
        try:
            found.append(SyncResult(int(lead_id), SyncStatusCode(status), message or None))
        except ValueError:
            raise ProtocolError(f"syncStatus not understood: {lead_id!r}, {status!r}") from None
    if len(found) != expected:
        raise ProtocolError(f"{len(found)} syncStatus for {expected} lead records")
    return found


def _descendant_text(element: etree._Element, name: str) -> str | None:
    for item in element.iter():
        if _local(item) == name:
            return item.text
    return None


def _leads(answer: etree._Element) -> list[RemoteLead]:
    """Every leadRecord of an answer (nil ones skipped)."""
    found = []
    for item in answer.iter():
        if _local(item) != "leadRecord" or item.get(_XSI_NIL) in ("true", "1"):
            continue
        values = {
            _local(child): child.text for child in item if _local(child) != "leadAttributeList"
        }
        attributes: dict[str, str] = {}
        attribute_list = _child(item, "leadAttributeList")
        for attribute in [] if attribute_list is None else attribute_list:
            name = _child_text(attribute, "attrName")
            if name:
                attributes[name] = _child_text(attribute, "attrValue") or ""
        lead_id = (values.get("Id") or "").strip()
        if not lead_id.isdigit():
            continue  # a nil record (syncLead without returnLead)
        found.append(
            RemoteLead(
                int(lead_id),
                values.get("Email"),
                values.get("ForeignSysPersonId"),
                values.get("ForeignSysType"),
                attributes,
            )
        )
    return found
