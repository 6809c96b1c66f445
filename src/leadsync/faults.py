"""Faults on purpose, for teams testing their integration's error handling: rules
(``POST /leadsync-api/faults``) that make calls of an operation fail with a Marketo code,
answer an HTTP status or wait, with a probability and a count; and magic emails, so a
test can make one record fail without the admin API: a lead whose email ends
``@fail-20103.leadsync.test`` (any code) fails with that code."""

from __future__ import annotations

import itertools
import random
import re
import threading
import time
from dataclasses import dataclass, replace

from leadsync.errors import MktowsError

MAGIC = re.compile(r"@fail-([0-9]{3,5})\.leadsync\.test$", re.IGNORECASE)


def magic_code(email: str | None) -> int | None:
    """The code a magic email asks for (``x@fail-1004.leadsync.test``: 1004), else None."""
    if not email or email.rstrip()[-14:].lower() != ".leadsync.test":  # most emails
        return None
    found = MAGIC.search(email.strip())
    return int(found.group(1)) if found else None


@dataclass(frozen=True, slots=True)
class FaultRule:
    id: int
    operation: str  # a SOAP operation or REST handler name; "*" for every call
    code: int | None = None  # a Marketo fault (SOAP 20xxx) or REST error code (6xx, 1xxx)
    status: int | None = None  # an HTTP status to answer instead
    latency_ms: int = 0  # a wait before the call goes on (or fails)
    probability: float = 1.0
    count: int | None = None  # how many times it may still fire; None: always
    instance: str | None = None  # None: every instance


class InjectedFault(MktowsError):
    """A fault rule fired: its code on both APIs (SOAP fault or REST error)."""

    def __init__(self, code: int, status: int | None = None) -> None:
        super().__init__(f"Injected fault {code} (leadsync test kit)")
        self.code = code
        self.rest = code
        self.status = status


def inject(rule: FaultRule | None) -> None:
    """What a fired rule does to the call: wait, then fail (or go on when it only waits)."""
    if rule is None:
        return
    if rule.latency_ms:
        time.sleep(rule.latency_ms / 1000)
    if rule.code is not None or rule.status is not None:
        raise InjectedFault(rule.code if rule.code is not None else 20011, rule.status)


class FaultBook:
    def __init__(self, rng: random.Random | None = None) -> None:
        self._rules: dict[int, FaultRule] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._random = rng or random.Random()

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            made = replace(rule, id=next(self._ids))
            self._rules[made.id] = made
            return made

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules.values())

    def remove(self, rule_id: int | None = None) -> bool:
        with self._lock:
            if rule_id is None:
                self._rules.clear()
                return True
            return self._rules.pop(rule_id, None) is not None

    def fire(self, operation: str, instance: str) -> FaultRule | None:
        """The rule that fires for this call, if one does (its count used)."""
        with self._lock:
            for rule in list(self._rules.values()):
                if rule.operation not in ("*", operation):
                    continue
                if rule.instance is not None and rule.instance != instance:
                    continue
                if self._random.random() >= rule.probability:
                    continue
                if rule.count is not None:
                    left = rule.count - 1
                    if left <= 0:
                        del self._rules[rule.id]
                    else:
                        self._rules[rule.id] = replace(rule, count=left)
                return rule
        return None
