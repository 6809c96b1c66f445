"""One root error for everything a caller can be told; each subclass carries its Marketo code.

``wire/dispatch.py`` alone turns these into SOAP faults. ``message`` is the detail text; the fault
renderer appends `` (<code>)`` as Marketo does.
"""

from __future__ import annotations


class MktowsError(Exception):
    """Root of every error that becomes a SOAP fault."""

    code: int = 20011
    short: str = "Internal Error"
    faultcode: str = "SOAP-ENV:Client"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.short
        super().__init__(self.message)


class InternalError(MktowsError):
    code, short, faultcode = 20011, "Internal Error", "SOAP-ENV:Server"


class RequestNotUnderstood(MktowsError):
    code, short = 20012, "Request not understood"


class RequestTooLarge(MktowsError):
    code, short = 20012, "Request not understood"


class AuthenticationFailed(MktowsError):
    code, short = 20014, "Authentication failed"


class RequestExpired(MktowsError):
    code, short = 20016, "Request expired"


class QuotaExceeded(MktowsError):
    code, short = 20015, "Request limit exceeded"


class RateLimitExceeded(MktowsError):
    code, short = 20023, "Rate limit exceeded"


class ConcurrencyLimitExceeded(MktowsError):
    code, short = 20024, "Concurrency limit exceeded"


class TimeRangeExceeded(MktowsError):
    code, short = 20022, "Time range specified in query filter exceeded limit"


class UnsupportedOperation(MktowsError):
    code, short = 20019, "Unsupported operation"


class BadParameter(MktowsError):
    code, short = 20110, "Input error"


class ParameterRequired(MktowsError):
    code, short = 20109, "Parameter required"


class LeadKeyRequired(MktowsError):
    code, short = 20101, "Lead key required"


class LeadDetailRequired(MktowsError):
    code, short = 20104, "Lead detail required"


class LeadKeyBad(MktowsError):
    code, short = 20102, "Lead key bad"


class ListNotFound(MktowsError):
    code, short = 20111, "List not found"


class CampaignNotFound(MktowsError):
    code, short = 20113, "Campaign not found"


class BadStreamPosition(MktowsError):
    code, short = 20122, "Bad stream position"


class LeadNotFound(MktowsError):
    code, short = 20103, "Lead not found"


class UnknownLeadField(MktowsError):
    code, short = 20105, "Unknown lead field"


class ActivityKeyBad(MktowsError):
    code, short = 20107, "Activity key bad"


class ConfigError(Exception):
    """A setting or command-line value that stops the start; never reaches the wire."""
