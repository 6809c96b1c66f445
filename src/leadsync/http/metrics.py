"""Prometheus metrics: calls, faults by code, records by status, call latency, calls in
flight.

Each app gets its own registry (no global state between apps in one process). With
``serve --workers N`` the parent sets ``PROMETHEUS_MULTIPROC_DIR`` before the workers
start, every worker writes its samples there, and ``/metrics`` from any worker reports
the sum over all of them (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from leadsync.calls import CallRecord

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._calls = Counter(
            "leadsync_calls", "SOAP calls answered", ["operation"], registry=self.registry
        )
        self._faults = Counter(
            "leadsync_faults",
            "SOAP faults returned, by Marketo code",
            ["code"],
            registry=self.registry,
        )
        self._records = Counter(
            "leadsync_records",
            "Lead records processed, by sync status",
            ["status"],
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "leadsync_calls_in_flight",
            "SOAP calls received and not yet answered (their bodies may still be arriving)",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self._upstream_calls = Counter(
            "leadsync_upstream_calls",
            "Relay mode: calls made on the upstream's REST API, by outcome (ok, retried, error)",
            ["outcome"],
            registry=self.registry,
        )
        self._upstream_latency = Histogram(
            "leadsync_upstream_call_duration_seconds",
            "Relay mode: time the upstream took to answer a call",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._latency = Histogram(
            "leadsync_call_duration_seconds",
            "Time to answer a SOAP call",
            ["operation"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )

    def observe(self, call: CallRecord) -> None:
        self._calls.labels(call.operation).inc()
        self._latency.labels(call.operation).observe(call.seconds)
        if call.fault is not None:
            self._faults.labels(str(call.fault)).inc()
        for status, count in call.statuses.items():
            self._records.labels(status).inc(count)

    def observe_upstream(self, seconds: float, outcome: str) -> None:
        self._upstream_calls.labels(outcome).inc()
        self._upstream_latency.observe(seconds)

    def render(self) -> bytes:
        if os.environ.get(MULTIPROCESS_ENV):
            merged = CollectorRegistry()
            MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
            return generate_latest(merged)
        return generate_latest(self.registry)
