"""``python -m benchmarks.decode``: what reading a 300-lead syncMultipleLeads request
costs, before any store: the envelope parsed (wire/envelope.py) and its records decoded
(wire/leads.py, wire/scan.py), median of 500 over 50 different calls of the benchmark's
shape, the cyclic GC off as in a server process. Also the same calls with every record tag
prefixed (a grammar that pairs prefixes) and with an xsi:type on each Email (the tree)."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable

from benchmarks.bench import calibration
from benchmarks.workload import calls
from leadsync.wire.envelope import parse_envelope
from leadsync.wire.leads import sync_multiple_leads

ROUNDS = 500


def median_ms(bodies: list[bytes], read: Callable[[bytes], object]) -> float:
    times = []
    for index in range(ROUNDS):
        body = bodies[index % len(bodies)]
        started = time.perf_counter()
        read(body)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def read(body: bytes) -> object:
    records, _ = sync_multiple_leads(parse_envelope(body), 300)
    assert len(records) == 300
    return records


def main() -> None:
    print(calibration(), flush=True)
    plain = [call.envelope for call in calls(50, 20_000, run="decode")]
    shapes = {
        "plain (the list left out of the parse)": plain,
        "every record tag prefixed (the list left out, its prefixes paired)": [
            body.replace(b"<leadRecordList>", b"<ns1:leadRecordList>")
            .replace(b"</leadRecordList>", b"</ns1:leadRecordList>")
            .replace(b"<leadRecord>", b"<ns1:leadRecord>")
            .replace(b"</leadRecord>", b"</ns1:leadRecord>")
            for body in plain
        ],
        "xsi:type on each Email (the tree)": [
            body.replace(b"<Email>", b'<Email xsi:type="xsd:string">').replace(
                b"<SOAP-ENV:Envelope ",
                b'<SOAP-ENV:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ',
            )
            for body in plain
        ],
    }
    gc.disable()
    for name, bodies in shapes.items():
        print(f"{name}: parse + decode p50 {median_ms(bodies, read):.2f} ms", flush=True)


if __name__ == "__main__":
    main()
