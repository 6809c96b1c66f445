"""Counted nouns for messages a user reads: "1 second", "2 seconds"."""

from __future__ import annotations


def plural(count: int, noun: str) -> str:
    """``count`` and ``noun``, with an "s" unless the count is one."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def quoted(text: str) -> str:
    """``text`` in single quotes, as it was sent (no escapes: a message, not Python)."""
    return f"'{text}'"
