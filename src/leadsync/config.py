"""One typed settings object, built once at start from flags and environment."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from leadsync.limits import LimitSettings

DEFAULT_DB = "./leadsync.db"
DEFAULT_MAX_CLOCK_SKEW = 900
DEFAULT_MAX_BATCH = 300
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
DEFAULT_POOL_SIZE = 10
DEFAULT_MAX_ATTRIBUTES = 1000
DEFAULT_MAX_UPDATE_WINDOW_DAYS = 30  # Marketo's LastUpdateAtSelector limit (fault 20022)


@dataclass(frozen=True, slots=True)
class Settings:
    db: str = DEFAULT_DB
    max_clock_skew: int = DEFAULT_MAX_CLOCK_SKEW  # seconds; 0 turns the check off
    max_batch: int = DEFAULT_MAX_BATCH  # lead records per syncMultipleLeads call
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_attributes: int = DEFAULT_MAX_ATTRIBUTES  # per lead record (the record fails beyond)
    pool_size: int = DEFAULT_POOL_SIZE  # PostgreSQL connections per process
    emulate_limits: bool = False  # Marketo's rate, concurrency and daily limits
    limits: LimitSettings = field(default_factory=LimitSettings)
    secrets_file: str | None = None  # user keys kept outside the store
    max_update_window_days: int = DEFAULT_MAX_UPDATE_WINDOW_DAYS  # 0: no limit

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Settings:
        return cls(**{**data, "limits": LimitSettings(**data["limits"])})

    def __post_init__(self) -> None:
        for name in (
            "max_clock_skew",
            "max_batch",
            "max_body_bytes",
            "pool_size",
            "max_attributes",
            "max_update_window_days",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if min(self.max_batch, self.max_body_bytes, self.pool_size) < 1:
            raise ValueError("max_batch, max_body_bytes and pool_size must be at least 1")
