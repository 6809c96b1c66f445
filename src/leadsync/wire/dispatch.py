"""From request bytes to response bytes: parse, authenticate, dispatch on the body element.

Dispatch is on the body's first element, never on SOAPAction (clients send it absent,
empty, quoted, unquoted or wrong), to the operation's handler in ``wire/ops``. Limits
are checked here, after authentication. Every error becomes a fault here, in one place:
``MktowsError`` as itself, anything else as 20011 with its traceback in the log only.
Every call ends in one structured log line (JSON) and one ``observe`` for the metrics;
neither ever carries a secret, a signature or a lead's values.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict, dataclass

from leadsync.auth import authenticate
from leadsync.calls import CallRecord, Clock, utc_now
from leadsync.config import Settings
from leadsync.errors import InternalError, MktowsError, UnsupportedOperation
from leadsync.faults import InjectedFault, inject
from leadsync.journal import Entry, redact_xml
from leadsync.limits import Limiter
from leadsync.model import AccountLookup
from leadsync.service import Services
from leadsync.wire import decode, mktows, render
from leadsync.wire.envelope import local, parse_envelope
from leadsync.wire.ops import HANDLERS, Call

log = logging.getLogger("leadsync.calls")


@dataclass(frozen=True, slots=True)
class Reply:
    status: int  # HTTP status: 200, or 500 for a fault
    body: bytes


class Dispatcher:
    """Answers SOAP requests with the services of one store; safe to call from many
    threads."""

    def __init__(
        self,
        services: Services,
        accounts: AccountLookup,
        settings: Settings,
        clock: Clock = utc_now,
        *,
        limiter: Limiter | None = None,
        observe: Callable[[CallRecord], None] | None = None,
        annotate: Callable[[CallRecord], None] | None = None,
    ) -> None:
        self.services = services
        self._annotate = annotate
        self.settings = settings
        self.clock = clock
        self._accounts = accounts
        self._limiter = limiter
        self._observe = observe

    def handle(self, body: bytes) -> Reply:
        started = time.perf_counter()
        record = CallRecord()
        try:
            reply = Reply(200, self._answer(body, record))
        except MktowsError as error:
            record.fault = error.code
            status = error.status if isinstance(error, InjectedFault) and error.status else 500
            reply = Reply(status, render.fault(error))
        except Exception:
            log.exception("internal error in %s", record.operation)
            record.fault = InternalError.code
            reply = Reply(500, render.fault(InternalError()))
        record.seconds = time.perf_counter() - started
        if self._annotate is not None:
            self._annotate(record)
        if log.isEnabledFor(logging.INFO):
            line = asdict(record)
            line["ms"] = round(line.pop("seconds") * 1000, 1)
            if not line["upstream"]:
                del line["upstream"]
            log.info(json.dumps(line, separators=(",", ":")))
        if self._observe is not None:
            self._observe(record)
        if self.services.admin.enabled and self.services.admin.journal.size:
            self.services.admin.journal.add(
                Entry(
                    self.clock().isoformat(timespec="milliseconds"),
                    "soap",
                    record.operation,
                    record.instance,
                    record.user,
                    reply.status,
                    record.fault,
                    round(record.seconds * 1000, 1),
                    redact_xml(body),
                    redact_xml(reply.body),
                )
            )
        return reply

    def fault(self, error: MktowsError) -> Reply:
        return Reply(500, render.fault(error))

    def _answer(self, body: bytes, record: CallRecord) -> bytes:
        envelope = parse_envelope(body)
        element = local(envelope.body)
        operation = mktows.OPERATION_BY_ELEMENT.get(element)
        record.operation = operation.name if operation else element
        now = self.clock()
        account = authenticate(
            decode.credentials(envelope), self._accounts, now, self.settings.max_clock_skew
        )
        record.user, record.instance = account.user_id, account.instance
        if operation is None:
            raise UnsupportedOperation(f"Unsupported operation: {element} is not in the WSDL")
        handler = HANDLERS.get(operation.name)
        if handler is None:
            raise UnsupportedOperation(
                f"Unsupported operation: {operation.name} is not implemented by leadsync"
            )
        call = Call(operation, envelope, account, self.services, self.settings, now, record)
        admin = self.services.admin
        if admin.enabled:  # the test kit's fault rules
            inject(admin.faults.fire(operation.name, account.instance))
        admitted = self._limiter.admit(account.instance) if self._limiter else nullcontext()
        with admitted:
            answer = handler(call)
        return answer if isinstance(answer, bytes) else render.success(operation.name, answer)
