"""The benchmark's calls: seed-shaped syncMultipleLeads batches, as XML and as records.

Each call carries 300 leads with 5 attributes; half the emails are new, half already in
the store, whose 5 attributes then (almost always) all change. The same batches exist
three times: pre-rendered SOAP envelopes and REST bodies for the end-to-end runs,
decoded records for the store floor.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from xml.sax.saxutils import escape

import orjson

from leadsync.auth import sign
from leadsync.model import Attribute, LeadRecord

BATCH = 300
USER = "bench_user"
SECRET = "bench-secret"
REST_CLIENT_ID = "bench-client"
REST_SECRET = "bench-client-secret"
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
    envelope: bytes  # the SOAP syncMultipleLeads request
    json: bytes  # the same records as a REST createOrUpdate (POST /rest/v1/leads.json)


REST_NAMES = {"FirstName": "firstName", "LastName": "lastName", "Company": "company",
              "Phone": "phone", "Title": "title"}  # fmt: skip


def _json(emails: list[str], attrs: list[dict[str, str]]) -> bytes:
    records = [
        {"email": email, **{REST_NAMES[k]: v for k, v in values.items()}}
        for email, values in zip(emails, attrs, strict=True)
    ]
    return orjson.dumps({"action": "createOrUpdate", "lookupField": "email", "input": records})


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
        emails: list[str] = []
        for i in range(BATCH):
            if i % 2 == 0 or (store_size == 0 and not created):
                serial += 1
                emails.append(f"{run}-{serial}@bench.example")
                continue
            while True:  # an existing lead, once a call (REST skips a repeat with 1036)
                existing = (
                    seed_email(rng.randrange(store_size)) if store_size else rng.choice(created)
                )
                if existing not in emails or (not store_size and len(created) < BATCH):
                    break
            emails.append(existing)
        created.extend(e for e in emails if e.startswith(f"{run}-"))
        attrs = [attributes(rng.randrange(1_000_000)) for _ in emails]
        records = [
            LeadRecord(email=e, attributes=tuple(Attribute(k, v) for k, v in a.items()))
            for e, a in zip(emails, attrs, strict=True)
        ]
        made.append(Call(records, _envelope(emails, attrs), _json(emails, attrs)))
    return made
