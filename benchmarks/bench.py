"""``make bench``: leadsync end to end against its own store floor, in one run.

For each back end (SQLite, PostgreSQL) and store size (0, 100,000, 1,000,000 leads by
default): seed a fresh store in bulk, then measure
- the store floor: the batches applied straight to service + store (no HTTP, no XML);
- end to end: a real ``leadsync serve`` with 1 and 2 workers, 2 keep-alive clients;
- the same calls over REST (createOrUpdate of 300 leads), 1 worker, 2 clients;
- at the largest size also 1 client (latency) and 10 clients (memory with 10 in flight).
Results go to docs/performance/results.json, a plot to docs/performance/leads_per_s.png,
and the table into docs/performance.md between its results markers.

Last, a soak: BENCH_SOAK_CALLS calls (default 2,000) against one server, its resident
memory sampled after each tenth of them.

Environment: BENCH_SIZES (e.g. "0,100000"), BENCH_CALLS (calls per measurement, default
100), BENCH_BACKENDS ("sqlite,postgres"), LEADSYNC_TEST_PG (the PostgreSQL server),
BENCH_SERVE_ARGS (extra ``leadsync serve`` flags, e.g. "--emulate-limits ..."),
BENCH_PYTHON (the interpreter that runs the server: another checkout's venv, to compare
two versions side by side).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from urllib.parse import quote

import psycopg

from benchmarks.measure import Result, end_to_end, floor, soak
from benchmarks.seed import seed
from benchmarks.workload import calls

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "performance"
DOC = ROOT / "docs" / "performance.md"
PG_URL = os.environ.get("LEADSYNC_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
LATENCY_CALLS = 4  # the one-client row runs this many times BENCH_CALLS


@contextmanager
def fresh_db(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
            yield str(Path(tmp) / "bench.db")
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}?options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def _log(result: Result) -> None:
    print(
        f"{result.backend:8} {result.size:>9,} {result.mode:5} w={result.workers} "
        f"c={result.clients:<2} {result.leads_per_s:>9,.0f} leads/s  p50 {result.p50_ms:6.1f}"
        f" ms  p99 {result.p99_ms:6.1f} ms  cpu {result.cpu_us_per_lead:5.1f} us/lead"
        f"  rss {result.peak_rss_mb:5.0f} MB",
        flush=True,
    )


def run(backends: list[str], sizes: list[int], count: int) -> list[Result]:
    results: list[Result] = []
    for backend in backends:
        for size in sizes:
            with fresh_db(backend) as db:
                started = time.perf_counter()
                seed(db, size)
                print(
                    f"seeded {backend} with {size:,} leads in "
                    f"{time.perf_counter() - started:.1f} s",
                    flush=True,
                )
                # (mode, workers, clients, calls as a multiple of BENCH_CALLS); "rest":
                # the same calls as REST createOrUpdate, beside SOAP's 1-worker row.
                plan = [
                    ("floor", 0, 2, 1), ("e2e", 1, 2, 1), ("rest", 1, 2, 1), ("e2e", 2, 2, 1)
                ]  # fmt: skip
                if size == max(sizes):
                    # The latency row: a p99 of 100 calls would be their second slowest.
                    plan += [("e2e", 1, 1, LATENCY_CALLS), ("e2e", 1, 10, 1)]
                for n, (mode, workers, clients, times) in enumerate(plan):
                    batches = calls(count * times + clients, size, run=f"r{n}")
                    result = (
                        floor(backend, db, size, batches[clients:], clients)
                        if mode == "floor"
                        else end_to_end(
                            backend, db, size, batches, clients, workers,
                            api="rest" if mode == "rest" else "soap",
                        )  # fmt: skip
                    )
                    _log(result)
                    results.append(result)
    return results


def _versions() -> str:
    import lxml.etree
    import starlette
    import uvicorn

    sqlite = __import__("sqlite3").sqlite_version
    with psycopg.connect(PG_URL) as conn:
        pg = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = int(Path("/proc/meminfo").read_text().split()[1]) // (1024 * 1024)
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory} GiB, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, SQLite {sqlite}, "
        f"PostgreSQL {pg}, lxml {lxml.etree.__version__}, starlette {starlette.__version__}, "
        f"uvicorn {uvicorn.__version__}, psycopg {psycopg.__version__}"
    )


def calibration() -> str:
    """How fast this machine is today: the same VM has run 2 to 3 times slower from one
    session to the next, so results are only comparable with this figure beside them."""
    loop = min(_timed(_count) for _ in range(5))

    def overwrite_and_sync() -> None:
        os.pwrite(fd, block, 0)
        os.fdatasync(fd)

    block = b"x" * 1_300_000  # a 300-lead call's WAL frames at 1,000,000 leads
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        fd = os.open(Path(tmp) / "sync", os.O_CREAT | os.O_WRONLY, 0o600)
        try:
            overwrite_and_sync()
            syncs = sorted(_timed(overwrite_and_sync) for _ in range(21))
        finally:
            os.close(fd)
    return (
        f"calibration: a 1,000,000-step Python loop in {loop:.0f} ms (best of 5), "
        f"overwrite + fdatasync of 1.3 MB in {syncs[10]:.1f} ms (median of 21)"
    )


def _count() -> int:
    total = 0
    for step in range(1_000_000):
        total += step
    return total


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def _table(results: list[Result]) -> str:
    floors = {(r.backend, r.size): r.leads_per_s for r in results if r.mode == "floor"}
    lines = [
        "| store | leads | run | workers | clients | leads/s | p50 ms | p99 ms "
        "| server CPU us/lead | peak RSS MB | vs floor |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        ratio = r.leads_per_s / floors[(r.backend, r.size)]
        lines.append(
            f"| {r.backend} | {r.size:,} | {r.mode} | {r.workers or '-'} | {r.clients} "
            f"| {r.leads_per_s:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} "
            f"| {r.cpu_us_per_lead:.1f} | {r.peak_rss_mb:.0f} "
            f"| {'-' if r.mode == 'floor' else f'{ratio:.2f}'} |"
        )
    return "\n".join(lines)


def _plot(results: list[Result], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted({r.size for r in results})
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for backend in sorted({r.backend for r in results}):
        for mode, workers, style in (("floor", 0, "--"), ("e2e", 1, "-"), ("e2e", 2, ":")):
            points = {
                r.size: r.leads_per_s
                for r in results
                if (r.backend, r.mode, r.workers, r.clients) == (backend, mode, workers, 2)
            }
            if points:
                what = "store floor" if mode == "floor" else f"end to end, {workers} worker(s)"
                label = f"{backend} {what}"
                ax.plot(
                    [sizes.index(s) for s in points],
                    list(points.values()),
                    style,
                    marker="o",
                    label=label,
                )
    ax.set_xticks(range(len(sizes)), [f"{s:,}" for s in sizes])
    ax.set_xlabel("leads in the store")
    ax.set_ylabel("leads/s (2 clients, 300 leads a call)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    backends = os.environ.get("BENCH_BACKENDS", "sqlite,postgres").split(",")
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "0,100000,1000000").split(",")]
    count = int(os.environ.get("BENCH_CALLS", "100"))
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    machine_speed = calibration()
    print(machine_speed, flush=True)
    results = run(backends, sizes, count)
    soak_calls = int(os.environ.get("BENCH_SOAK_CALLS", "2000"))
    memory = ""
    if soak_calls:
        with fresh_db("sqlite") as db:
            seed(db, 100_000)
            rss = soak(db, calls(soak_calls, 100_000, run="soak"), 2)
        memory = (
            f"Memory over a long run (SQLite, 100,000 leads to start, 1 worker, 2 clients, "
            f"{soak_calls} calls = {soak_calls * 300:,} leads): resident MB after each tenth: "
            + ", ".join(f"{mb:.0f}" for mb in rss)
            + "."
        )
        print(memory, flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    machine = f"{_versions()}; {machine_speed}"
    (OUT / "results.json").write_text(
        json.dumps(
            {
                "machine": machine,
                "commit": commit,
                "calls": count,
                "results": [asdict(r) | {"leads_per_s": r.leads_per_s} for r in results],
            },
            indent=1,
        )
    )
    _plot(results, OUT / "leads_per_s.png")
    section = (
        f"{BEGIN}\nMeasured {time.strftime('%Y-%m-%d')} at commit `{commit}` with "
        f"`make bench` ({count} calls of 300 leads per row, {count * LATENCY_CALLS} in the "
        f"one-client row):\n{machine}.\n\n"
        f"{_table(results)}\n\n{memory}\n\n"
        f"![leads/s against store size](performance/leads_per_s.png)\n{END}"
    )
    text = DOC.read_text() if DOC.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    DOC.write_text(head + section + tail)
    print(_table(results))


if __name__ == "__main__":
    main()
