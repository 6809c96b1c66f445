"""Run one measurement: the store floor in worker processes, or a real server end to end."""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from benchmarks.workload import REST_CLIENT_ID, REST_SECRET, SECRET, USER, Call
from leadsync.http.server import tune_gc
from leadsync.model import LeadRecord
from leadsync.service.sync import sync_multiple_leads
from leadsync.store import open_store

_TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Result:
    backend: str
    size: int
    mode: str  # "floor", "e2e" (SOAP) or "rest" (the same calls over REST)
    workers: int
    clients: int
    calls: int
    leads: int
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu_us_per_lead: float
    peak_rss_mb: float

    @property
    def leads_per_s(self) -> float:
        return self.leads / self.seconds


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _drive(
    calls: Sequence[Call], clients: int, one: Callable[[int, Call], None]
) -> tuple[float, list[float]]:
    """Run ``calls`` from ``clients`` threads; wall seconds and per-call latencies (ms)."""
    latencies: list[float] = []
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            for call in calls[index::clients]:
                started = time.perf_counter()
                one(index, call)
                latencies.append((time.perf_counter() - started) * 1000)
        except BaseException as exc:  # reported after the run
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started, latencies


def floor(backend: str, db: str, size: int, calls: Sequence[Call], clients: int) -> Result:
    """The same batches straight into service + store (no HTTP, no XML), from
    ``clients`` processes, as ``serve --workers`` runs them: threads of one process
    would measure one interpreter lock, not the store."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(clients + 1)
    answers: multiprocessing.Queue[tuple[list[float], float, float]] = context.Queue()
    shares = [[call.records for call in calls[index::clients]] for index in range(clients)]
    workers = [
        context.Process(target=_floor_worker, args=(db, share, start, answers)) for share in shares
    ]
    for worker in workers:
        worker.start()
    start.wait(timeout=300)  # every process has its store open
    started = time.perf_counter()
    found = [answers.get(timeout=600) for _ in workers]
    seconds = time.perf_counter() - started
    for worker in workers:
        worker.join(60)
        if worker.exitcode != 0:
            raise RuntimeError(f"a floor process failed (exit code {worker.exitcode})")
    latencies = [ms for share_latencies, _, _ in found for ms in share_latencies]
    leads = sum(len(c.records) for c in calls)
    return Result(
        backend,
        size,
        "floor",
        0,
        clients,
        len(calls),
        leads,
        seconds,
        _percentile(latencies, 0.5),
        _percentile(latencies, 0.99),
        sum(cpu for _, cpu, _ in found) / leads * 1e6,
        max(rss for _, _, rss in found),
    )


def _floor_worker(
    db: str,
    batches: Sequence[Sequence[LeadRecord]],
    start: Barrier,
    answers: multiprocessing.Queue[tuple[list[float], float, float]],
) -> None:
    """One floor process: the server's GC settings, its share of the batches, timed."""
    tune_gc()
    store = open_store(db)
    start.wait()
    cpu0 = time.process_time()
    latencies = []
    for records in batches:
        began = time.perf_counter()
        _check(sync_multiple_leads(store, records))
        latencies.append((time.perf_counter() - began) * 1000)
    cpu = time.process_time() - cpu0  # this process's threads: the checkpointer's too
    store.close()
    answers.put((latencies, cpu, _rss_mb([os.getpid()])))


def _check(statuses: Sequence[object]) -> None:
    if any(getattr(s, "status", None) == "FAILED" for s in statuses):
        raise RuntimeError("a benchmark record failed")


def _tree(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        for child in children:
            found.extend(_tree(int(child)))
    return found


def _cpu_seconds(pids: Sequence[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICK


def _rss_mb(pids: Sequence[int], field: str = "VmHWM") -> float:
    """Peak (VmHWM) or current (VmRSS) resident memory of the largest process, in MB."""
    peaks = []
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks)


def soak(db: str, calls: Sequence[Call], clients: int, samples: int = 10) -> list[float]:
    """Resident memory (MB) of a 1-worker server after each tenth of ``calls``: a plateau
    means no leak (the SQLite page cache fills first)."""
    found: list[float] = []
    with _serving(db, 1) as (server, post, _):
        pids = _tree(server.pid)
        step = max(1, len(calls) // samples)
        for start in range(0, len(calls), step):
            _drive(calls[start : start + step], clients, post)
            found.append(_rss_mb(pids, "VmRSS"))
    return found


@contextmanager
def _serving(
    db: str, workers: int, clients: int = 10, source: str | None = None, api: str = "soap"
) -> Iterator[tuple[subprocess.Popen[str], Callable[[int, Call], None], str]]:
    """A real ``leadsync serve`` (info logging, durable commits), a post function and the
    endpoint. ``api``: the calls go as SOAP syncMultipleLeads or as REST createOrUpdate.

    ``source``: another checkout's ``src`` folder to serve instead of this one."""
    env = os.environ | {"PYTHONPATH": source} if source else None
    python = os.environ.get("BENCH_PYTHON", sys.executable)
    # The user is added by the side's own code: this checkout's would migrate its store.
    subprocess.run(
        [python, "-m", "leadsync", "users", "add", USER, "--secret", SECRET, "--db", db],
        env=env,
        check=True,
        capture_output=True,
    )
    if api == "rest":
        subprocess.run(
            [python, "-m", "leadsync", "rest-clients", "add", "bench", "--client-id",
             REST_CLIENT_ID, "--client-secret", REST_SECRET, "--db", db],
            env=env,
            check=True,
            capture_output=True,
        )  # fmt: skip
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
            str(workers),
            "--max-clock-skew",
            "0",
            "--log-level",
            "info",
            *os.environ.get("BENCH_SERVE_ARGS", "").split(),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert server.stdout is not None
    endpoint = ""
    for line in server.stdout:
        if line.startswith("endpoint:"):
            endpoint = line.split()[1]
        if line.startswith("users:"):
            break
    threading.Thread(target=lambda: [None for _ in server.stdout or ()], daemon=True).start()
    parts = urlsplit(endpoint)
    connections = [
        http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=120)
        for _ in range(clients)
    ]

    headers = {"Content-Type": "text/xml"}
    path = parts.path
    if api == "rest":
        conn = connections[0]
        query = urlencode(
            {"grant_type": "client_credentials", "client_id": REST_CLIENT_ID,
             "client_secret": REST_SECRET}
        )  # fmt: skip
        conn.request("GET", f"/identity/oauth/token?{query}")
        token = json.loads(conn.getresponse().read())["access_token"]
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        path = "/rest/v1/leads.json"

    def post(index: int, call: Call) -> None:
        conn = connections[index]
        conn.request("POST", path, call.json if api == "rest" else call.envelope, headers)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200 or b"FAILED" in body or b'"skipped"' in body:
            at = max(body.find(b"FAILED"), body.find(b"skipped"), 0)
            raise RuntimeError(f"call failed: {response.status} {body[at - 100 : at + 200]!r}")

    try:
        yield server, post, endpoint
    finally:
        for conn in connections:
            conn.close()
        server.terminate()
        server.wait(30)


def end_to_end(
    backend: str,
    db: str,
    size: int,
    calls: Sequence[Call],
    clients: int,
    workers: int,
    source: str | None = None,
    api: str = "soap",
) -> Result:
    """A real server and ``clients`` keep-alive clients, over SOAP or REST (``api``);
    the first call of each is a warm-up, not measured."""
    with _serving(db, workers, clients, source, api) as (server, post, _):
        for index in range(clients):
            post(index, calls[index])
        measured = calls[clients:]
        pids = _tree(server.pid)
        cpu0 = _cpu_seconds(pids)
        seconds, latencies = _drive(measured, clients, post)
        cpu = _cpu_seconds(pids) - cpu0
        rss = _rss_mb(pids)
    leads = sum(len(c.records) for c in measured)
    return Result(
        backend,
        size,
        "e2e" if api == "soap" else "rest",
        workers,
        clients,
        len(measured),
        leads,
        seconds,
        _percentile(latencies, 0.5),
        _percentile(latencies, 0.99),
        cpu / leads * 1e6,
        rss,
    )
