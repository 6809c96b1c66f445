"""Membership is a set under concurrency: 8 clients through 2 ``leadsync serve`` workers
add the same leads to one list at once (and some remove them), on both stores; every
lead ends a member once, with exactly one Add to List activity per time it became one."""

from __future__ import annotations

import http.client
import threading
from collections import Counter
from urllib.parse import urlsplit

import pytest
from lxml import etree

from leadsync.activities import ADD_TO_LIST, REMOVE_FROM_LIST
from leadsync.store import Store
from tests.server import ServerProcess, post
from tests.soap import envelope, read_statuses, sync_request

pytestmark = pytest.mark.e2e

CLIENTS = 8
ROUNDS = 10
LEADS = 40


def _operate(operation: str, ids: list[int]) -> bytes:
    keys = "".join(
        f"<leadKey><keyType>IDNUM</keyType><keyValue>{i}</keyValue></leadKey>" for i in ids
    )
    return envelope(
        f"<ns1:paramsListOperation><listOperation>{operation}</listOperation>"
        "<listKey><keyType>MKTOLISTNAME</keyType><keyValue>Race</keyValue></listKey>"
        f"<listMemberList>{keys}</listMemberList></ns1:paramsListOperation>"
    )


def _client(endpoint: str, ids: list[int], remove: bool, answers: list[bool]) -> None:
    parts = urlsplit(endpoint)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        for round_ in range(ROUNDS):
            operation = "REMOVEFROMLIST" if remove and round_ % 2 else "ADDTOLIST"
            tree = etree.fromstring(post(conn, parts.path, _operate(operation, ids)))
            answers.append(tree.findtext(".//success") == "true")
        # every client ends by adding: all leads end as members
        tree = etree.fromstring(post(conn, parts.path, _operate("ADDTOLIST", ids)))
        answers.append(tree.findtext(".//success") == "true")
    finally:
        conn.close()


def test_concurrent_adds_make_one_membership_and_one_activity_each(
    two_workers: ServerProcess, store: Store
) -> None:
    list_id = store.add_list("default", "Race", None, 1)
    parts = urlsplit(two_workers.endpoint)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    records = [{"Email": f"race{i}@x.com"} for i in range(LEADS)]
    ids = [
        lead_id for lead_id, _, _ in read_statuses(post(conn, parts.path, sync_request(records)))
    ]
    conn.close()
    answers: list[bool] = []
    clients = [
        threading.Thread(target=_client, args=(two_workers.endpoint, ids, i % 4 == 0, answers))
        for i in range(CLIENTS)
    ]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(timeout=300)
    assert len(answers) == CLIENTS * (ROUNDS + 1)
    assert store.members_of(list_id, ids) == set(ids)
    assert store.list_size(list_id) == LEADS
    for lead_id in ids:
        kinds = Counter(a.kind for a in store.iter_activities("default", lead_id))
        # each removal ended a membership that one add began, and the lead ends a member
        assert kinds[ADD_TO_LIST.id] == kinds[REMOVE_FROM_LIST.id] + 1, lead_id
