"""The benchmark's calls: seed-shaped syncMultipleLeads batches, as XML and as records.

Each call carries 300 leads with 5 attributes; half the emails are new, half already in
the store, whose 5 attributes then (almost always) all change. The same batches exist
twice: pre-rendered envelopes for the end-to-end run, decoded records for the store
floor.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from xml.sax.saxutils import escape

from leadsync.auth import sign
from leadsync.model import Attribute, LeadRecord

BATCH = 300
USER = "bench_user"
SECRET = "bench-secret"
TIMESTAMP = "2026-01-01T00:00:00Z"  # the server runs with --max-clock-skew 0
MKTOWS = "http://www.marketo.com/mktows/"
ENV = "http://schemas.xmlsoap.org/soap/envelope/"


def seed_email(i: int) -> str:
    return f"seed{i}@bench.example"


def attributes(n: int) -> dict[str, str]:
    return {
        "FirstName": f"First{n}",
        "LastName": f"Last{n}",
        "Company": f"Company {n % 997} Inc.",
        "Phone": f"650-555-{n % 10000:04d}",
        "Title": f"Director of Things {n % 101}",
    }


@dataclass(frozen=True)
class Call:
    records: list[LeadRecord]
    envelope: bytes


def _envelope(emails: list[str], attrs: list[dict[str, str]]) -> bytes:
    signature = sign(SECRET, TIMESTAMP, USER)
    parts = [
        f'<?xml version="1.0" encoding="UTF-8"?>\n<SOAP-ENV:Envelope xmlns:SOAP-ENV="{ENV}"'
        f' xmlns:ns1="{MKTOWS}"><SOAP-ENV:Header><ns1:AuthenticationHeader>'
        f"<mktowsUserId>{USER}</mktowsUserId><requestSignature>{signature}</requestSignature>"
        f"<requestTimestamp>{TIMESTAMP}</requestTimestamp></ns1:AuthenticationHeader>"
        "</SOAP-ENV:Header><SOAP-ENV:Body><ns1:paramsSyncMultipleLeads><leadRecordList>"
    ]
    for email, values in zip(emails, attrs, strict=True):
        items = "".join(
            f"<attribute><attrName>{k}</attrName><attrValue>{escape(v)}</attrValue></attribute>"
            for k, v in values.items()
        )
        parts.append(
            f"<leadRecord><Email>{email}</Email><leadAttributeList>{items}"
            "</leadAttributeList></leadRecord>"
        )
    parts.append(
        "</leadRecordList><dedupEnabled>true</dedupEnabled></ns1:paramsSyncMultipleLeads>"
        "</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )
    return "".join(parts).encode()


def calls(count: int, store_size: int, run: str, seed: int = 7) -> list[Call]:
    """``count`` calls; new emails are unique to ``run``; existing ones come from the
    seeded store (or, in an empty store, from emails this run created earlier)."""
    rng = random.Random(seed)
    made: list[Call] = []
    created: list[str] = []
    serial = 0
    for _ in range(count):
        emails = []
        for i in range(BATCH):
            if i % 2 == 0 or (store_size == 0 and not created):
                serial += 1
                emails.append(f"{run}-{serial}@bench.example")
            elif store_size:
                emails.append(seed_email(rng.randrange(store_size)))
            else:
                emails.append(rng.choice(created))
        created.extend(e for e in emails if e.startswith(f"{run}-"))
        attrs = [attributes(rng.randrange(1_000_000)) for _ in emails]
        records = [
            LeadRecord(email=e, attributes=tuple(Attribute(k, v) for k, v in a.items()))
            for e, a in zip(emails, attrs, strict=True)
        ]
        made.append(Call(records, _envelope(emails, attrs)))
    return made
