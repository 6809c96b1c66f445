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

from lxml import etree

from leadsync.auth import authenticate
from leadsync.config import Settings
from leadsync.errors import InternalError, MktowsError, UnsupportedOperation
from leadsync.limits import Limiter
from leadsync.model import Account
from leadsync.service import sync
from leadsync.store import Store
from leadsync.wire import decode, leads, mktows, render
from leadsync.wire.envelope import local, parse_envelope

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
        self._operations: dict[str, Callable[[etree._Element, Account, CallRecord], bytes]] = {
            "syncMultipleLeads": self._sync_multiple_leads,
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
            return handler(envelope.body, account, call)

    def _sync_multiple_leads(
        self, body: etree._Element, account: Account, call: CallRecord
    ) -> bytes:
        records, dedup = leads.sync_multiple_leads(
            body, self.settings.max_batch, self.settings.max_attributes
        )
        call.records = len(records)
        statuses = sync.sync_multiple_leads(self.store, records, dedup, instance=account.instance)
        call.statuses = dict(Counter(status.status.value for status in statuses))
        return render.sync_multiple_leads(statuses)
