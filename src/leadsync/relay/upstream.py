"""The upstream Marketo's REST API, as the relay calls it: a token kept and renewed, calls
paced under the upstream's limits, retried where that is safe, and its errors as SOAP
faults.

- **Tokens**: one for all the server processes on a store (kept in it, ``TokenShelf``),
  renewed a minute before it expires and at once on 601 or 602 (the call is then made
  again, once); a process that finds the shared token refused takes a newer one another
  process fetched, or fetches one. Never logged.
- **Pacing**: at most ``rate/processes`` calls per window and ``concurrency/processes``
  in flight in this process, so the server processes together stay under the
  upstream's figures. A call waits up to ``upstream_wait`` seconds for a slot, then the
  SOAP call fails with 20023 (rate) or 20024 (concurrency) rather than overrun.
- **Retries**: timeouts, connection errors, HTTP 5xx, 606 and 615 are retried with
  backoff (0.5, 1, 2 s), but only for idempotent calls. A non-idempotent call whose
  answer was lost fails with ``UpstreamUncertain``: it may have been applied.
- **Errors**: 603 and the upstream's refusals of our credentials are 20011 (the
  upstream's message logged; never 20014, which is the SOAP caller's own), 607 is 20015,
  any other call error 20011 with the upstream's code and message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import orjson

from leadsync.errors import (
    ConcurrencyLimitExceeded,
    InternalError,
    MktowsError,
    QuotaExceeded,
    RateLimitExceeded,
)
from leadsync.relay_settings import RelaySettings

log = logging.getLogger("leadsync.relay")
# httpx logs every request line at INFO; the relay logs its calls itself, without tokens
# or the identity call's credentials.
logging.getLogger("httpx").setLevel(logging.WARNING)
BACKOFF_S = (0.5, 1.0, 2.0)
_RETRIED_CODES = frozenset({"606", "615", "604", "608", "611", "713"})
_TOKEN_MARGIN_S = 60


class UpstreamError(InternalError):
    """The upstream refused or failed a call: 20011 with its code and message."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.upstream_code = code


class UpstreamUncertain(InternalError):
    """A call that is not safe to repeat lost its answer: it may have been applied."""


class UpstreamDown(InternalError):
    """The upstream could not be reached, after the retries."""


@dataclass
class UpstreamStats:
    """What the relay's metrics and log report."""

    calls: int = 0
    retries: int = 0
    errors: int = 0
    seconds: float = 0.0


_CALL = threading.local()  # the upstream requestIds of this thread's SOAP call


def collected() -> list[str]:
    """The upstream requestIds of this thread's calls since the last time asked, of any
    upstream: one SOAP call's (a call runs on one thread)."""
    ids: list[str] = getattr(_CALL, "ids", [])
    _CALL.ids = []
    return ids


class TokenShelf(Protocol):
    """Where the server processes share the upstream's token (the local store)."""

    def upstream_token(self, upstream: str) -> tuple[str, int] | None: ...

    def put_upstream_token(self, upstream: str, token: str, expires_at: int) -> None: ...


class Pacer:
    """This process's share of the upstream's rate and concurrency."""

    def __init__(self, settings: RelaySettings, clock: Callable[[], float] = time.monotonic):
        share = max(1, settings.processes)
        self.rate = max(1, settings.upstream_rate_limit // share)
        self.window = float(settings.upstream_rate_window)
        self.concurrency = max(1, settings.upstream_concurrency // share)
        self.wait = float(settings.upstream_wait)
        self._clock = clock
        self._recent: deque[float] = deque()
        self._in_flight = 0
        self._cond = threading.Condition()

    def acquire(self) -> None:
        """A slot: a call counts against the rate from when it starts until a window after
        its answer (the upstream counts it at some moment in between)."""
        deadline = self._clock() + self.wait
        with self._cond:
            while True:
                now = self._clock()
                while self._recent and self._recent[0] <= now - self.window:
                    self._recent.popleft()
                counted = len(self._recent) + self._in_flight
                if self._in_flight < self.concurrency and counted < self.rate:
                    self._in_flight += 1
                    return
                left = deadline - now
                if left <= 0:
                    if self._in_flight >= self.concurrency:
                        raise ConcurrencyLimitExceeded(
                            "Concurrency limit exceeded: the upstream's calls in flight are"
                            f" at its limit ({self.concurrency} in this process)"
                        )
                    raise RateLimitExceeded(
                        f"Rate limit exceeded: the upstream's {self.rate} calls per"
                        f" {self.window:g} s (this process's share) are used"
                    )
                pause = left
                if self._recent and counted >= self.rate:
                    pause = min(left, self._recent[0] + self.window - now)
                self._cond.wait(max(pause, 0.001))

    def release(self) -> None:
        with self._cond:
            self._in_flight -= 1
            self._recent.append(self._clock())  # counted a window from its answer
            self._cond.notify_all()


class Upstream:
    """Calls on the upstream's REST API; each answers the JSON of a successful call."""

    def __init__(
        self,
        settings: RelaySettings,
        secret: str,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        observe: Callable[[float, str], None] | None = None,
        tokens: TokenShelf | None = None,
    ) -> None:
        if not settings.upstream or not settings.upstream_client_id:
            raise ValueError("relay mode needs --upstream and --upstream-client-id")
        self.settings = settings
        self._secret = secret
        self._http = httpx.Client(
            base_url=settings.upstream.rstrip("/"),
            timeout=settings.upstream_timeout,
            transport=transport,
        )
        self._sleep = sleep
        self._token: str | None = None
        self._expires = 0.0  # wall clock seconds
        self._shelf = tokens
        self._shelf_key = f"{settings.identity} {settings.upstream_client_id}"
        self._token_lock = threading.Lock()
        self.pacer = Pacer(settings)
        self.stats = UpstreamStats()
        self.observe = observe  # (seconds, outcome: ok | retried | error), for metrics

    def close(self) -> None:
        self._http.close()

    # -- tokens --------------------------------------------------------------------

    def token(self, renew: bool = False) -> str:
        """The access token: this process's, or the one the processes share (the store's
        shelf), or a new one. ``renew``: the upstream refused the current one."""
        with self._token_lock:
            refused = self._token if renew else None
            if refused is None and self._fresh(self._token, self._expires):
                assert self._token is not None
                return self._token
            if self._shelf is not None:
                shared = self._shelf.upstream_token(self._shelf_key)
                if shared is not None and shared[0] != refused:
                    token, expires = shared[0], shared[1] / 1e6
                    if self._fresh(token, expires):
                        self._token, self._expires = token, expires
                        return token
            self._token, self._expires = self._fetch_token()
            if self._shelf is not None:
                self._shelf.put_upstream_token(
                    self._shelf_key, self._token, int(self._expires * 1e6)
                )
            return self._token

    @staticmethod
    def _fresh(token: str | None, expires: float) -> bool:
        return token is not None and time.time() < expires - _TOKEN_MARGIN_S

    def _fetch_token(self) -> tuple[str, float]:
        """A new token; connection errors and 5xx are retried as any idempotent call."""
        params = {
            "grant_type": "client_credentials",
            "client_id": self.settings.upstream_client_id or "",
            "client_secret": self._secret,
        }
        attempt = 0
        while True:
            try:
                # A form body, not the query string: the secret stays out of URLs and logs.
                response = self._http.post(f"{self.settings.identity}/oauth/token", data=params)
            except httpx.HTTPError as exc:
                if attempt < len(BACKOFF_S):
                    self._retry(attempt)
                    attempt += 1
                    continue
                raise UpstreamDown(
                    f"Internal Error: the upstream identity is unreachable ({exc})"
                ) from None
            if response.status_code >= 500 and attempt < len(BACKOFF_S):
                self._retry(attempt)
                attempt += 1
                continue
            break
        if response.status_code != 200:
            log.warning(
                "upstream identity refused the relay's credentials: %s", response.text[:200]
            )
            raise UpstreamError(
                "Internal Error: the upstream refused the relay's credentials"
                f" (HTTP {response.status_code})"
            )
        data = response.json()
        return str(data["access_token"]), time.time() + float(data.get("expires_in", 3599))

    # -- calls ---------------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        *,
        form: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> dict[str, Any]:
        """The answer of a successful call (``success`` true), or a MktowsError. ``form``:
        a form body instead of JSON (with ``_method=GET``, a read too long for a URL)."""
        renewed = False
        attempt = 0
        content = None if body is None else orjson.dumps(body)  # stdlib json: ~1 ms a call
        while True:
            headers = {"Authorization": f"Bearer {self.token()}"}  # before a pacing slot
            self.pacer.acquire()
            started = time.perf_counter()
            if content is not None:
                headers["Content-Type"] = "application/json"
            try:
                response = self._http.request(
                    method, path, params=params, content=content, data=form, headers=headers
                )
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                failure: Exception = exc
                response = None
            finally:
                self.pacer.release()
                self.stats.calls += 1
                self.stats.seconds += time.perf_counter() - started
            if response is None:
                if not idempotent:
                    self.stats.errors += 1
                    raise UpstreamUncertain(
                        f"Internal Error: the upstream's answer to {method} {path} was lost"
                        f" ({type(failure).__name__}); the call may have been applied"
                    )
                if attempt >= len(BACKOFF_S):
                    self.stats.errors += 1
                    raise UpstreamDown(
                        f"Internal Error: the upstream is unreachable ({type(failure).__name__})"
                    )
                self._retry(attempt)
                attempt += 1
                continue
            if response.status_code >= 500:
                if not idempotent:
                    self.stats.errors += 1
                    raise UpstreamUncertain(
                        f"Internal Error: the upstream answered HTTP {response.status_code}"
                        f" to {method} {path}; the call may have been applied"
                    )
                if attempt >= len(BACKOFF_S):
                    self.stats.errors += 1
                    raise UpstreamDown(
                        f"Internal Error: the upstream answered HTTP {response.status_code}"
                    )
                self._retry(attempt)
                attempt += 1
                continue
            try:
                data = orjson.loads(response.content)
            except orjson.JSONDecodeError:
                self.stats.errors += 1
                raise UpstreamError(
                    f"Internal Error: the upstream answered HTTP {response.status_code}, not JSON"
                ) from None
            request_id = data.get("requestId")
            if isinstance(request_id, str):
                if not hasattr(_CALL, "ids"):
                    _CALL.ids = []
                _CALL.ids.append(request_id)
            if data.get("success"):
                self._observed(started, "ok")
                return dict(data)
            code, message = _first_error(data)
            if code in ("601", "602") and not renewed:
                self.token(renew=True)
                renewed = True
                continue
            if code in _RETRIED_CODES and idempotent and attempt < len(BACKOFF_S):
                self._retry(attempt)
                attempt += 1
                continue
            self.stats.errors += 1
            self._observed(started, "error")
            raise _fault(code, message)

    def _retry(self, attempt: int) -> None:
        self.stats.retries += 1
        if self.observe is not None:
            self.observe(0.0, "retried")
        self._sleep(BACKOFF_S[attempt])

    def _observed(self, started: float, outcome: str) -> None:
        if self.observe is not None:
            self.observe(time.perf_counter() - started, outcome)


def _first_error(data: Mapping[str, Any]) -> tuple[str, str]:
    errors = data.get("errors") or [{}]
    first = errors[0] if isinstance(errors, list) and errors else {}
    return str(first.get("code", "")), str(first.get("message", ""))


def _fault(code: str, message: str) -> MktowsError:
    if code == "607":
        return QuotaExceeded(f"Request limit exceeded: the upstream's daily quota ({message})")
    if code in ("601", "602", "603"):
        log.warning("upstream refused the relay (%s): %s", code, message)
        return UpstreamError(f"Internal Error: the upstream refused the relay ({code})", code)
    if code == "606":
        return RateLimitExceeded(f"Rate limit exceeded: the upstream answered 606 ({message})")
    if code == "615":
        return ConcurrencyLimitExceeded(
            f"Concurrency limit exceeded: the upstream answered 615 ({message})"
        )
    return UpstreamError(f"Internal Error: upstream error {code}: {message}", code)
