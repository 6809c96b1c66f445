"""The relay's settings: where the upstream Marketo is, its credentials, its limits."""

from __future__ import annotations

from dataclasses import dataclass

from leadsync.options import check_bounds, setting


@dataclass(frozen=True, slots=True)
class RelaySettings:
    upstream: str | None = setting(
        None,
        "upstream",
        "Relay mode: answer SOAP calls through this Marketo REST API (e.g. "
        "https://123-ABC-456.mktorest.com) instead of the local store.",
    )
    upstream_identity: str | None = setting(
        None, "upstream-identity", "The upstream's identity URL (default: <upstream>/identity)."
    )
    upstream_client_id: str | None = setting(
        None, "upstream-client-id", "The upstream REST client id."
    )
    upstream_client_secret_file: str | None = setting(
        None,
        "upstream-client-secret-file",
        "A file holding the upstream REST client secret (its first line).",
    )
    upstream_foreign_id_field: str | None = setting(
        None,
        "upstream-foreign-id-field",
        "The upstream's custom field (REST name) that holds SOAP's ForeignSysPersonId; "
        "without it, records keyed by ForeignSysPersonId fail.",
    )
    upstream_rate_limit: int = setting(
        100,
        "upstream-rate-limit",
        "Upstream calls per --upstream-rate-window, shared by the workers.",
        1,
    )
    upstream_rate_window: int = setting(
        20, "upstream-rate-window", "The upstream's rate window in seconds.", 1
    )
    upstream_concurrency: int = setting(
        10, "upstream-concurrency", "Upstream calls in flight at once, shared by the workers.", 1
    )
    upstream_wait: int = setting(
        10,
        "upstream-wait",
        "Seconds a SOAP call waits for an upstream slot before fault 20023 or 20024.",
        0,
    )
    relay_mirror: bool = setting(
        False,
        "relay-mirror",
        "Relay mode: also write what the upstream confirmed to the local store, under the "
        "upstream's lead ids, to inspect what passed.",
    )
    upstream_timeout: int = setting(
        30, "upstream-timeout", "Seconds an upstream call may take before it is retried.", 1
    )

    processes: int = 1  # server processes sharing the upstream's limits (set by serve)

    def __post_init__(self) -> None:
        check_bounds(self)

    @property
    def identity(self) -> str:
        base = (self.upstream or "").rstrip("/")
        return (self.upstream_identity or f"{base}/identity").rstrip("/")
