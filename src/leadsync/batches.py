"""Items in lists of at most ``size``: calls of 300 records, selectors of 100 keys.

One helper for every batching loop (the clients, ``leadsync push``); the asyncio client
feeds async iterables through ``abatches``. Both read their input lazily, so an endless
iterable streams.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last may be shorter; none is empty)."""
    if size < 1:
        raise ValueError("size must be at least 1")
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


async def abatches(items: Iterable[T] | AsyncIterable[T], size: int) -> AsyncIterator[list[T]]:
    """``batches`` of an iterable or an async iterable."""
    if not isinstance(items, AsyncIterable):
        for whole in batches(items, size):
            yield whole
        return
    if size < 1:
        raise ValueError("size must be at least 1")
    batch: list[T] = []
    async for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
