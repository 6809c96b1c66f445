"""What the zeep scenario programs share: the harness's environment, the signed
AuthenticationHeader and the JSON step lines. The programs run as modules from the
repository root (``python -m tests.clients.python.zeep_lists``)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from datetime import UTC, datetime

WSDL = os.environ["LEADSYNC_WSDL"]
ENDPOINT = os.environ["LEADSYNC_ENDPOINT"]
USER = os.environ["LEADSYNC_USER"]
SECRET = os.environ["LEADSYNC_SECRET"]
PREFIX = os.environ["LEADSYNC_PREFIX"]
BINDING = "{http://www.marketo.com/mktows/}MktowsApiSoapBinding"


def header() -> dict[str, object]:
    ts = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
    sig = hmac.new(SECRET.encode(), (ts + USER).encode(), hashlib.sha1).hexdigest()
    return {
        "authentication": {"mktowsUserId": USER, "requestSignature": sig, "requestTimestamp": ts}
    }


def emit(step: str, **values: object) -> None:
    print(json.dumps({"step": step, **values}, ensure_ascii=False))
