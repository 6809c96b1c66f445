"""``.venv/bin/python -m benchmarks.bulk``: REST Bulk Lead Extract at size.

A store gets BULK_LEADS leads (default 1,000,000; 5 attributes each, one created every
2 seconds from 2026-01-01, so 100,000 of them fall in the first 200,000 s) written
straight through SQL; then a real 1-worker ``leadsync serve`` runs, over one keep-alive
HTTP client:

- an export of the first 100,000 leads, then BULK_ROUNDS (2) exports of all of them,
  of id, email, firstName, lastName, company, phone, title: seconds from enqueue to
  Completed (polled every 20 ms), leads per second of CSV;
- each file downloaded (streamed, its SHA-256 checked against fileChecksum): MB/s;
- the server's peak resident memory (VmHWM) after start-up and after each export and
  download: flat memory means the same peak after 100,000 and 1,000,000 leads.

BULK_BACKENDS narrows it (default "sqlite,postgres"; PostgreSQL at BENCH_PG).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson
import psycopg

from benchmarks.bench import calibration
from benchmarks.seed import insert_all
from benchmarks.workload import attributes, seed_email
from leadsync.identity import RestClient, hash_secret
from leadsync.store import open_store

PG_URL = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
CLIENT_ID = "bench-bulk-client"
SECRET = "bench-bulk-secret"
DAY0 = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z, in microseconds
STEP_US = 2_000_000  # one lead created every 2 s
FIELDS = ["id", "email", "firstName", "lastName", "company", "phone", "title"]
_COLUMNS = "id, email, email_key, attrs, created_at, updated_at"


def _rows(size: int) -> Iterator[tuple[object, ...]]:
    for i in range(size):
        email = seed_email(i)
        moment = DAY0 + i * STEP_US
        yield (i + 1, email, email, orjson.dumps(attributes(i)).decode(), moment, moment)


def fill(db: str, size: int) -> None:
    """A migrated store with ``size`` leads and the benchmark's REST client."""
    store = open_store(db)
    try:
        store.add_rest_client(RestClient("bench", CLIENT_ID, "default", 0, hash_secret(SECRET)))
    finally:
        store.close()
    if db.startswith("postgresql://"):
        with psycopg.connect(db) as pg:
            with pg.cursor() as cur, cur.copy(f"COPY leads ({_COLUMNS}) FROM STDIN") as copy:
                for row in _rows(size):
                    copy.write_row(row)
            pg.execute("SELECT setval('leads_id_seq', %s)", (size,))
            pg.execute("ANALYZE leads")
        return
    insert_all(db, f"INSERT INTO leads ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", _rows(size))


def _iso(microseconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(microseconds // 1_000_000))


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


@contextmanager
def _server(db: str, export_dir: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A real 1-worker ``leadsync serve`` and its base URL."""
    server = subprocess.Popen(
        [
            os.environ.get("BENCH_PYTHON", sys.executable),
            "-m",
            "leadsync",
            "serve",
            "--db",
            db,
            "--port",
            "0",
            "--workers",
            "1",
            "--log-level",
            "warning",
            "--export-dir",
            export_dir,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert server.stdout is not None
    base = ""
    for line in server.stdout:
        if line.startswith("endpoint:"):
            base = line.split()[1].rsplit("/soap/", 1)[0]
        if line.startswith("users:"):
            break
    threading.Thread(target=lambda: [None for _ in server.stdout or ()], daemon=True).start()
    try:
        yield server, base
    finally:
        server.terminate()
        server.wait(30)


def _ok(answer: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = answer.json()
    if answer.status_code != 200 or not body.get("success"):
        raise RuntimeError(f"call failed: {answer.status_code} {answer.text[:300]}")
    job: dict[str, Any] = body["result"][0]
    return job


def export(http: httpx.Client, leads: int) -> dict[str, float]:
    """One export of the first ``leads`` leads: enqueue to Completed, then the download."""
    window = {"startAt": _iso(DAY0), "endAt": _iso(DAY0 + (leads * STEP_US) - 1)}
    body = {"fields": FIELDS, "format": "CSV", "filter": {"createdAt": window}}
    job = _ok(http.post("/bulk/v1/leads/export/create.json", json=body))
    path = f"/bulk/v1/leads/export/{job['exportId']}"
    started = time.perf_counter()
    _ok(http.post(f"{path}/enqueue.json"))
    while True:
        job = _ok(http.get(f"{path}/status.json"))
        if job["status"] in ("Completed", "Failed", "Cancelled"):
            break
        time.sleep(0.02)
    exported = time.perf_counter() - started
    if job["status"] != "Completed" or job["numberOfRecords"] != leads:
        raise RuntimeError(f"the export ended so: {job}")
    digest = hashlib.sha256()
    size = 0
    started = time.perf_counter()
    with http.stream("GET", f"{path}/file.json") as answer:
        for chunk in answer.iter_bytes(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    downloaded = time.perf_counter() - started
    if size != job["fileSize"] or f"sha256:{digest.hexdigest()}" != job["fileChecksum"]:
        raise RuntimeError("the file is not the one the job describes")
    return {
        "seconds": exported,
        "leads_per_s": leads / exported,
        "mb": size / 1e6,
        "download_mb_per_s": size / 1e6 / downloaded,
    }


def measure(db: str, leads: int, rounds: int, export_dir: str) -> list[dict[str, float]]:
    found = []
    with (
        _server(db, export_dir) as (server, base),
        httpx.Client(base_url=base, timeout=600) as http,
    ):
        answer = http.get(
            "/identity/oauth/token",
            params={"grant_type": "client_credentials", "client_id": CLIENT_ID,
                    "client_secret": SECRET},
        )  # fmt: skip
        http.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        start_peak = _peak_mb(server.pid)
        for size in [min(100_000, leads)] + [leads] * rounds:
            result = export(http, size)
            result |= {"leads": size, "start_peak_mb": start_peak, "peak_mb": _peak_mb(server.pid)}
            found.append(result)
    return found


def main() -> None:
    leads = int(os.environ.get("BULK_LEADS", "1000000"))
    rounds = int(os.environ.get("BULK_ROUNDS", "2"))
    backends = os.environ.get("BULK_BACKENDS", "sqlite,postgres").split(",")
    print(calibration(), flush=True)
    print(f"machine: {os.cpu_count()} cores, {sys.version.split()[0]}", flush=True)
    print("| store | leads | enqueue to Completed s | leads/s | file MB | download MB/s "
          "| server peak RSS MB (at start) |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
          flush=True)  # fmt: skip
    for backend in backends:
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
            db = str(Path(tmp) / "bulk.db") if backend == "sqlite" else _pg_schema()
            began = time.perf_counter()
            fill(db, leads)
            filled = time.perf_counter() - began
            for row in measure(db, leads, rounds, str(Path(tmp) / "exports")):
                print(
                    f"| {backend} | {row['leads']:,.0f} | {row['seconds']:.2f} "
                    f"| {row['leads_per_s']:,.0f} | {row['mb']:.1f} "
                    f"| {row['download_mb_per_s']:,.0f} | {row['peak_mb']:.0f} "
                    f"({row['start_peak_mb']:.0f}) |  <!-- store filled in {filled:.0f} s -->",
                    flush=True,
                )


def _pg_schema() -> str:
    schema = f"bench_bulk_{os.getpid()}"
    with psycopg.connect(PG_URL, autocommit=True) as pg:
        pg.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        pg.execute(f"CREATE SCHEMA {schema}")
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


if __name__ == "__main__":
    main()
