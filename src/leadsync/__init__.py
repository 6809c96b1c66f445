"""leadsync: a self-hosted server for Marketo's lead APIs, SOAP (mktows) and REST.

The Python clients (``leadsync.Client``, ``leadsync.AsyncClient`` and their errors) are
imported on first use, so that the server, which never needs them, does not pay for
importing httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from leadsync.errors import MktowsError
from leadsync.model import SyncStatusCode

if TYPE_CHECKING:
    from leadsync.client import (
        AsyncClient,
        Client,
        ClientError,
        ConnectionFailed,
        ProtocolError,
        RemoteFault,
        RetryPolicy,
        SyncResult,
    )

__version__ = "0.1.0"

_CLIENT_NAMES = frozenset(
    {
        "AsyncClient",
        "Client",
        "ClientError",
        "ConnectionFailed",
        "ProtocolError",
        "RemoteFault",
        "RetryPolicy",
        "SyncResult",
    }
)

__all__ = [
    "AsyncClient",
    "Client",
    "ClientError",
    "ConnectionFailed",
    "MktowsError",
    "ProtocolError",
    "RemoteFault",
    "RetryPolicy",
    "SyncResult",
    "SyncStatusCode",
    "__version__",
]


def __getattr__(name: str) -> Any:
    if name in _CLIENT_NAMES:
        from leadsync import client

        return getattr(client, name)
    raise AttributeError(f"module 'leadsync' has no attribute {name!r}")
