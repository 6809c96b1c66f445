"""A change stream never skips or repeats a change while writers commit around it.

Four clients write through two ``leadsync serve`` workers (on PostgreSQL, ids from the
sequence then commit out of order) while a fifth pages getLeadChanges from the start,
as fast as it can, and drains the stream once the writers stop. Every activity in the
store is delivered exactly once, each page's ids ascending.
"""

from __future__ import annotations

import http.client
import random
import threading
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import pytest
from lxml import etree

from leadsync.store import Store
from tests.server import ServerProcess, post
from tests.soap import envelope, read_statuses, sync_request, yesterday

pytestmark = pytest.mark.e2e

WRITERS = 4
CALLS_PER_WRITER = 25
RECORDS_PER_CALL = 20
EMAILS = [f"h{i}@example.com" for i in range(60)]


def _writer(base: str, seed: int, failures: list[str]) -> None:
    rng = random.Random(seed)
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        for call in range(CALLS_PER_WRITER):
            records: list[dict[str, Any]] = [
                {
                    "Email": rng.choice(EMAILS),
                    "attrs": {"Company": f"w{seed}-{call}-{i}", "Title": rng.choice("abc")},
                }
                for i in range(RECORDS_PER_CALL)
            ]
            statuses = read_statuses(post(conn, parts.path, sync_request(records)))
            failures += [error for _, _, error in statuses if error]
    finally:
        conn.close()


def _page(conn: http.client.HTTPConnection, path: str, position: str) -> tuple[list[int], str]:
    body = envelope(
        f"<ns1:paramsGetLeadChanges>{position}<batchSize>37</batchSize></ns1:paramsGetLeadChanges>"
    )
    tree = etree.fromstring(post(conn, path, body))
    ids = [int(record.findtext("id") or 0) for record in tree.iter("leadChangeRecord")]
    returned = tree.find(".//newStartPosition")
    assert returned is not None
    text = etree.tostring(returned).decode().replace("newStartPosition", "startPosition")
    return ids, text


def test_a_change_stream_delivers_every_change_once_while_writers_commit(
    two_workers: ServerProcess, store: Store
) -> None:
    parts = urlsplit(two_workers.endpoint)
    failures: list[str] = []
    writers = [
        threading.Thread(target=_writer, args=(two_workers.endpoint, seed, failures))
        for seed in range(WRITERS)
    ]
    for thread in writers:
        thread.start()
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    delivered: list[int] = []
    pages = 0
    position = f"<startPosition><oldestCreatedAt>{yesterday()}</oldestCreatedAt></startPosition>"
    try:
        while any(thread.is_alive() for thread in writers):
            ids, position = _page(conn, parts.path, position)
            assert ids == sorted(ids)
            delivered += ids
            pages += 1
        for thread in writers:
            thread.join(timeout=300)
        while True:  # drain what the last writes committed
            ids, position = _page(conn, parts.path, position)
            if not ids:
                break
            delivered += ids
    finally:
        conn.close()
    assert failures == []
    stored = [activity.id for activity in store.iter_activities("default")]
    assert len(stored) > WRITERS * CALLS_PER_WRITER * RECORDS_PER_CALL  # New Lead + changes
    assert pages > 5  # the reader paged while the writers wrote
    repeated = [i for i, n in Counter(delivered).items() if n > 1]
    assert repeated == []
    assert sorted(delivered) == sorted(stored)
