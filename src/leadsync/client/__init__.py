"""leadsync's Python clients for any mktows endpoint, over httpx.

``Client`` runs calls in threads (``blocking.py``), ``AsyncClient`` as asyncio tasks
(``aio.py``); what both send is ``protocol.py``'s, how both read answers
``answers.py``'s, and their results and errors are in ``types.py``. This package imports
nothing of the server's (tests/test_layers.py holds it to that). The two clients are
imported on first use: what needs only the results and errors (``leadsync push``'s
command line, loaded by every ``leadsync`` command) does not pay for httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from leadsync.client.types import (
    DEFAULT_RETRIES,
    KEYS,
    MAX_BATCH,
    RETRYABLE_CODES,
    CallStats,
    ClientError,
    ConnectionFailed,
    FieldMetadata,
    ProtocolError,
    RemoteFault,
    RemoteLead,
    RetryPolicy,
    SyncResult,
)

if TYPE_CHECKING:
    from leadsync.client.aio import AsyncClient
    from leadsync.client.blocking import Client

__all__ = [
    "DEFAULT_RETRIES",
    "KEYS",
    "MAX_BATCH",
    "RETRYABLE_CODES",
    "AsyncClient",
    "CallStats",
    "Client",
    "ClientError",
    "ConnectionFailed",
    "FieldMetadata",
    "ProtocolError",
    "RemoteFault",
    "RemoteLead",
    "RetryPolicy",
    "SyncResult",
]


def __getattr__(name: str) -> Any:
    if name == "Client":
        from leadsync.client.blocking import Client

        return Client
    if name == "AsyncClient":
        from leadsync.client.aio import AsyncClient

        return AsyncClient
    raise AttributeError(f"module 'leadsync.client' has no attribute {name!r}")
