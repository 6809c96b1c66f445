"""From request bytes to response bytes: parse, authenticate, dispatch on the body element.

Dispatch is on the body's first element, never on SOAPAction (clients send it absent,
empty, quoted, unquoted or wrong). Every error becomes a fault here, in one place:
``MktowsError`` as itself, anything else as 20011 with its traceback in the log only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from leadsync.auth import authenticate
from leadsync.config import Settings
from leadsync.errors import InternalError, MktowsError, UnsupportedOperation
from leadsync.service import sync
from leadsync.store import Store
from leadsync.wire import decode, leads, mktows, render
from leadsync.wire.envelope import local, parse_envelope

log = logging.getLogger("leadsync.calls")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Reply:
    status: int  # HTTP status: 200, or 500 for a fault
    body: bytes


@dataclass(slots=True)
class _Call:
    operation: str = "-"
    user: str = "-"
    records: int = 0
    outcome: str = ""


class Dispatcher:
    """Answers SOAP requests against one store; safe to call from many threads."""

    def __init__(self, store: Store, settings: Settings, clock: Clock = utc_now) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self._operations: dict[str, Callable[[etree._Element, _Call], bytes]] = {
            "syncMultipleLeads": self._sync_multiple_leads,
        }

    def handle(self, body: bytes) -> Reply:
        started = time.perf_counter()
        call = _Call()
        try:
            reply = Reply(200, self._answer(body, call))
        except MktowsError as error:
            call.outcome = f"fault={error.code}"
            reply = Reply(500, render.fault(error))
        except Exception:
            log.exception("internal error in %s", call.operation)
            call.outcome = "fault=20011"
            reply = Reply(500, render.fault(InternalError()))
        log.info(
            "op=%s user=%s records=%d %s ms=%.1f",
            call.operation,
            call.user,
            call.records,
            call.outcome,
            (time.perf_counter() - started) * 1000,
        )
        return reply

    def fault(self, error: MktowsError) -> Reply:
        return Reply(500, render.fault(error))

    def _answer(self, body: bytes, call: _Call) -> bytes:
        envelope = parse_envelope(body)
        element = local(envelope.body)
        operation = mktows.OPERATION_BY_ELEMENT.get(element)
        call.operation = operation.name if operation else element
        call.user = authenticate(
            decode.credentials(envelope),
            self.store.secret_for,
            self.clock(),
            self.settings.max_clock_skew,
        )
        if operation is None:
            raise UnsupportedOperation(f"Unsupported operation: {element} is not in the WSDL")
        handler = self._operations.get(operation.name)
        if handler is None:
            raise UnsupportedOperation(
                f"Unsupported operation: {operation.name} is not implemented by leadsync"
            )
        return handler(envelope.body, call)

    def _sync_multiple_leads(self, body: etree._Element, call: _Call) -> bytes:
        records, dedup = leads.sync_multiple_leads(body, self.settings.max_batch)
        call.records = len(records)
        statuses = sync.sync_multiple_leads(self.store, records, dedup)
        counts: dict[str, int] = {}
        for status in statuses:
            counts[status.status.value] = counts.get(status.status.value, 0) + 1
        call.outcome = " ".join(f"{k.lower()}={v}" for k, v in sorted(counts.items()))
        return render.sync_multiple_leads(statuses)
