"""leadsync: a self-hosted server for Marketo's SOAP lead API (mktows)."""

from leadsync.errors import MktowsError

__version__ = "0.1.0"

__all__ = ["MktowsError", "__version__"]
