"""No lost merge: 8 clients through 2 ``leadsync serve`` workers merge the same pairs
of leads in both directions at once, on both stores. Of each pair's two merges exactly
one answers MERGED; one lead of the pair remains, holding both leads' values, their
memberships and their activities."""

from __future__ import annotations

import http.client
import threading
from urllib.parse import urlsplit

import pytest
from lxml import etree

from leadsync.store import Store
from tests.server import ServerProcess, post
from tests.soap import envelope, read_statuses, sync_request

pytestmark = pytest.mark.e2e

PAIRS = 24
CLIENTS = 8


def _merge(winner: int, loser: int) -> bytes:
    def keys(lead_id: int) -> str:
        return f"<attribute><attrName>IDNUM</attrName><attrValue>{lead_id}</attrValue></attribute>"

    return envelope(
        f"<ns1:paramsMergeLeads><winningLeadKeyList>{keys(winner)}</winningLeadKeyList>"
        f"<losingLeadKeyLists><keyList>{keys(loser)}</keyList></losingLeadKeyLists>"
        "</ns1:paramsMergeLeads>"
    )


def _client(
    endpoint: str, merges: list[tuple[int, int]], answers: dict[tuple[int, int], str]
) -> None:
    parts = urlsplit(endpoint)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        for winner, loser in merges:
            tree = etree.fromstring(post(conn, parts.path, _merge(winner, loser)))
            answers[(winner, loser)] = tree.findtext(".//status") or ""
    finally:
        conn.close()


def test_merges_of_the_same_pairs_at_once_lose_nothing(
    two_workers: ServerProcess, store: Store
) -> None:
    parts = urlsplit(two_workers.endpoint)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    records = [
        {"Email": f"p{i}@x.com", "attrs": {"FirstName" if i % 2 else "LastName": f"v{i}"}}
        for i in range(2 * PAIRS)
    ]
    ids = [
        lead_id for lead_id, _, _ in read_statuses(post(conn, parts.path, sync_request(records)))
    ]
    conn.close()
    pairs = [(ids[2 * k], ids[2 * k + 1]) for k in range(PAIRS)]
    list_id = store.add_list("default", "Both", None, 1)
    with store.write() as writer:
        writer.add_members(list_id, ids, 1)
    answers: dict[tuple[int, int], str] = {}
    shares: list[list[tuple[int, int]]] = [[] for _ in range(CLIENTS)]
    for k, (a, b) in enumerate(pairs):  # the two directions on different clients
        shares[k % CLIENTS].append((a, b))
        shares[(k + 1) % CLIENTS].append((b, a))
    threads = [
        threading.Thread(target=_client, args=(two_workers.endpoint, share, answers))
        for share in shares
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert len(answers) == 2 * PAIRS
    for a, b in pairs:
        outcomes = sorted([answers[(a, b)], answers[(b, a)]])
        assert outcomes == ["FAILED", "MERGED"], (a, b)
        winner = a if answers[(a, b)] == "MERGED" else b
        [kept] = store.read_leads("default", ids=[a, b])
        assert kept.id == winner
        assert set(kept.attributes.values()) == {f"v{ids.index(a)}", f"v{ids.index(b)}"}
        kinds = [x.kind_info.name for x in store.iter_activities("default", winner)]
        assert kinds.count("New Lead") == 2 and kinds.count("Merge Leads") == 1
    assert store.list_size(list_id) == PAIRS
