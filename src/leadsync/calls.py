"""What one call did (``CallRecord``), and the clock calls are timed and checked by.

The wire layer fills a record for every call; the call log line and the Prometheus
metrics (``http/metrics.py``) are both made from it, so the two cannot disagree. Neither
ever holds a key, a signature or a lead's values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class CallRecord:
    """What one call did: the log line and the metrics are made from this."""

    operation: str = "-"
    instance: str = "-"
    user: str = "-"
    records: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    fault: int | None = None
    seconds: float = 0.0
    upstream: list[str] = field(default_factory=list)  # relay mode: the upstream's requestIds
