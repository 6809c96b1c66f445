"""How many cases each property test generates, by ``HYPOTHESIS_PROFILE``: ``quick``
(``make test-fast``), the default (``make test``) or ``fuzz`` (``make fuzz``: 20,000)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")


def cases(default: int) -> settings:
    """Hypothesis settings for a test that makes ``default`` cases under ``make test``."""
    count = {"fuzz": 20_000, "quick": max(10, default // 10)}.get(PROFILE, default)
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
