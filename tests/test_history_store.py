"""The change stream's position on PostgreSQL, where activity ids from a sequence become
visible out of order: writers held open on purpose, in the orders that would make a
position of "the last id delivered" skip a change."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest

from leadsync.activities import Activity
from leadsync.model import Lead
from leadsync.store import open_store
from leadsync.store.base import (
    ActivityQuery,
    ChangePosition,
    LeadWriter,
    Store,
    run_params,
)
from leadsync.store.postgres import PostgresStore
from tests.pg import pg_store_url

EVERYTHING = ActivityQuery()


@pytest.fixture
def pg() -> Iterator[Store]:
    with pg_store_url() as url:
        store = open_store(url)
        assert isinstance(store, PostgresStore)
        yield store
        store.close()


class _Held:
    """A write transaction kept open until ``commit``; rolled back if the test fails."""

    def __init__(self, store: Store) -> None:
        self._open: AbstractContextManager[LeadWriter] | None = store.write()
        self.writer = self._open.__enter__()

    def commit(self) -> None:
        assert self._open is not None
        self._open.__exit__(None, None, None)
        self._open = None

    def rollback(self) -> None:
        if self._open is not None:
            failed = RuntimeError("the test ended first")
            self._open.__exit__(RuntimeError, failed, None)
            self._open = None


@pytest.fixture
def hold(pg: Store) -> Iterator[Callable[[], _Held]]:
    held: list[_Held] = []

    def start() -> _Held:
        held.append(_Held(pg))
        return held[-1]

    yield start
    for transaction in held:
        transaction.rollback()


def _append(writer: LeadWriter, lead_id: int) -> None:
    writer.insert_activities([run_params("default", [Activity(0, lead_id, 12, 1, None, ())])])


def _lead(writer: LeadWriter) -> int:
    """Write a lead: the transaction has its xid from here on."""
    [lead_id] = writer.allocate_ids(1)
    writer.insert_leads([Lead(lead_id, f"{lead_id}@x.com", None, None, {}, 1, 1)])
    return lead_id


def _page(
    store: Store, position: ChangePosition, limit: int = 100
) -> tuple[list[int], ChangePosition]:
    found, position, _ = store.page_changes("default", EVERYTHING, position, limit)
    return [a.id for a in found], position


def _drain(store: Store, position: ChangePosition, count: int, limit: int = 100) -> list[list[int]]:
    """The non-empty pages until ``count`` activities came, each page's ids ascending.
    Transactions of other tests (any database of the cluster) may hold the horizon back
    for a moment: a page is then short, never wrong."""
    pages: list[list[int]] = []
    deadline = time.monotonic() + 10
    while sum(map(len, pages)) < count and time.monotonic() < deadline:
        ids, position = _page(store, position, limit)
        assert ids == sorted(ids) and len(ids) <= limit
        if ids:
            pages.append(ids)
    assert _page(store, position)[0] == []
    return pages


def test_a_smaller_id_committed_later_is_delivered_not_skipped(
    pg: Store, hold: Callable[[], _Held]
) -> None:
    position = pg.change_start()
    slow = hold()
    _append(slow.writer, 1)  # id 1, not committed yet
    with pg.write() as second:
        _append(second, 2)  # id 2, committed
    ids, position = _page(pg, position)
    assert ids == []  # id 2 waits behind the running transaction below it
    slow.commit()
    assert _drain(pg, position, 2) == [[1, 2]]


def test_a_transaction_that_began_later_but_committed_a_smaller_id_is_delivered(
    pg: Store, hold: Callable[[], _Held]
) -> None:
    position = pg.change_start()
    older = hold()
    lead = _lead(older.writer)  # the older transaction's xid comes first
    newer = hold()
    _append(newer.writer, lead)  # id 1, from the newer transaction, still running
    _append(older.writer, lead)  # id 2, from the older one
    older.commit()
    first, position = _page(pg, position)
    assert first in ([2], [])  # id 2 passes id 1, whose writer still runs
    newer.commit()
    pages = _drain(pg, position, 2 - len(first))
    assert [first, *pages] == ([[2], [1]] if first else [[], [1, 2]])


def test_a_band_longer_than_a_page_is_delivered_across_pages(
    pg: Store, hold: Callable[[], _Held]
) -> None:
    position = pg.change_start()
    older = hold()
    lead = _lead(older.writer)
    newer = hold()
    for _ in range(5):
        _append(newer.writer, lead)  # ids 1..5, still running
    _append(older.writer, lead)  # id 6
    older.commit()
    first, position = _page(pg, position, 2)
    newer.commit()
    pages = _drain(pg, position, 6 - len(first), 2)
    if first:  # then ids 1..5 are a band behind the stream, delivered over three pages
        assert [first, *pages] == [[6], [1, 2], [3, 4], [5]]
    else:
        assert pages == [[1, 2], [3, 4], [5, 6]]
