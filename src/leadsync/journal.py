"""The journal of a test kit (``serve --journal-size N``): the last calls this process
answered, SOAP and REST, with their bodies, every signature, key, secret and token
redacted before an entry is kept. Memory is bounded: N entries, each body cut at
``BODY_MAX`` characters."""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

BODY_MAX = 16_384
REDACTED = "***"
# SOAP: the signature (and any element naming a key or secret); REST and identity: tokens,
# secrets and passwords in JSON bodies, forms and query strings.
_XML_SECRET = re.compile(
    rb"(<(?:[A-Za-z0-9_]+:)?(requestSignature|[A-Za-z]*[Ss]ecret[A-Za-z]*|[A-Za-z]*[Kk]ey)>)"
    rb"[^<]*(</)"
)
_JSON_SECRET = re.compile(
    r'("(?:access_token|client_secret|secret|password|token|refresh_token)"\s*:\s*)"[^"]*"',
    re.IGNORECASE,
)
_FORM_SECRET = re.compile(
    r"((?:^|[?&])(?:access_token|client_secret|secret|password|token)=)[^&\s]*", re.IGNORECASE
)


def redact_xml(body: bytes) -> str:
    text = _XML_SECRET.sub(rb"\1" + REDACTED.encode() + rb"\3", body[: BODY_MAX * 2])
    return text.decode("utf-8", "replace")[:BODY_MAX]


def redact_text(text: str) -> str:
    """A JSON body, a form or a query string with its tokens and secrets replaced."""
    return _FORM_SECRET.sub(r"\1" + REDACTED, _JSON_SECRET.sub(r'\1"' + REDACTED + '"', text))[
        :BODY_MAX
    ]


@dataclass(frozen=True, slots=True)
class Entry:
    time: str  # ISO 8601, UTC
    api: str  # soap | rest
    operation: str
    instance: str
    user: str
    status: int  # HTTP status
    fault: int | None  # the SOAP fault or REST error code
    ms: float
    request: str
    response: str


class Journal:
    """The last ``size`` calls, newest last; safe from many threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: deque[Entry] = deque(maxlen=max(size, 1))
        self._lock = threading.Lock()

    def add(self, entry: Entry) -> None:
        if self.size:
            with self._lock:
                self._entries.append(entry)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def entries(
        self,
        operation: str | None = None,
        instance: str | None = None,
        since: str | None = None,
        limit: int | None = None,
    ) -> list[Entry]:
        with self._lock:
            found = [
                e
                for e in self._entries
                if (operation is None or e.operation == operation)
                and (instance is None or e.instance == instance)
                and (since is None or e.time >= since)
            ]
        return found[-limit:] if limit else found

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries())


def as_json(entry: Entry) -> dict[str, Any]:
    return asdict(entry)
