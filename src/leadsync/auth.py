"""Marketo's request signature: HMAC-SHA1 over ``requestTimestamp + mktowsUserId``."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from datetime import datetime

from leadsync.errors import AuthenticationFailed, RequestExpired
from leadsync.model import Account, Credentials
from leadsync.words import plural

# Ruby's Time#to_s: "2015-07-06 13:43:43 +0900" (seen from production Marketo clients).
_RUBY_TS = re.compile(r"(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) ([+-]\d{2})(\d{2})")


def sign(secret: str, timestamp: str, user_id: str) -> str:
    """Lower-case hex HMAC-SHA1 keyed with ``secret`` over ``timestamp + user_id``."""
    message = (timestamp + user_id).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha1).hexdigest()


def parse_timestamp(text: str) -> datetime:
    """An aware datetime from ISO 8601 (offset or Z, fractions optional) or Ruby's form.

    Raises ValueError for anything else, including a timestamp without an offset.
    """
    text = text.strip()
    ruby = _RUBY_TS.fullmatch(text)
    if ruby:
        text = f"{ruby[1]}T{ruby[2]}{ruby[3]}:{ruby[4]}"
    if "T" not in text and "t" not in text:
        raise ValueError(f"not an ISO 8601 date-time: {text!r}")
    parsed = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp has no UTC offset: {text!r}")
    return parsed


def authenticate(
    credentials: Credentials | None,
    account_for: Callable[[str], Account | None],
    now: datetime,
    max_skew_seconds: int,
) -> Account:
    """Check a request's credentials and return the account they prove.

    20014 for anything that does not prove the user (no header, unknown user, a bad or
    unparseable signature); 20016 when a correctly signed timestamp is outside the skew
    window (``max_skew_seconds`` 0 turns that check off). The error texts never carry the
    secret or the signature.
    """
    if credentials is None:
        raise AuthenticationFailed()
    account = account_for(credentials.user_id)
    # Sign even for an unknown user, so that the answer takes the same time.
    expected = sign(account.secret if account else "", credentials.timestamp, credentials.user_id)
    given = credentials.signature.strip().lower()
    if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")) or (
        account is None
    ):
        raise AuthenticationFailed()
    try:
        sent_at = parse_timestamp(credentials.timestamp)
    except ValueError:
        raise AuthenticationFailed("Authentication failed: bad requestTimestamp") from None
    if max_skew_seconds and abs((now - sent_at).total_seconds()) > max_skew_seconds:
        raise RequestExpired(
            f"Request expired: requestTimestamp is more than "
            f"{plural(max_skew_seconds, 'second')} from the server's clock"
        )
    return account
