"""``--secrets-file``: user keys kept outside the store.

The store must keep user keys in a form it can check an HMAC with (the key itself), so a
copy of the database is a copy of the keys. Operators who keep keys elsewhere (a
mounted secret, a vault agent's file) give leadsync a file of ``USER_ID SECRET`` lines.
The file supplies keys for the users the store knows, nothing more: a key there wins
over the store's, the user's instance still comes from the store, and a user the store
does not know (never added, or removed) cannot call whatever the file says. The file
must not be readable by group or others.
"""

from __future__ import annotations

import os
import stat

from leadsync.errors import ConfigError
from leadsync.model import Account, AccountLookup


def load_keys(path: str) -> dict[str, str]:
    """user id -> key, from ``USER_ID SECRET`` lines (blank lines and ``#`` comments
    allowed). Error texts name the line, never its key."""
    try:
        mode = os.stat(path).st_mode
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read the secrets file {path}: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"the secrets file {path} is readable by others: chmod 600 {path}")
    keys: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split()
        if len(parts) != 2:
            raise ConfigError(f"{path}, line {number}: expected 'USER_ID SECRET' (two fields)")
        keys[parts[0]] = parts[1]
    return keys


def overlay(keys: dict[str, str], lookup: AccountLookup) -> AccountLookup:
    """An account lookup over the users ``lookup`` knows, their keys from ``keys`` first."""

    def account_for(user_id: str) -> Account | None:
        account = lookup(user_id)
        key = keys.get(user_id)
        if account is None or key is None:
            return account
        return Account(user_id, key, account.instance)

    return account_for
