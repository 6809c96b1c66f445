"""The operation handlers, by operation name, and what each one is given (``Call``).

A handler reads its params, makes one service call and returns the value of its
operation's success element, which ``render.success`` writes (or, for the hand-tuned
syncMultipleLeads, the answer's bytes). Parsing, authentication, limits, faults and the
call record stay in ``wire/dispatch.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from leadsync.calls import CallRecord
from leadsync.config import Settings
from leadsync.errors import BadParameter
from leadsync.model import Account
from leadsync.service import Services
from leadsync.wire import decode, mktows
from leadsync.wire.envelope import Envelope
from leadsync.wire.xsd import Operation

Answer = bytes | dict[str, Any]  # rendered bytes, or the value of the success element


@dataclass(slots=True)
class Call:
    """One authenticated call, as its handler sees it."""

    operation: Operation
    envelope: Envelope
    account: Account
    services: Services
    settings: Settings
    now: datetime  # read once, when the call was authenticated
    record: CallRecord
    _params: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def instance(self) -> str:
        return self.account.instance

    @property
    def now_us(self) -> int:
        return int(self.now.timestamp() * 1_000_000)

    @property
    def params(self) -> dict[str, Any]:
        """The body element decoded by the operation's params type; a value that does not
        fit its schema type is 20110."""
        if self._params is None:
            type_name = mktows.GLOBAL_BY_NAME[self.operation.input_element].type[4:]
            try:
                self._params = decode.decode(self.envelope.body, type_name)
            except decode.DecodeError as exc:
                raise BadParameter(f"Bad parameter: {exc}") from None
        return self._params


Handler = Callable[[Call], Answer]
HANDLERS: dict[str, Handler] = {}


def handles(name: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of the WSDL operation ``name``."""
    if name not in mktows.OPERATION_BY_NAME:
        raise ValueError(f"{name} is not an operation of the WSDL")

    def register(handler: Handler) -> Handler:
        if name in HANDLERS:
            raise ValueError(f"{name} has a handler already")
        HANDLERS[name] = handler
        return handler

    return register
