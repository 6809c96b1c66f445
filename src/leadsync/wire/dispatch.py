"""From request bytes to response bytes: parse, authenticate, dispatch on the body element.

Dispatch is on the body's first element, never on SOAPAction (clients send it absent,
empty, quoted, unquoted or wrong). Every error becomes a fault here, in one place:
``MktowsError`` as itself, anything else as 20011 with its traceback in the log only.
Every call ends in one structured log line (JSON) and one ``observe`` for the metrics;
neither ever carries a secret, a signature or a lead's values.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from leadsync.auth import authenticate
from leadsync.config import Settings
from leadsync.errors import (
    BadParameter,
    InternalError,
    LeadDetailRequired,
    LeadKeyRequired,
    MktowsError,
    ParameterRequired,
    UnsupportedOperation,
)
from leadsync.fields import FieldType
from leadsync.limits import Limiter
from leadsync.model import Account, blank
from leadsync.service import reads, sync
from leadsync.store import Store
from leadsync.wire import decode, leads, mktows, render
from leadsync.wire.envelope import Envelope, children, local, parse_envelope
from leadsync.words import quoted

log = logging.getLogger("leadsync.calls")

Clock = Callable[[], datetime]
AccountLookup = Callable[[str], Account | None]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Reply:
    status: int  # HTTP status: 200, or 500 for a fault
    body: bytes


@dataclass(slots=True)
class CallRecord:
    """What one call did: the log line and the metrics are made from this."""

    operation: str = "-"
    instance: str = "-"
    user: str = "-"
    records: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    fault: int | None = None
    seconds: float = 0.0


class Dispatcher:
    """Answers SOAP requests against one store; safe to call from many threads."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        clock: Clock = utc_now,
        *,
        accounts: AccountLookup | None = None,
        limiter: Limiter | None = None,
        observe: Callable[[CallRecord], None] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self._accounts = accounts or store.account
        self._limiter = limiter
        self._observe = observe
        self._operations: dict[str, Callable[[Envelope, Account, CallRecord], bytes]] = {
            "syncMultipleLeads": self._sync_multiple_leads,
            "syncLead": self._sync_lead,
            "getLead": self._get_lead,
            "getMultipleLeads": self._get_multiple_leads,
            "describeMObject": self._describe_mobject,
        }

    def handle(self, body: bytes) -> Reply:
        started = time.perf_counter()
        call = CallRecord()
        try:
            reply = Reply(200, self._answer(body, call))
        except MktowsError as error:
            call.fault = error.code
            reply = Reply(500, render.fault(error))
        except Exception:
            log.exception("internal error in %s", call.operation)
            call.fault = InternalError.code
            reply = Reply(500, render.fault(InternalError()))
        call.seconds = time.perf_counter() - started
        if log.isEnabledFor(logging.INFO):
            line = asdict(call)
            line["ms"] = round(line.pop("seconds") * 1000, 1)
            log.info(json.dumps(line, separators=(",", ":")))
        if self._observe is not None:
            self._observe(call)
        return reply

    def fault(self, error: MktowsError) -> Reply:
        return Reply(500, render.fault(error))

    def _answer(self, body: bytes, call: CallRecord) -> bytes:
        envelope = parse_envelope(body)
        element = local(envelope.body)
        operation = mktows.OPERATION_BY_ELEMENT.get(element)
        call.operation = operation.name if operation else element
        account = authenticate(
            decode.credentials(envelope),
            self._accounts,
            self.clock(),
            self.settings.max_clock_skew,
        )
        call.user, call.instance = account.user_id, account.instance
        if operation is None:
            raise UnsupportedOperation(f"Unsupported operation: {element} is not in the WSDL")
        handler = self._operations.get(operation.name)
        if handler is None:
            raise UnsupportedOperation(
                f"Unsupported operation: {operation.name} is not implemented by leadsync"
            )
        admitted = self._limiter.admit(account.instance) if self._limiter else nullcontext()
        with admitted:
            if operation.name == "syncLead":
                _check_workspace(envelope)
            return handler(envelope, account, call)

    def _sync_multiple_leads(self, envelope: Envelope, account: Account, call: CallRecord) -> bytes:
        records, dedup = leads.sync_multiple_leads(
            envelope.body, self.settings.max_batch, self.settings.max_attributes, envelope.source
        )
        call.records = len(records)
        statuses = sync.sync_multiple_leads(self.store, records, dedup, instance=account.instance)
        call.statuses = dict(Counter(status.status.value for status in statuses))
        return render.sync_multiple_leads(statuses)

    def _types(self) -> dict[str, FieldType]:
        return self.store.catalog().types

    def _params(self, body: etree._Element, type_name: str) -> dict[str, Any]:
        try:
            return decode.decode(body, type_name)
        except decode.DecodeError as exc:
            raise BadParameter(f"Bad parameter: {exc}") from None

    def _sync_lead(self, envelope: Envelope, account: Account, call: CallRecord) -> bytes:
        body = envelope.body
        record_element = next((c for c in children(body) if local(c) == "leadRecord"), None)
        if record_element is None:
            raise LeadDetailRequired("Lead detail required: leadRecord is missing")
        params = self._params(body, "ParamsSyncLead")
        if "returnLead" not in params:
            raise ParameterRequired("Parameter required: returnLead")
        record = leads.lead_record(record_element, self.settings.max_attributes)
        record = record._replace(cookie=params.get("marketoCookie") or None)
        call.records = 1
        status, lead = sync.sync_lead(self.store, record, account.instance)
        call.statuses = {status.status.value: 1}
        return render.sync_lead(status, lead if params["returnLead"] else None, self._types())

    def _get_lead(self, envelope: Envelope, account: Account, call: CallRecord) -> bytes:
        key = self._params(envelope.body, "ParamsGetLead").get("leadKey")
        if not key or not key.get("keyType") or key.get("keyValue") is None:
            raise LeadKeyRequired("Lead key required: leadKey needs keyType and keyValue")
        found = reads.get_lead(self.store, account.instance, key["keyType"], key["keyValue"])
        call.records = len(found)
        return render.get_lead(found, self._types())

    def _get_multiple_leads(self, envelope: Envelope, account: Account, call: CallRecord) -> bytes:
        params = self._params(envelope.body, "ParamsGetMultipleLeads")
        selector = params.get("leadSelector") or {}
        kind = selector.get(decode.TYPE_KEY)
        include = (params.get("includeAttributes") or {}).get("stringItem")
        if kind == "LastUpdateAtSelector" and selector.get("oldestUpdatedAt") is None:
            raise ParameterRequired(
                "Parameter required: oldestUpdatedAt (a LastUpdateAtSelector needs it)"
            )
        if kind == "LeadKeySelector" and not selector.get("keyType"):
            raise LeadKeyRequired("Lead key required: LeadKeySelector needs keyType")
        selection = reads.Selection(
            key_type=selector.get("keyType") if kind == "LeadKeySelector" else None,
            key_values=tuple(
                v for v in (selector.get("keyValues") or {}).get("stringItem", []) if not blank(v)
            ),
            oldest=_datetime(
                "oldestUpdatedAt" if kind else "lastUpdatedAt",
                selector.get("oldestUpdatedAt") or params.get("lastUpdatedAt"),
            ),
            latest=_datetime("latestUpdatedAt", selector.get("latestUpdatedAt")),
            static_list=(
                str(selector.get("staticListName") or selector.get("staticListId"))
                if kind == "StaticListSelector"
                else None
            ),
            stream_position=params.get("streamPosition") or None,
            batch_size=params.get("batchSize"),
        )
        page = reads.get_multiple_leads(
            self.store,
            account.instance,
            selection,
            int(self.clock().timestamp() * 1_000_000),
            self.settings.max_update_window_days,
        )
        call.records = len(page.leads)
        return render.get_multiple_leads(
            page.leads,
            page.remaining,
            page.stream_position,
            self._types(),
            None if include is None else set(include),
        )

    def _describe_mobject(self, envelope: Envelope, account: Account, call: CallRecord) -> bytes:
        name = self._params(envelope.body, "ParamsDescribeMObject").get("objectName")
        if blank(name):
            raise ParameterRequired("Parameter required: objectName")
        if name != "LeadRecord":
            raise BadParameter(f"Bad parameter: describeMObject knows LeadRecord only, not {name}")
        return render.describe_lead(reads.describe_lead_fields(self.store))


def _datetime(name: str, value: str | None) -> datetime | None:
    """The xs:dateTime element ``name``; one without an offset is taken as UTC. An empty
    one is absent."""
    if value is None or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadParameter(
            f"Bad parameter: {name} must be an xs:dateTime such as "
            f"2013-08-01T00:00:00-07:00, not '{value}'"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _check_workspace(envelope: Envelope) -> None:
    """syncLead's optional MktowsContextHeader: leadsync has the one workspace, Default."""
    header = envelope.headers.get("MktowsContextHeader")
    if header is None:
        return
    workspace = decode.decode(header, "MktowsContextHeaderInfo").get("targetWorkspace")
    if workspace is not None and workspace.strip().lower() != "default":
        raise BadParameter(
            f"Bad parameter: targetWorkspace {quoted(workspace)} does not exist; leadsync has "
            "the Default workspace only"
        )
