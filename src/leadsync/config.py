"""One typed settings object, built once at start from flags and environment."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_DB = "./leadsync.db"
DEFAULT_MAX_CLOCK_SKEW = 900
DEFAULT_MAX_BATCH = 300
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
DEFAULT_POOL_SIZE = 10


@dataclass(frozen=True, slots=True)
class Settings:
    db: str = DEFAULT_DB
    max_clock_skew: int = DEFAULT_MAX_CLOCK_SKEW  # seconds; 0 turns the check off
    max_batch: int = DEFAULT_MAX_BATCH  # lead records per syncMultipleLeads call
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    pool_size: int = DEFAULT_POOL_SIZE  # PostgreSQL connections per process

    def __post_init__(self) -> None:
        for name in ("max_clock_skew", "max_batch", "max_body_bytes", "pool_size"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if min(self.max_batch, self.max_body_bytes, self.pool_size) < 1:
            raise ValueError("max_batch, max_body_bytes and pool_size must be at least 1")
