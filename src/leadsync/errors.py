"""One root error for everything a caller can be told; each subclass carries its Marketo codes.

``code`` is the SOAP API's (``wire/dispatch.py`` alone turns it into a fault; the renderer
appends `` (<code>)`` as Marketo does), ``rest`` the REST API's call error code (``rest/app.py``
alone answers it as ``{"success": false, "errors": [...]}``). ``message`` is the detail text.
"""

from __future__ import annotations


class MktowsError(Exception):
    """Root of every error that becomes a SOAP fault."""

    code: int = 20011
    short: str = "Internal Error"
    faultcode: str = "SOAP-ENV:Client"
    rest: int = 611  # REST: System error

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.short
        super().__init__(self.message)


class InternalError(MktowsError):
    code, short, faultcode = 20011, "Internal Error", "SOAP-ENV:Server"


class RequestNotUnderstood(MktowsError):
    code, short = 20012, "Request not understood"
    rest = 610


class RequestTooLarge(MktowsError):
    code, short = 20012, "Request not understood"
    rest = 413


class AuthenticationFailed(MktowsError):
    code, short = 20014, "Authentication failed"
    rest = 601


class RequestExpired(MktowsError):
    code, short = 20016, "Request expired"
    rest = 602


class QuotaExceeded(MktowsError):
    code, short = 20015, "Request limit exceeded"
    rest = 607


class RateLimitExceeded(MktowsError):
    code, short = 20023, "Rate limit exceeded"
    rest = 606


class ConcurrencyLimitExceeded(MktowsError):
    code, short = 20024, "Concurrency limit exceeded"
    rest = 615


class TimeRangeExceeded(MktowsError):
    code, short = 20022, "Time range specified in query filter exceeded limit"
    rest = 1003


class UnsupportedOperation(MktowsError):
    code, short = 20019, "Unsupported operation"
    rest = 610


class BadParameter(MktowsError):
    code, short = 20110, "Input error"
    rest = 1003


class ParameterRequired(MktowsError):
    code, short = 20109, "Parameter required"
    rest = 701


class LeadKeyRequired(MktowsError):
    code, short = 20101, "Lead key required"
    rest = 701


class LeadDetailRequired(MktowsError):
    code, short = 20104, "Lead detail required"
    rest = 701


class LeadKeyBad(MktowsError):
    code, short = 20102, "Lead key bad"
    rest = 1003


class ListNotFound(MktowsError):
    code, short = 20111, "List not found"
    rest = 1013


class CampaignNotFound(MktowsError):
    code, short = 20113, "Campaign not found"
    rest = 1013


class BadStreamPosition(MktowsError):
    code, short = 20122, "Bad stream position"
    rest = 1003


class LeadNotFound(MktowsError):
    code, short = 20103, "Lead not found"
    rest = 1004


class UnknownLeadField(MktowsError):
    code, short = 20105, "Unknown lead field"
    rest = 1006


class ActivityKeyBad(MktowsError):
    code, short = 20107, "Activity key bad"
    rest = 1003


class StoreBusy(MktowsError):
    """The store stayed busy (lock timeouts, deadlocks) through the service's retries:
    REST's 604 (Request time-out), SOAP's 20011; the store's own text stays in
    ``detail`` (the log), never in the answer."""

    code, short, faultcode, rest = 20011, "Request time-out", "SOAP-ENV:Server", 604

    def __init__(self, detail: str = "") -> None:
        super().__init__("Request time-out: the store stayed busy; try the call again")
        self.detail = detail


class InvalidToken(MktowsError):
    """REST: the access token is missing or not one this server issued."""

    code, short, rest = 20014, "Access token invalid", 601


class TokenExpired(MktowsError):
    code, short, rest = 20014, "Access token expired", 602


class AccessDenied(MktowsError):
    """REST: the identity refused the client (bad client id or secret)."""

    code, short, rest = 20014, "Access denied", 603


class InvalidJson(MktowsError):
    code, short, rest = 20012, "Invalid JSON", 609


class ResourceNotFound(MktowsError):
    code, short, rest = 20012, "Requested resource not found", 610


class MethodNotSupported(MktowsError):
    code, short, rest = 20012, "HTTP Method not supported", 605


class InvalidContentType(MktowsError):
    code, short, rest = 20012, "Invalid Content Type", 612


class FieldNotFound(MktowsError):
    code, short, rest = 20105, "Field not found", 1006


class FieldNotSupported(MktowsError):
    code, short, rest = 20110, "Field not supported", 1011


class ObjectNotFound(MktowsError):
    code, short, rest = 20110, "Object not found", 1013


class TooManyJobs(MktowsError):
    """REST bulk extract: the instance has MAX_QUEUED jobs queued or processing."""

    code, short, rest = 20110, "Too many jobs in queue", 1029


class JobAlreadyQueued(MktowsError):
    code, short, rest = 20110, "Job already queued", 1029


class UnsupportedFilter(MktowsError):
    """REST bulk extract: a filter type this subscription (leadsync) does not offer."""

    code, short, rest = 20110, "Unsupported filter type for target subscription", 1035


class ConfigError(Exception):
    """A setting or command-line value that stops the start; never reaches the wire."""
