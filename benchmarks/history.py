"""``make bench-history``: the history reads at size, and what an activity costs on disk.

A store gets HISTORY_LEADS leads (default 1,000,000) with HISTORY_ACTIVITIES activities
(default 10,000,000: a New Lead and Change Data Values, ~10 a lead), written straight
through SQL as the runs a server writes (store/base.py); then a real 1-worker server answers:

- getLeadChanges from the first activity, batchSize 1000, HISTORY_PAGES pages (200):
  change records per second, end to end (request, query, render, parse);
- getLeadActivity of HISTORY_LOOKUPS random leads (2,000), one client: p50 and p99 ms;

and the bytes per activity: the activities table and its indexes over its rows
(SQLite: the dbstat table; PostgreSQL: pg_total_relation_size). HISTORY_BACKENDS
narrows it (default "sqlite,postgres").
"""

from __future__ import annotations

import http.client
import os
import random
import re
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import orjson
import psycopg

from benchmarks.bench import calibration
from benchmarks.measure import _serving
from benchmarks.seed import insert_all, seed
from benchmarks.workload import SECRET, TIMESTAMP, USER
from leadsync.auth import sign

PG_URL = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
_FIELDS = ("First Name", "Last Name", "Company Name", "Phone Number", "Job Title")


def _runs(leads: int, total: int) -> Iterator[tuple[object, ...]]:
    """(id, instance, lead_id, kind, created_at, n, body) as the server writes them: for
    each lead a New Lead and a run of 5 Change Data Values, then runs of 5 on random
    leads (a sync changing 5 fields), in time order, until ``total`` activities."""
    start = time.time_ns() // 1000 - 20 * 86_400_000_000
    rng = random.Random(3)
    new_lead = orjson.dumps([[None, None, ["Web service API", "Web service API", "2026-11-13"]]])
    last = 0
    i = 0
    while last < total:
        moment = start + i * 100
        lead = i + 1 if i < leads else rng.randrange(leads) + 1
        if i < leads:
            last += 1
            yield (last, "default", lead, 12, moment, 1, new_lead.decode())
        n = min(5, total - last)
        if n <= 0:
            return
        body = orjson.dumps(
            [
                [field, None, [field, f"old value {last + k}", f"new value {last + k}",
                               "SOAP API", "Lead update"]]
                for k, field in enumerate(_FIELDS[:n])
            ]
        ).decode()  # fmt: skip
        last += n
        yield (last, "default", lead, 13, moment, n, body)
        i += 1


def fill(db: str, leads: int, total: int) -> None:
    seed(db, leads)
    columns = "id, instance, lead_id, kind, created_at, n, body"
    if db.startswith("postgresql://"):
        with psycopg.connect(db) as pg:
            with pg.cursor() as cur, cur.copy(f"COPY activities ({columns}) FROM STDIN") as copy:
                for row in _runs(leads, total):
                    copy.write_row(row)
            pg.execute("SELECT setval('activity_ids', %s)", (total,))
            pg.execute("ANALYZE activities")
        return
    insert_all(
        db, f"INSERT INTO activities ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?)", _runs(leads, total)
    )


def bytes_per_activity(db: str) -> float:
    if db.startswith("postgresql://"):
        with psycopg.connect(db) as pg:
            row = pg.execute(
                "SELECT pg_total_relation_size('activities'), sum(n) FROM activities"
            ).fetchone()
        assert row is not None
        return int(row[0]) / int(row[1])
    conn = sqlite3.connect(db)
    size = conn.execute(
        "SELECT sum(pgsize) FROM dbstat WHERE name IN ('activities', 'activities_lead',"
        " 'activities_created')"
    ).fetchone()[0]
    count = conn.execute("SELECT sum(n) FROM activities").fetchone()[0]
    conn.close()
    return int(size) / int(count)


def _envelope(body: str) -> bytes:
    signature = sign(SECRET, TIMESTAMP, USER)
    return (
        '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"'
        ' xmlns:ns1="http://www.marketo.com/mktows/"><SOAP-ENV:Header>'
        f"<ns1:AuthenticationHeader><mktowsUserId>{USER}</mktowsUserId>"
        f"<requestSignature>{signature}</requestSignature>"
        f"<requestTimestamp>{TIMESTAMP}</requestTimestamp></ns1:AuthenticationHeader>"
        f"</SOAP-ENV:Header><SOAP-ENV:Body>{body}</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ).encode()


_OFFSET = re.compile(rb"<offset>([^<]*)</offset>")


def measure(db: str, leads: int, pages: int, lookups: int) -> dict[str, float]:
    with _serving(db, 1, 1) as (_, _post, endpoint):
        conn = _connection(endpoint)
        path = "/soap/mktows/2_2"
        offset = ""
        records = 0
        started = time.perf_counter()
        for _ in range(pages):
            start = f"<offset>{offset}</offset>" if offset else "<offset>ID:0</offset>"
            body = _envelope(
                f"<ns1:paramsGetLeadChanges><startPosition>{start}</startPosition>"
                "<batchSize>1000</batchSize></ns1:paramsGetLeadChanges>"
            )
            answer = _call(conn, path, body)
            records += answer.count(b"<leadChangeRecord>")
            found = _OFFSET.search(answer)
            assert found is not None
            offset = found.group(1).decode()
        streamed = records / (time.perf_counter() - started)
        rng = random.Random(5)
        latencies = []
        for _ in range(lookups):
            lead = rng.randrange(leads) + 1
            body = _envelope(
                "<ns1:paramsGetLeadActivity><leadKey><keyType>IDNUM</keyType>"
                f"<keyValue>{lead}</keyValue></leadKey></ns1:paramsGetLeadActivity>"
            )
            began = time.perf_counter()
            answer = _call(conn, path, body)
            latencies.append((time.perf_counter() - began) * 1000)
            assert b"<activityRecord>" in answer
        latencies.sort()
        conn.close()
    return {
        "records_per_s": streamed,
        "records": records,
        "lookup_p50_ms": statistics.median(latencies),
        "lookup_p99_ms": latencies[int(len(latencies) * 0.99) - 1],
    }


def _connection(endpoint: str) -> http.client.HTTPConnection:
    parts = urlsplit(endpoint)
    return http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=120)


def _call(conn: http.client.HTTPConnection, path: str, body: bytes) -> bytes:
    conn.request("POST", path, body, {"Content-Type": "text/xml"})
    response = conn.getresponse()
    answer = response.read()
    if response.status != 200:
        raise RuntimeError(f"{response.status}: {answer[:300]!r}")
    return answer


def main() -> None:
    leads = int(os.environ.get("HISTORY_LEADS", "1000000"))
    total = int(os.environ.get("HISTORY_ACTIVITIES", "10000000"))
    pages = int(os.environ.get("HISTORY_PAGES", "200"))
    lookups = int(os.environ.get("HISTORY_LOOKUPS", "2000"))
    backends = os.environ.get("HISTORY_BACKENDS", "sqlite,postgres").split(",")
    print(calibration(), flush=True)
    print("| store | activities | getLeadChanges records/s | getLeadActivity p50 ms | p99 ms "
          "| bytes/activity |\n| --- | ---: | ---: | ---: | ---: | ---: |", flush=True)  # fmt: skip
    for backend in backends:
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
            db = str(Path(tmp) / "history.db") if backend == "sqlite" else _pg_schema()
            began = time.perf_counter()
            fill(db, leads, total)
            filled = time.perf_counter() - began
            size = bytes_per_activity(db)
            found = measure(db, leads, pages, lookups)
            print(
                f"| {backend} | {total:,} | {found['records_per_s']:,.0f} "
                f"| {found['lookup_p50_ms']:.2f} | {found['lookup_p99_ms']:.2f} "
                f"| {size:.0f} |  <!-- filled in {filled:.0f} s, {found['records']:,.0f} "
                "records streamed -->",
                flush=True,
            )


def _pg_schema() -> str:
    schema = f"bench_history_{os.getpid()}"
    with psycopg.connect(PG_URL, autocommit=True) as pg:
        pg.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        pg.execute(f"CREATE SCHEMA {schema}")
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


if __name__ == "__main__":
    main()
