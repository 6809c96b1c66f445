"""REST API clients and their access tokens (Marketo's Identity service).

A REST client (Marketo's "LaunchPoint custom service") belongs to one instance, as a SOAP
user does. Its secret is kept only as a salted SHA-256 (it is checked, never shown again);
a token is kept only as its SHA-256, so a copy of the store gives neither. Tokens live in
the store, so every server process on it accepts every other's.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

TOKEN_LIFETIME_S = 3600  # Marketo's: an hour
SCOPE_SUFFIX = "@leadsync"


@dataclass(frozen=True, slots=True)
class RestClient:
    name: str
    client_id: str
    instance: str
    created_at: int  # microseconds
    secret_hash: str = ""  # "salt$sha256hex"; empty when listed


@dataclass(frozen=True, slots=True)
class Token:
    """An access token as stored: whose it is and when it expires (microseconds)."""

    client_id: str
    instance: str
    expires_at: int


def new_client_id() -> str:
    """A client id in Marketo's shape (a UUID)."""
    raw = secrets.token_hex(16)
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


def new_secret() -> str:
    """A client secret of 32 random characters, as Marketo issues them."""
    return secrets.token_urlsafe(24)


def new_token(instance: str) -> str:
    """An access token in Marketo's shape: a random part, ``:``, the instance's pod tag."""
    return f"{secrets.token_hex(16)}:{instance[:8]}"


def hash_secret(secret: str, salt: str | None = None) -> str:
    salt = secrets.token_hex(8) if salt is None else salt
    return f"{salt}${hashlib.sha256(f'{salt}:{secret}'.encode()).hexdigest()}"


def secret_matches(secret: str, stored: str) -> bool:
    salt, _, _ = stored.partition("$")
    return hmac.compare_digest(hash_secret(secret, salt), stored)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
