"""Position-based paging tokens (rest-api/paging-tokens.md): the last id a page gave,
sealed with the store's stream key, so any process on the store continues any page; a
token never crosses instances or kinds of listing (1003 for one that was not issued for
this call)."""

from __future__ import annotations

from leadsync.errors import BadStreamPosition
from leadsync.rest.registry import RestCall
from leadsync.service import reads


def page_token(key: bytes, call: RestCall, kind: str, scope: str, last_id: int) -> str:
    return reads.seal(key, {"k": kind, "s": scope.casefold(), "i": call.instance, "a": last_id})


def after_id(key: bytes, call: RestCall, kind: str, scope: str) -> int:
    """The id the call's ``nextPageToken`` continues after (0 without one)."""
    token = call.get("nextPageToken")
    if not token:
        return 0
    data = reads.unseal(key, token.strip())
    last = data.get("a")
    if (
        data.get("k") != kind
        or data.get("s") != scope.casefold()
        or data.get("i") != call.instance
        or not isinstance(last, int)
    ):
        raise BadStreamPosition(f"Invalid nextPageToken: not one issued for this {kind} listing")
    return last
