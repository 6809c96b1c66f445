"""Dedup under concurrency: many clients, several server processes, one store.

Eight clients call two ``leadsync serve`` worker processes at once with batches that
share a small pool of emails and of ForeignSysPersonIds. Afterwards: one lead per email
and per foreign id, every acknowledged status agrees with the store, and no call failed.
"""

from __future__ import annotations

import http.client
import random
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from leadsync.model import email_key
from leadsync.store import Store
from tests.server import ServerProcess
from tests.soap import read_statuses, sync_request

pytestmark = pytest.mark.e2e

CLIENTS = 8
CALLS_PER_CLIENT = 12
RECORDS_PER_CALL = 40  # 8 x 12 x 40 = 3,840 records
EMAILS = [f"shared{i}@example.com" for i in range(25)]
FOREIGN_IDS = [f"CRM-{i}" for i in range(15)]


@pytest.fixture
def workers(store: Store, db: str) -> Iterator[ServerProcess]:
    running = ServerProcess(db, ("--workers", "2")).start()
    yield running
    running.stop()


def _batch(rng: random.Random, tag: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for i in range(RECORDS_PER_CALL):
        value = {"Company": f"{tag}-{i}"}
        if rng.random() < 0.6:
            email = rng.choice(EMAILS)
            # Case varies: dedup matches emails case-insensitively.
            records.append(
                {"Email": email.upper() if rng.random() < 0.3 else email, "attrs": value}
            )
        else:
            records.append(
                {
                    "ForeignSysPersonId": rng.choice(FOREIGN_IDS),
                    "ForeignSysType": "CUSTOM",
                    "attrs": value,
                }
            )
    return records


def _client(base: str, seed: int, results: list[tuple[list[dict[str, Any]], int, bytes]]) -> None:
    rng = random.Random(seed)
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        for call in range(CALLS_PER_CLIENT):
            records = _batch(rng, f"c{seed}-{call}")
            conn.request(
                "POST",
                parts.path,
                sync_request(records, dedup="true"),
                {"Content-Type": "text/xml; charset=utf-8"},
            )
            response = conn.getresponse()
            results.append((records, response.status, response.read()))
    finally:
        conn.close()


def test_no_duplicates_and_no_failed_call_under_concurrency(
    workers: ServerProcess, store: Store
) -> None:
    results: list[tuple[list[dict[str, Any]], int, bytes]] = []
    threads = [
        threading.Thread(target=_client, args=(workers.endpoint, seed, results))
        for seed in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert len(results) == CLIENTS * CALLS_PER_CLIENT

    leads = {lead.id: lead for lead in store.iter_leads()}
    by_email: dict[str, list[int]] = defaultdict(list)
    by_foreign: dict[str, list[int]] = defaultdict(list)
    for lead in leads.values():
        if lead.email:
            by_email[email_key(lead.email)].append(lead.id)
        if lead.foreign_sys_person_id:
            by_foreign[lead.foreign_sys_person_id].append(lead.id)
    # One lead per email and per foreign id, and no other lead at all.
    assert {k: len(v) for k, v in by_email.items()} == {e: 1 for e in EMAILS if e in by_email}
    assert all(len(v) == 1 for v in by_foreign.values()), by_foreign
    assert len(leads) == len(by_email) + len(by_foreign)

    created: Counter[str] = Counter()
    for records, status, body in results:
        assert status == 200, body
        statuses = read_statuses(body)
        assert len(statuses) == len(records)
        for record, (lead_id, outcome, error) in zip(records, statuses, strict=True):
            assert outcome in ("CREATED", "UPDATED") and error is None, (record, error)
            if "Email" in record:
                key = email_key(record["Email"])
                assert by_email[key] == [lead_id]
            else:
                key = record["ForeignSysPersonId"]
                assert by_foreign[key] == [lead_id]
            if outcome == "CREATED":
                created[key] += 1
    # Every lead was acknowledged as CREATED exactly once.
    assert sorted(created.values()) == [1] * len(leads)
    # Each lead holds a value that some call really sent for it.
    sent: dict[int, set[str]] = defaultdict(set)
    for records, _, body in results:
        for record, (lead_id, _, _) in zip(records, read_statuses(body), strict=True):
            sent[lead_id].add(record["attrs"]["Company"])
    assert all(lead.attributes["Company"] in sent[lead.id] for lead in leads.values())
