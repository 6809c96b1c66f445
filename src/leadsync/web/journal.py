"""The journal of recent calls (time, operation, instance, status), newest first,
refreshed in place every few seconds by the page's one script, when the server keeps a
journal: ``services.journal``, or the test kit's (``services.admin.journal``, kept when
the admin API is on); a server without one shows that the journal is off.

A journal is asked ``entries(instance=..., limit=...)`` and answers its latest entries
oldest first (it appends). An entry is a tuple in the columns' order or an object with
those attributes (and ``fault``, a fault or error code, shown with the status); a time is
microseconds since the epoch, a datetime or text. Only those columns are shown: never a
request's body or its user.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from leadsync.web.layout import Context, when
from leadsync.web.markup import Html, fill, table

LIMIT = 100
REFRESH_MS = 3000
_COLUMNS = ("time", "operation", "instance", "status")
# Fetch this page again and put its journal in place of the shown one.
REFRESH = (
    "setInterval(() => fetch(location.href, {cache: 'no-store'})"
    ".then(r => r.ok ? r.text() : Promise.reject(r.status)).then(text => {"
    " const fresh = new DOMParser().parseFromString(text, 'text/html').getElementById('journal');"
    " if (fresh) document.getElementById('journal').replaceWith(fresh); })"
    f".catch(() => {{}}), {REFRESH_MS});"
)


class Journal(Protocol):
    def entries(self, *, instance: str, limit: int) -> Iterable[object]: ...


def journal_of(services: object) -> Journal | None:
    """The services' journal, if they keep one (see the module's docstring)."""
    journal: Journal | None = getattr(services, "journal", None)
    if journal is not None:
        return journal
    admin = getattr(services, "admin", None)
    if admin is not None and getattr(admin, "enabled", False):
        kept: Journal | None = getattr(admin, "journal", None)
        return kept
    return None


def _text(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, int) and not isinstance(value, bool) and value > 10**12:
        return when(value)  # microseconds since the epoch
    return "" if value is None else str(value)


def _row(entry: object) -> tuple[str, ...]:
    if isinstance(entry, Sequence) and not isinstance(entry, str):
        values = list(entry[: len(_COLUMNS)])
    else:
        values = [getattr(entry, name, None) for name in _COLUMNS]
    values += [None] * (len(_COLUMNS) - len(values))
    fault = getattr(entry, "fault", None)
    if fault is not None:
        values[-1] = f"{_text(values[-1])} (fault {fault})"
    return tuple(_text(value) for value in values)


def journal_page(journal: Journal | None, where: Context, now: str) -> tuple[Html, str | None]:
    """The page's body and its script (None when the journal is off)."""
    if journal is None:
        body = fill(
            '<div id="journal"><p class="empty">The journal is off: this server keeps no '
            "journal of calls.</p></div>"
        )
        return body, None
    entries = list(journal.entries(instance=where.instance, limit=LIMIT))
    rows = [_row(entry) for entry in reversed(entries)]
    body = fill(
        """<div id="journal"><p class="muted">The latest calls on instance $instance (up to $limit),
newest first, as of $now; the page refreshes every $seconds s.</p>$table</div>""",
        limit=LIMIT,
        instance=where.instance,
        now=now,
        seconds=REFRESH_MS // 1000,
        table=table(_COLUMNS, rows, "No calls yet."),
    )
    return body, REFRESH
