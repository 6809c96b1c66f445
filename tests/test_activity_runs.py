"""Activities are stored as runs (one row holds a lead's consecutive activities of one
kind and time); every read cuts a run wherever a page ends and counts exactly."""

from __future__ import annotations

from leadsync.activities import CHANGE_DATA_VALUE, NEW_LEAD, Activity
from leadsync.fields import FieldDef, FieldType
from leadsync.model import Attribute, Lead, LeadRecord
from leadsync.service.sync import sync_multiple_leads
from leadsync.store.base import RUN_MAX, ActivityQuery, Store, run_params

EVERYTHING = ActivityQuery()


def _run(lead_id: int, kind: int, n: int, at: int) -> list[Activity]:
    return [
        Activity(0, lead_id, kind, at, f"F{i}", (f"F{i}", "", str(i), "r", "s")) for i in range(n)
    ]


def _fill(store: Store) -> None:
    """Lead 1: ids 1 (New Lead) and 2..6 (5 changes); lead 2: 7 (New Lead), 8..10;
    lead 1 again: 11..14, written later."""
    with store.write() as writer:
        writer.allocate_ids(2)
        writer.insert_leads([Lead(i, f"{i}@x.com", None, None, {}, 1, 1) for i in (1, 2)])
        writer.insert_activities(
            [
                run_params("default", _run(1, NEW_LEAD.id, 1, 100)),
                run_params("default", _run(1, CHANGE_DATA_VALUE.id, 5, 100)),
                run_params("default", _run(2, NEW_LEAD.id, 1, 101)),
                run_params("default", _run(2, CHANGE_DATA_VALUE.id, 3, 101)),
            ]
        )
    with store.write() as writer:
        writer.insert_activities([run_params("default", _run(1, CHANGE_DATA_VALUE.id, 4, 200))])


def _stream(store: Store, query: ActivityQuery, limit: int) -> list[tuple[list[int], int]]:
    pages = []
    position = store.change_start()
    while True:
        found, position, remaining = store.page_changes("default", query, position, limit)
        pages.append(([a.id for a in found], remaining))
        if not found:
            return pages


def test_a_change_stream_cuts_runs_where_pages_end_and_counts_exactly(store: Store) -> None:
    _fill(store)
    assert _stream(store, EVERYTHING, 4) == [
        ([1, 2, 3, 4], 10),
        ([5, 6, 7, 8], 6),
        ([9, 10, 11, 12], 2),
        ([13, 14], 0),
        ([], 0),
    ]
    changes = ActivityQuery(kinds=frozenset({CHANGE_DATA_VALUE.id}))
    assert _stream(store, changes, 7) == [
        ([2, 3, 4, 5, 6, 8, 9], 5),
        ([10, 11, 12, 13, 14], 0),
        ([], 0),
    ]
    later = ActivityQuery(oldest=150)
    assert _stream(store, later, 3) == [([11, 12, 13], 1), ([14], 0), ([], 0)]


def test_a_lead_page_below_an_id_inside_a_run(store: Store) -> None:
    _fill(store)
    found, remaining = store.lead_activities("default", 1, EVERYTHING, None, 3)
    assert ([a.id for a in found], remaining) == ([14, 13, 12], 7)
    found, remaining = store.lead_activities("default", 1, EVERYTHING, 12, 3)
    assert ([a.id for a in found], remaining) == ([11, 6, 5], 4)
    found, remaining = store.lead_activities("default", 1, EVERYTHING, 5, 10)
    assert ([a.id for a in found], remaining) == ([4, 3, 2, 1], 0)
    news = ActivityQuery(kinds=frozenset({NEW_LEAD.id}))
    found, remaining = store.lead_activities("default", 1, news, 5, 10)
    assert ([a.id for a in found], remaining) == ([1], 0)
    [third] = [a for a in store.iter_activities("default", 1) if a.id == 4]
    assert (third.asset, third.values, third.created_at) == ("F2", ("F2", "", "2", "r", "s"), 100)


def test_a_start_time_inside_the_history_starts_at_its_first_run(store: Store) -> None:
    _fill(store)
    assert store.change_start(since=101).last_id == 6  # (the PostgreSQL horizon moves)
    assert store.change_start(since=201).last_id == 14


def test_a_long_run_is_split_and_pruning_counts_activities(store: Store) -> None:
    record = LeadRecord(
        email="wide@x.com",
        attributes=tuple(Attribute(f"F{i}", "v") for i in range(RUN_MAX + 5)),
    )
    for i in range(RUN_MAX + 5):
        store.add_field("default", FieldDef(f"F{i}", FieldType.STRING))
    [status] = sync_multiple_leads(store, [record], now_us=1_000)  # 1 New Lead, 1,006 changes
    activities = list(store.iter_activities("default", status.lead_id))
    assert [a.id for a in activities] == list(range(1, RUN_MAX + 8))
    assert store.prune_activities(2_000, 10) == RUN_MAX + 7
    assert list(store.iter_activities("default")) == []
