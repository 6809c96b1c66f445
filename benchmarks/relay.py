"""``make bench-relay``: what relay mode costs, side by side, and whether it sustains the
upstream's rate.

An upstream (a real 1-worker ``leadsync serve`` on a SQLite store of RELAY_LEADS leads,
default 100,000) and a relay (a real 1-worker ``leadsync serve --upstream`` in front of
it, its limits lifted for the first part) run on this machine. Then, over one keep-alive
HTTP client each:

- RELAY_CALLS (100) pairs of 300-lead calls, interleaved: a REST createOrUpdate straight
  to the upstream, then a SOAP syncMultipleLeads of other leads of the same shape through
  the relay. The relay's overhead is its p50 minus the upstream's p50 (the issue asks
  <= 5 ms per 300-lead call).
- A relay with the upstream's default limits (100 calls / 20 s) and 4 SOAP clients
  sending 1-lead calls for RELAY_SUSTAIN_S seconds (45): calls answered in each 20 s from
  the first (the issue asks the full 100), and how many were refused 20023 after waiting
  --upstream-wait.
"""

from __future__ import annotations

import http.client
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.bench import calibration
from benchmarks.measure import _serving
from benchmarks.seed import seed
from benchmarks.workload import REST_CLIENT_ID, REST_SECRET, _envelope, calls

SUSTAIN_CLIENTS = 4


def _relay_args(base: str, secret: Path, *limits: str) -> str:
    return " ".join(
        [
            "--upstream", base,
            "--upstream-client-id", REST_CLIENT_ID,
            "--upstream-client-secret-file", str(secret),
            *limits,
        ]
    )  # fmt: skip


def overhead(tmp: Path, size: int, count: int) -> dict[str, float]:
    upstream_db = str(tmp / "upstream.db")
    seed(upstream_db, size)
    secret = tmp / "secret"
    secret.write_text(REST_SECRET)
    direct = calls(count + 1, size, run="direct")
    relayed = calls(count + 1, size, run="relayed")
    with _serving(upstream_db, 1, 1, api="rest") as (_, post_rest, endpoint):
        base = endpoint.rsplit("/soap/", 1)[0]
        limits = ("--upstream-rate-limit", "100000", "--upstream-concurrency", "100")
        os.environ["BENCH_SERVE_ARGS"] = _relay_args(base, secret, *limits)
        try:
            with _serving(str(tmp / "relay.db"), 1, 1) as (_, post_soap, _):
                post_rest(0, direct[0])  # warm-ups
                post_soap(0, relayed[0])
                rest_ms, soap_ms = [], []
                for a, b in zip(direct[1:], relayed[1:], strict=True):
                    started = time.perf_counter()
                    post_rest(0, a)
                    rest_ms.append((time.perf_counter() - started) * 1000)
                    started = time.perf_counter()
                    post_soap(0, b)
                    soap_ms.append((time.perf_counter() - started) * 1000)
        finally:
            del os.environ["BENCH_SERVE_ARGS"]
    upstream_p50 = statistics.median(rest_ms)
    relay_p50 = statistics.median(soap_ms)
    return {
        "upstream_p50_ms": upstream_p50,
        "relay_p50_ms": relay_p50,
        "overhead_ms": relay_p50 - upstream_p50,
    }


def sustain(tmp: Path, seconds: float) -> dict[str, Any]:
    upstream_db = str(tmp / "upstream2.db")
    seed(upstream_db, 0)
    secret = tmp / "secret"
    body = _envelope(["s@bench.example"], [{"FirstName": "Sam"}])
    with _serving(upstream_db, 1, 1, api="rest") as (_, _, endpoint):
        base = endpoint.rsplit("/soap/", 1)[0]
        os.environ["BENCH_SERVE_ARGS"] = _relay_args(base, secret)
        try:
            with _serving(str(tmp / "relay2.db"), 1, SUSTAIN_CLIENTS) as (_, _, relay):
                answered: list[float] = []
                refused = [0]
                lock = threading.Lock()
                stop = time.monotonic() + seconds
                host, port = relay.split("//", 1)[1].split("/", 1)[0].split(":")

                def client() -> None:
                    conn = http.client.HTTPConnection(host, int(port), timeout=60)
                    while time.monotonic() < stop:
                        conn.request("POST", "/soap/mktows/2_2", body, {"Content-Type": "text/xml"})
                        response = conn.getresponse()
                        answer = response.read()
                        with lock:
                            if response.status == 200:
                                answered.append(time.monotonic())
                            elif b"20023" in answer or b"20024" in answer:
                                refused[0] += 1
                            else:
                                raise RuntimeError(answer[:300])
                    conn.close()

                threads = [threading.Thread(target=client) for _ in range(SUSTAIN_CLIENTS)]
                started = time.monotonic()
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                elapsed = time.monotonic() - started
        finally:
            del os.environ["BENCH_SERVE_ARGS"]
    # Calls answered in each 20 s from the first answer: the upstream's 100 each, when
    # the relay sustains its rate. (The pacer counts a call when it starts upstream; an
    # answer comes a few ms later, so a window slid over answer times may hold a few more.)
    first = min(answered, default=started)
    windows = [0] * (int((max(answered, default=first) - first) // 20) + 1)
    for moment in answered:
        windows[int((moment - first) // 20)] += 1
    return {
        "seconds": elapsed,
        "answered": len(answered),
        "windows": windows,
        "refused": refused[0],
    }


def main() -> None:
    size = int(os.environ.get("RELAY_LEADS", "100000"))
    count = int(os.environ.get("RELAY_CALLS", "100"))
    seconds = float(os.environ.get("RELAY_SUSTAIN_S", "45"))
    print(calibration(), flush=True)
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        found = overhead(Path(tmp), size, count)
        print(
            f"300-lead calls at {size:,} leads, {count} each: upstream REST p50"
            f" {found['upstream_p50_ms']:.1f} ms, through the relay (SOAP) p50"
            f" {found['relay_p50_ms']:.1f} ms, overhead {found['overhead_ms']:.1f} ms",
            flush=True,
        )
        rate = sustain(Path(tmp), seconds)
        print(
            f"sustained: {rate['answered']} SOAP calls answered in {rate['seconds']:.1f} s,"
            f" per 20 s from the first: {rate['windows']}; {rate['refused']} refused"
            " 20023/20024 after waiting",
            flush=True,
        )


if __name__ == "__main__":
    main()
