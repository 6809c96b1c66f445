"""Waiting for something to happen, never for a fixed time: the one polling loop of the
suite. A condition is checked every few milliseconds until it holds or time runs out."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
_TICK = threading.Event()  # never set: its wait() is a pause that no one can cut short


def eventually(condition: Callable[[], T], what: str, seconds: float = 30) -> T:
    """The first truthy value of ``condition()``; AssertionError naming ``what`` when
    ``seconds`` pass without one."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        _TICK.wait(0.005)
