"""``make bench-compare OTHER=DIR``: this checkout against another one, side by side.

This VM's speed moves 2 to 3 times between sessions and by tens of percent within
minutes, so a change is measured against its parent in one run: the same seeded SQLite
store (copied fresh for every measurement), the same calls, the two servers taking turns,
round after round (each going first in every other round); the medians are compared.
DIR is another checkout, e.g. made with ``git worktree add /tmp/base HEAD~1``; its
``src`` is served with this checkout's interpreter and dependencies.

Environment: COMPARE_ROUNDS (default 3), COMPARE_CALLS (calls per measurement, 150),
COMPARE_SIZE (leads in the store, 1,000,000), COMPARE_ROWS (workers x clients, "1x1,2x2").
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.bench import calibration
from benchmarks.measure import Result, end_to_end
from benchmarks.workload import calls

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    other = Path(sys.argv[1]).resolve()
    if not (other / "src" / "leadsync").is_dir():
        sys.exit(f"{other} is not a leadsync checkout (no src/leadsync)")
    rounds = int(os.environ.get("COMPARE_ROUNDS", "3"))
    count = int(os.environ.get("COMPARE_CALLS", "150"))
    size = int(os.environ.get("COMPARE_SIZE", "1000000"))
    rows = [
        tuple(int(n) for n in row.split("x"))
        for row in os.environ.get("COMPARE_ROWS", "1x1,2x2").split(",")
    ]
    sides = {"this": str(ROOT / "src"), "other": str(other / "src")}
    for source in sides.values():  # each side must serve its own code
        served = subprocess.run(
            [sys.executable, "-c", "import leadsync; print(leadsync.__file__)"],
            env=os.environ | {"PYTHONPATH": source},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        if not served.startswith(source):
            sys.exit(f"PYTHONPATH={source} still imports {served.strip()}")
    print(calibration(), flush=True)
    found: dict[tuple[str, int, int], list[Result]] = {}
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        # Each side seeds its own store: its schema is the one its code migrates to.
        seeded = {side: Path(tmp) / f"seeded-{side}.db" for side in sides}
        for side, source in sides.items():
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    f"from benchmarks.seed import seed; seed({str(seeded[side])!r}, {size})",
                ],
                env=os.environ | {"PYTHONPATH": f"{source}{os.pathsep}{ROOT}"},
                cwd=ROOT,
                check=True,
            )
        for round_ in range(rounds):
            for workers, clients in rows:
                batches = calls(count + clients, size, run=f"c{round_}w{workers}c{clients}")
                # Sides alternate who goes first, so neither gains from going second.
                order = list(sides.items())
                for side, source in order if round_ % 2 == 0 else order[::-1]:
                    db = Path(tmp) / f"{side}.db"
                    shutil.copy(seeded[side], db)
                    result = end_to_end("sqlite", str(db), size, batches, clients, workers, source)
                    for suffix in ("", "-wal", "-shm", ".lock"):
                        Path(f"{db}{suffix}").unlink(missing_ok=True)
                    found.setdefault((side, workers, clients), []).append(result)
                    print(
                        f"round {round_ + 1} {side:5} w={workers} c={clients} "
                        f"{result.leads_per_s:8,.0f} leads/s p50 {result.p50_ms:6.1f} "
                        f"p99 {result.p99_ms:6.1f} ms",
                        flush=True,
                    )
    print(
        f"\nmedians of {rounds} rounds, {count} calls each, {size:,} leads, SQLite "
        f"(this: {ROOT}, other: {other})\n"
        "| side | workers | clients | leads/s | p50 ms | p99 ms | server CPU us/lead |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    for (side, workers, clients), results in found.items():
        print(
            f"| {side} | {workers} | {clients} "
            f"| {statistics.median(r.leads_per_s for r in results):,.0f} "
            f"| {statistics.median(r.p50_ms for r in results):.1f} "
            f"| {statistics.median(r.p99_ms for r in results):.1f} "
            f"| {statistics.median(r.cpu_us_per_lead for r in results):.1f} |"
        )


if __name__ == "__main__":
    main()
