"""One typed settings object, built once at start from flags and environment.

Each setting is declared once, here (and the limits in ``limits.py``): its type,
default, bounds and help text. ``leadsync serve`` makes its command-line options from
these declarations (``--max-batch``, env ``LEADSYNC_MAX_BATCH``; ``options.py``), so the
options, their help and the settings cannot drift apart; a value out of bounds stops the
start with a clear message.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from leadsync.limits import LimitSettings
from leadsync.options import check_bounds, setting
from leadsync.relay_settings import RelaySettings

DEFAULT_DB = "./leadsync.db"


@dataclass(frozen=True, slots=True)
class Settings:
    db: str = DEFAULT_DB
    max_clock_skew: int = setting(
        900,
        "max-clock-skew",
        "Seconds a requestTimestamp may differ from the server clock (fault 20016 "
        "beyond); 0 turns the check off.",
        0,
    )
    max_batch: int = setting(
        300,
        "max-batch",
        "Most lead records in one syncMultipleLeads call (fault 20110 beyond).",
        1,
    )
    max_body_bytes: int = setting(
        8 * 1024 * 1024, "max-body-bytes", "Largest request body accepted (fault 20012 beyond).", 1
    )
    max_attributes: int = setting(
        1000, "max-attributes", "Most attributes in one lead record (that record fails beyond).", 1
    )
    max_update_window_days: int = setting(
        30,
        "max-update-window-days",
        "Longest oldestUpdatedAt-to-latestUpdatedAt span of a getMultipleLeads "
        "LastUpdateAtSelector (to now without latestUpdatedAt), as Marketo (fault 20022 "
        "beyond); 0 lifts the limit.",
        0,
    )
    activity_retention_days: int = setting(
        0,
        "activity-retention-days",
        "Delete activities older than this many days, in the background, in small batches "
        "that never hold writers back; 0 keeps everything.",
        0,
    )
    pool_size: int = setting(
        10, "pool-size", "PostgreSQL connections per process (no effect on SQLite).", 1
    )
    emulate_limits: bool = setting(
        False,
        "emulate-limits",
        "Enforce Marketo's limits per instance: --rate-limit calls per --rate-window "
        "(fault 20023), --concurrency-limit calls in flight (20024), --daily-quota (20015).",
    )
    limits: LimitSettings = field(default_factory=LimitSettings)
    relay: RelaySettings = field(default_factory=RelaySettings)
    secrets_file: str | None = setting(
        None, "secrets-file", "User keys kept outside the store: 'USER_ID SECRET' lines, mode 600."
    )
    export_dir: str | None = setting(
        None,
        "export-dir",
        "Where REST bulk extract files are written (default: <db>.exports beside a SQLite "
        "store; a PostgreSQL store needs it, one directory every server of the database "
        "shares).",
    )

    admin: bool = setting(
        False,
        "admin",
        "The test kit's admin API under /leadsync-api/ (reset, seed, snapshots, journal, "
        "faults), for loopback clients only (or --admin-token-file).",
    )
    admin_token_file: str | None = setting(
        None,
        "admin-token-file",
        "Turn the admin API on for any client presenting 'Authorization: Bearer TOKEN', the "
        "token being this file's first line.",
    )
    journal_size: int = setting(
        1000,
        "journal-size",
        "Calls the admin API's journal keeps per process (0: none; only with the admin API).",
        0,
    )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Settings:
        return cls(
            **{
                **data,
                "limits": LimitSettings(**data["limits"]),
                "relay": RelaySettings(**data["relay"]),
            }
        )

    def __post_init__(self) -> None:
        check_bounds(self)
        check_bounds(self.limits)
        check_bounds(self.relay)
