"""``make bench-lists``: listOperation and StaticListSelector at size.

A store gets LISTS_LEADS leads (default 1,000,000) and a list of LISTS_MEMBERS of them
(100,000, every tenth lead) written straight through SQL; then a real 1-worker server
answers, over one keep-alive HTTP client:

- listOperation ADDTOLIST of 1,000 IDNUM keys (leads not yet members), LISTS_CALLS
  calls (100): p50 and p99 ms, each call adding 1,000 members and their Add to List
  activities;
- getMultipleLeads with a StaticListSelector, batchSize 1000, paging the whole list
  with its stream positions: leads per second, end to end.

LISTS_BACKENDS narrows it (default "sqlite,postgres").
"""

from __future__ import annotations

import os
import re
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg

from benchmarks.bench import calibration
from benchmarks.history import _call, _connection, _envelope, _pg_schema
from benchmarks.measure import _serving
from benchmarks.seed import insert_all, seed
from leadsync.store import open_store

_POSITION = re.compile(rb"<newStreamPosition>([^<]*)</newStreamPosition>")


def _members(list_id: int, leads: int, members: int) -> Iterator[tuple[object, ...]]:
    step = max(leads // members, 1)
    for i in range(members):
        yield (list_id, 1 + i * step, 0)


def fill(db: str, leads: int, members: int) -> int:
    """The store with its leads and one list ("Big") of ``members`` of them; its id."""
    seed(db, leads)
    store = open_store(db)
    try:
        list_id = store.add_list("default", "Big", None, 0)
    finally:
        store.close()
    insert = "INSERT INTO list_members (list_id, lead_id, added_at) VALUES (?, ?, ?)"
    if db.startswith("postgresql://"):
        with psycopg.connect(db) as pg:
            with pg.cursor() as cur, cur.copy("COPY list_members FROM STDIN") as copy:
                for row in _members(list_id, leads, members):
                    copy.write_row(row)
            pg.execute("ANALYZE list_members")
    else:
        insert_all(db, insert, _members(list_id, leads, members))
    return list_id


def measure(db: str, leads: int, members: int, calls: int) -> dict[str, float]:
    with _serving(db, 1, 1) as (_, _post, endpoint):
        conn = _connection(endpoint)
        path = "/soap/mktows/2_2"
        latencies = []
        step = max(leads // members, 1)
        fresh = (i for i in range(2, leads + 1) if (i - 1) % step)  # not members yet
        for _ in range(calls):
            keys = "".join(
                f"<leadKey><keyType>IDNUM</keyType><keyValue>{next(fresh)}</keyValue></leadKey>"
                for _ in range(1000)
            )
            body = _envelope(
                "<ns1:paramsListOperation><listOperation>ADDTOLIST</listOperation><listKey>"
                "<keyType>MKTOLISTNAME</keyType><keyValue>Big</keyValue></listKey>"
                f"<listMemberList>{keys}</listMemberList></ns1:paramsListOperation>"
            )
            began = time.perf_counter()
            answer = _call(conn, path, body)
            latencies.append((time.perf_counter() - began) * 1000)
            assert b"<success>true</success>" in answer, answer[:300]
        latencies.sort()
        total = members + calls * 1000
        position = ""
        paged = 0
        started = time.perf_counter()
        while True:
            body = _envelope(
                '<ns1:paramsGetMultipleLeads><leadSelector xsi:type="ns1:StaticListSelector"'
                ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><staticListName>Big'
                f"</staticListName></leadSelector>{position}<batchSize>1000</batchSize>"
                "</ns1:paramsGetMultipleLeads>"
            )
            answer = _call(conn, path, body)
            paged += answer.count(b"<leadRecord>")
            found = _POSITION.search(answer)
            if found is None or not found.group(1):
                break
            position = f"<streamPosition>{found.group(1).decode()}</streamPosition>"
        seconds = time.perf_counter() - started
        conn.close()
    assert paged == total, (paged, total)
    return {
        "add_p50_ms": statistics.median(latencies),
        "add_p99_ms": latencies[max(int(len(latencies) * 0.99) - 1, 0)],
        "paged": paged,
        "leads_per_s": paged / seconds,
    }


def main() -> None:
    leads = int(os.environ.get("LISTS_LEADS", "1000000"))
    members = int(os.environ.get("LISTS_MEMBERS", "100000"))
    calls = int(os.environ.get("LISTS_CALLS", "100"))
    backends = os.environ.get("LISTS_BACKENDS", "sqlite,postgres").split(",")
    print(calibration(), flush=True)
    print("| store | leads | list members | ADDTOLIST 1,000 p50 ms | p99 ms "
          "| StaticListSelector leads/s |\n| --- | ---: | ---: | ---: | ---: | ---: |",
          flush=True)  # fmt: skip
    for backend in backends:
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
            db = str(Path(tmp) / "lists.db") if backend == "sqlite" else _pg_schema()
            fill(db, leads, members)
            found = measure(db, leads, members, calls)
            print(
                f"| {backend} | {leads:,} | {members:,} | {found['add_p50_ms']:.1f} "
                f"| {found['add_p99_ms']:.1f} | {found['leads_per_s']:,.0f} |"
                f"  <!-- {found['paged']:,.0f} leads paged -->",
                flush=True,
            )


if __name__ == "__main__":
    main()
