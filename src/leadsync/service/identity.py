"""Marketo's Identity service: client credentials for access tokens, and tokens checked.

A checked token is remembered in this process for a few seconds, so a burst of calls
costs one store read; a removed client's tokens stop working within that time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from leadsync.calls import Clock, utc_now
from leadsync.errors import AccessDenied, InvalidToken, TokenExpired
from leadsync.identity import (
    SCOPE_SUFFIX,
    TOKEN_LIFETIME_S,
    Token,
    new_token,
    secret_matches,
    token_hash,
)
from leadsync.store.base import Store

_REMEMBERED_US = 5_000_000
_REMEMBERED_MAX = 10_000


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: int  # seconds
    scope: str


class IdentityService:
    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock
        self._seen: dict[str, tuple[Token, int]] = {}  # token -> (token, checked until)
        self._lock = threading.Lock()

    def _now_us(self) -> int:
        return int(self._clock().timestamp() * 1_000_000)

    def issue(self, client_id: str | None, client_secret: str | None) -> IssuedToken:
        """A new token for the client, or AccessDenied (a wrong id or secret alike)."""
        if not client_id or not client_secret:
            raise AccessDenied("Access denied: client_id and client_secret are required")
        client = self._store.rest_client(client_id)
        if client is None or not secret_matches(client_secret, client.secret_hash):
            raise AccessDenied("Access denied: bad client credentials")
        now = self._now_us()
        token = new_token(client.instance)
        stored = Token(client.client_id, client.instance, now + TOKEN_LIFETIME_S * 1_000_000)
        self._store.add_token(token_hash(token), stored, now)
        return IssuedToken(token, TOKEN_LIFETIME_S - 1, f"{client.name}{SCOPE_SUFFIX}")

    def check(self, token: str | None) -> Token:
        """The stored token, or InvalidToken (601) / TokenExpired (602)."""
        if not token:
            raise InvalidToken("Access token invalid: none was sent")
        now = self._now_us()
        seen = self._seen.get(token)
        if seen is not None and seen[1] > now:
            found: Token | None = seen[0]
        else:
            found = self._store.token(token_hash(token))
            if found is not None:
                with self._lock:
                    if len(self._seen) >= _REMEMBERED_MAX:
                        self._seen.clear()
                    self._seen[token] = (found, now + _REMEMBERED_US)
        if found is None:
            raise InvalidToken("Access token invalid")
        if found.expires_at <= now:
            raise TokenExpired("Access token expired")
        return found
