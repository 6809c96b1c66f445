"""leadsync: a self-hosted server for Marketo's SOAP lead API (mktows)."""

from leadsync.client import (
    Client,
    ClientError,
    ConnectionFailed,
    ProtocolError,
    RemoteFault,
    RetryPolicy,
    SyncResult,
)
from leadsync.errors import MktowsError
from leadsync.model import SyncStatusCode

__version__ = "0.1.0"

__all__ = [
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
