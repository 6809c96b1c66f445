"""A fault-injecting upstream for relay tests: a real HTTP server on a free port that
forwards every request to a real leadsync upstream (a ``ServerProcess``) with httpx,
except when told to misbehave, and records every request it saw.

The controls are set from the test while the relay runs; each applies to the next N
requests whose path starts with ``path`` (REST calls, ``/rest/``, unless told otherwise),
in the order the controls were given:

- ``drop(n)``: read the request, then close the connection without an answer;
- ``marketo_error(code, n)``: HTTP 200 with Marketo's call error ``{"success": false,
  "errors": [{"code": ...}]}``, not forwarded;
- ``http_error(status, n)``: an HTTP error page (5xx), not forwarded;
- ``stall(seconds, n)``: hold the request that long, then drop it (or forward it);
- ``lose_answer(n)``: forward the request (the upstream applies it), drop the answer.

``expire_tokens()`` makes every token issued so far answer 602 until the relay fetches
a new one; ``token_lifetime`` rewrites the ``expires_in`` of the tokens issued;
``latency`` delays every forwarded call. ``seen()`` is the log: method, path,
the bearer token, when it arrived and when it was answered, and what was done with it.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from types import TracebackType
from typing import cast
from urllib.parse import urlsplit

import httpx

REST = "/rest/"
IDENTITY = "/identity/oauth/token"
_PASSED_HEADERS = ("content-type", "authorization", "accept")


@dataclass(frozen=True, slots=True)
class Seen:
    """One request the injector received, and what it did with it."""

    method: str
    path: str  # without the query string
    query: str
    token: str | None  # the bearer token it carried
    body: bytes
    started: float  # time.monotonic() when it arrived (read in full)
    ended: float  # when it was answered or dropped
    outcome: str  # "forwarded", "dropped", "error 606", "http 503", "expired", ...

    def json(self) -> object:
        return json.loads(self.body) if self.body else None


@dataclass
class _Rule:
    kind: str  # drop | code | status | stall | lose
    left: int
    path: str
    code: str = ""
    status: int = 0
    seconds: float = 0.0
    forward: bool = False


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    content_type: str
    body: bytes


class Injector:
    """The fault injector; ``url`` is what the relay's ``--upstream`` points at."""

    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")  # the real upstream; may change (a restart)
        self.latency = 0.0  # seconds added to every forwarded call
        self.token_lifetime: int | None = None  # rewrites the identity's expires_in
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self._log: list[Seen] = []
        self._issued: dict[str, float] = {}  # token -> when the injector saw it issued
        self._expired: set[str] = set()
        self._ids = count(1)
        self._stopping = threading.Event()
        self._http = httpx.Client(timeout=60)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.injector = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="upstream-faults", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Injector:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # stalled requests give up at once
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        self._http.close()

    def __enter__(self) -> Injector:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- controls --------------------------------------------------------------------

    def drop(self, n: int = 1, path: str = REST) -> None:
        self._add(_Rule("drop", n, path))

    def marketo_error(self, code: str, n: int = 1, path: str = REST) -> None:
        self._add(_Rule("code", n, path, code=code))

    def http_error(self, status: int = 503, n: int = 1, path: str = REST) -> None:
        self._add(_Rule("status", n, path, status=status))

    def stall(self, seconds: float, n: int = 1, path: str = REST, forward: bool = False) -> None:
        self._add(_Rule("stall", n, path, seconds=seconds, forward=forward))

    def lose_answer(self, n: int = 1, path: str = REST) -> None:
        self._add(_Rule("lose", n, path))

    def expire_tokens(self, before: float | None = None) -> None:
        """Tokens issued before ``before`` (default: now) answer 602 from now on."""
        moment = time.monotonic() if before is None else before
        with self._lock:
            self._expired |= {token for token, at in self._issued.items() if at < moment}

    def reset(self) -> None:
        """Back to a plain proxy: no faults pending, no token expired, no latency, an
        empty log (between tests sharing one injector)."""
        with self._lock:
            self._rules.clear()
            self._expired.clear()
            self._log.clear()
        self.latency = 0.0
        self.token_lifetime = None

    def clear(self) -> None:
        """Forget the log (not the tokens): what a test counts starts here."""
        with self._lock:
            self._log.clear()

    def pending(self) -> int:
        """Faults not yet applied."""
        with self._lock:
            return sum(rule.left for rule in self._rules)

    # -- the log ---------------------------------------------------------------------

    def seen(self, path: str = "", method: str | None = None) -> list[Seen]:
        """The requests seen whose path starts with ``path``, in the order they arrived."""
        with self._lock:
            log = list(self._log)
        return sorted(
            (s for s in log if s.path.startswith(path) and method in (None, s.method)),
            key=lambda s: s.started,
        )

    def rest_calls(self) -> list[Seen]:
        return self.seen(REST)

    def token_fetches(self) -> list[Seen]:
        return self.seen(IDENTITY)

    def issued_tokens(self) -> list[str]:
        with self._lock:
            return list(self._issued)

    # -- one request -----------------------------------------------------------------

    def _add(self, rule: _Rule) -> None:
        if rule.left < 1:
            raise ValueError("a fault applies to one request at least")
        with self._lock:
            self._rules.append(rule)

    def _rule_for(self, path: str) -> _Rule | None:
        with self._lock:
            for rule in self._rules:
                if path.startswith(rule.path):
                    rule.left -= 1
                    if rule.left == 0:
                        self._rules.remove(rule)
                    return rule
        return None

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self._log.append(seen)

    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[_Answer | None, str]:
        """The answer to send (None: drop the connection) and what was done."""
        path = urlsplit(target).path
        token = _bearer(headers)
        with self._lock:
            expired = token is not None and token in self._expired
        if expired and path.startswith(REST):
            return self._marketo("602", "Access token expired"), "expired"
        rule = self._rule_for(path)
        if rule is None:
            return self._forward(method, target, headers, body)
        if rule.kind == "drop":
            return None, "dropped"
        if rule.kind == "code":
            return self._marketo(rule.code, f"injected {rule.code}"), f"error {rule.code}"
        if rule.kind == "status":
            page = f"<html><body>{rule.status} injected</body></html>".encode()
            return _Answer(rule.status, "text/html", page), f"http {rule.status}"
        if rule.kind == "stall":
            self._stopping.wait(rule.seconds)
            if not rule.forward:
                return None, "stalled"
            answer, outcome = self._forward(method, target, headers, body)
            return answer, f"stalled, {outcome}"
        answer, outcome = self._forward(method, target, headers, body)  # "lose"
        return None, f"answer lost ({outcome})"

    def _marketo(self, code: str, message: str) -> _Answer:
        body = {
            "requestId": f"{next(self._ids):x}#injected",
            "success": False,
            "errors": [{"code": code, "message": message}],
        }
        return _Answer(200, "application/json", json.dumps(body).encode())

    def _forward(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[_Answer | None, str]:
        if self.latency:
            self._stopping.wait(self.latency)
        passed = {k: v for k, v in headers.items() if k.lower() in _PASSED_HEADERS}
        try:
            response = self._http.request(
                method, self.target + target, headers=passed, content=body
            )
        except httpx.HTTPError:
            return None, "unreachable"  # the upstream is down: so are we
        content = response.content
        if urlsplit(target).path == IDENTITY and response.status_code == 200:
            data = response.json()
            issued = data.get("access_token")
            if isinstance(issued, str):
                with self._lock:
                    self._issued[issued] = time.monotonic()
            if self.token_lifetime is not None:
                content = json.dumps({**data, "expires_in": self.token_lifetime}).encode()
        answer = _Answer(
            response.status_code,
            response.headers.get("content-type", "application/octet-stream"),
            content,
        )
        return answer, "forwarded"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    injector: Injector


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the relay's httpx pool expects

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: object) -> None:
        pass  # the injector's log is ``seen()``

    def _handle(self) -> None:
        injector = cast(_Server, self.server).injector
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name: value for name, value in self.headers.items()}
        started = time.monotonic()
        answer, outcome = injector.handle(self.command, self.path, headers, body)
        try:
            if answer is None:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
            else:
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
                self.wfile.flush()
        except OSError:
            self.close_connection = True  # the relay gave up on this one already
        split = urlsplit(self.path)
        injector._record(
            Seen(
                self.command,
                split.path,
                split.query,
                _bearer(headers),
                body,
                started,
                time.monotonic(),
                outcome,
            )
        )


def _bearer(headers: dict[str, str]) -> str | None:
    for name, value in headers.items():
        if name.lower() == "authorization" and value.startswith("Bearer "):
            return value.removeprefix("Bearer ")
    return None


# -- reading the log ---------------------------------------------------------------


def most_in_flight(seen: Sequence[Seen]) -> int:
    """The most requests the injector held at once (arrived, not yet answered)."""
    events = sorted([(s.started, 1) for s in seen] + [(s.ended, -1) for s in seen])
    most = current = 0
    for _, step in events:  # at a tie an answer (-1) sorts before an arrival
        current += step
        most = max(most, current)
    return most


def most_in_window(seen: Sequence[Seen], window: float) -> int:
    """The most requests that arrived within any ``window`` seconds (a half-open
    interval [t, t + window))."""
    times = sorted(s.started for s in seen)
    most = 0
    first = 0
    for last, at in enumerate(times):
        while times[first] <= at - window:
            first += 1
        most = max(most, last - first + 1)
    return most


def windows(seen: Sequence[Seen], window: float) -> Iterator[tuple[float, int]]:
    """Each arrival time and how many arrived in the ``window`` seconds it opens: for
    assertion messages."""
    times = sorted(s.started for s in seen)
    for i, at in enumerate(times):
        yield at, sum(1 for t in times[i:] if t < at + window)
