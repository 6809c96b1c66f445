"""Hostile and broken input, generated: every answer is a well-formed success or fault.

A few hundred cases run in ``make test``; ``make fuzz`` runs the long campaign
(``--hypothesis-profile=fuzz``: 20,000 cases per test). Against the real ASGI app and a
real SQLite store: never an internal error (20011), an HTML page, a hang or another
status than 200 or 500, and the store stays consistent.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from starlette.testclient import TestClient

from leadsync.config import Settings
from leadsync.http.app import create_app
from leadsync.store import SqliteStore
from tests.examples import cases
from tests.soap import DEMO_SECRET, DEMO_USER, MKTOWS, SOAP_ENV, XSI, auth_header, seed_xml

FUZZ = cases(150)

KNOWN_CODES = {
    20012,
    20014,
    20016,
    20019,
    20101,
    20102,
    20103,
    20104,
    20105,
    20109,
    20110,
    20111,
    20122,
}
NAMES = [
    "leadRecordList",
    "leadRecord",
    "Email",
    "email",
    "Id",
    "ForeignSysPersonId",
    "ForeignSysType",
    "leadAttributeList",
    "attribute",
    "attrName",
    "attrValue",
    "attrType",
    "dedupEnabled",
    "stray",
    "leadKey",
    "keyType",
    "keyValue",
    "leadSelector",
    "keyValues",
    "stringItem",
    "streamPosition",
    "batchSize",
    "includeAttributes",
    "oldestUpdatedAt",
    "latestUpdatedAt",
    "returnLead",
    "marketoCookie",
    "objectName",
]
FIELDS = [
    "Company",
    "Phone",
    "NumberOfEmployees",
    "DoNotCall",
    "DateofBirth",
    "Email",
    "Unknown",
    "",
]

xml_chars = st.characters(
    codec="utf-8", exclude_characters="\r\ufffe\uffff", min_codepoint=0x9
).filter(lambda c: c in "\t\n" or ord(c) >= 0x20)
texts = st.one_of(
    st.text(xml_chars, max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "true",
            "False",
            "0",
            "-1",
            "2147483648",
            "abc",
            "SFDC",
            "a@x.com",
            "A@X.COM",
            "1990-02-30",
            "x" * 300,
            "IDNUM",
            "EMAIL",
            "COOKIE",
            "LeadRecord",
            "2020-01-01T00:00:00Z",
            "2020-13-01T00:00:00",
            "eyJxIjpbXX0",
        ]
    ),
)
prefixes = st.sampled_from(["", "ns1:", "tns:", "m:"])


@st.composite
def element(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(st.sampled_from(NAMES))
    prefix = draw(prefixes)
    attrs = ""
    if draw(st.integers(0, 9)) == 0:
        attrs = ' xsi:nil="true"'
    elif name == "leadSelector":
        kind = draw(
            st.sampled_from(
                ["LeadKeySelector", "LastUpdateAtSelector", "StaticListSelector", "Nothing"]
            )
        )
        attrs = f' xsi:type="ns1:{kind}" xmlns:ns1="{MKTOWS}"'
    if prefix:
        attrs += f' xmlns:{prefix[:-1]}="{MKTOWS}"'
    if depth >= 4 or draw(st.booleans()):
        return f"<{prefix}{name}{attrs}>{escape(draw(texts))}</{prefix}{name}>"
    inner = "".join(draw(st.lists(element(depth + 1), max_size=5)))
    return f"<{prefix}{name}{attrs}>{inner}</{prefix}{name}>"


@st.composite
def record(draw: st.DrawFn) -> str:
    """A mostly plausible leadRecord, with odd values and odd attribute lists."""
    keys = "".join(
        f"<{key}>{escape(draw(texts))}</{key}>"
        for key in draw(
            st.lists(
                st.sampled_from(["Email", "Id", "ForeignSysPersonId", "ForeignSysType", "email"]),
                max_size=3,
            )
        )
    )
    count = draw(st.one_of(st.integers(0, 6), st.sampled_from([999, 1001])))
    field = draw(st.sampled_from(FIELDS))
    value = escape(draw(texts))
    attributes = "".join(
        f"<attribute><attrName>{escape(field)}</attrName><attrValue>{value}</attrValue></attribute>"
        for _ in range(count)
    )
    return f"<leadRecord>{keys}<leadAttributeList>{attributes}</leadAttributeList></leadRecord>"


@st.composite
def request(draw: st.DrawFn) -> bytes:
    operation = draw(
        st.sampled_from(
            ["paramsSyncMultipleLeads"] * 4
            + [
                "paramsSyncLead",
                "paramsGetLead",
                "paramsGetMultipleLeads",
                "paramsDescribeMObject",
                "paramsGetLeadActivity",
                "paramsNothing",
            ]
        )
    )
    body = draw(
        st.one_of(
            st.lists(record(), max_size=8).map(
                lambda rs: f"<leadRecordList>{''.join(rs)}</leadRecordList>"
            ),
            st.lists(element(), max_size=4).map("".join),
        )
    )
    if draw(st.booleans()):
        body += f"<dedupEnabled>{escape(draw(texts))}</dedupEnabled>"
    header = draw(st.sampled_from([auth_header(), auth_header(), auth_header(secret="bad"), ""]))
    return (
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}" xmlns:ns1="{MKTOWS}"'
        f' xmlns:xsi="{XSI}"><SOAP-ENV:Header>{header}</SOAP-ENV:Header><SOAP-ENV:Body>'
        f"<ns1:{operation}>{body}</ns1:{operation}></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ).encode()


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """The seed request with bytes flipped, cut or inserted."""
    data = bytearray(seed_xml("request").encode())
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip":
            data[at] = draw(st.integers(0, 255))
        elif action == "cut":
            del data[at : at + draw(st.integers(1, 40))]
        else:
            data[at:at] = draw(st.binary(max_size=20))
    return bytes(data)


@pytest.fixture(scope="module")
def app() -> Iterator[tuple[TestClient, SqliteStore]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "fuzz.db")
        store = SqliteStore(path)
        store.add_user(DEMO_USER, DEMO_SECRET)
        with TestClient(create_app(store, Settings(db=path))) as client:
            yield client, store
        store.close()


def _check(client: TestClient, body: bytes) -> None:
    response = client.post("/soap/mktows/2_2", content=body)
    assert response.status_code in (200, 500), response.text
    assert response.headers["content-type"] == "text/xml; charset=UTF-8"
    root = etree.fromstring(response.content)
    if response.status_code == 200:
        statuses = root.findall(
            f".//{{{MKTOWS}}}successSyncMultipleLeads/result/syncStatusList/syncStatus"
        )
        for status in statuses:
            lead_id = int(status.findtext("leadId") or "")
            assert (status.findtext("status") == "FAILED") == (lead_id == 0)
    else:
        code = int(root.findtext(f".//{{{MKTOWS}}}serviceException/code") or "0")
        assert code in KNOWN_CODES, response.text


def _consistent(store: SqliteStore) -> None:
    """Nothing the fuzzer sent may leave two leads with one foreign id in an instance, or
    an attribute object that is not valid JSON (checked in SQL: cheap per example)."""
    with sqlite3.connect(store.location) as conn:
        assert conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM leads WHERE foreign_id IS NOT NULL"
            " GROUP BY instance, foreign_id HAVING count(*) > 1)"
        ).fetchone() == (0,)
        assert conn.execute(
            "SELECT count(*) FROM leads WHERE id > (SELECT coalesce(max(id), 0) - 50 FROM"
            " leads) AND NOT json_valid(attrs)"
        ).fetchone() == (0,)
    conn.close()


@FUZZ
@given(request())
def test_generated_envelopes_get_a_well_formed_answer(
    app: tuple[TestClient, SqliteStore], body: bytes
) -> None:
    _check(app[0], body)
    _consistent(app[1])


@FUZZ
@given(mutated())
def test_mutated_seed_requests_get_a_well_formed_answer(
    app: tuple[TestClient, SqliteStore], body: bytes
) -> None:
    _check(app[0], body)


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_get_fault_20012(app: tuple[TestClient, SqliteStore], body: bytes) -> None:
    response = app[0].post("/soap/mktows/2_2", content=body)
    assert response.status_code == 500
    assert (
        etree.fromstring(response.content).findtext(f".//{{{MKTOWS}}}serviceException/code")
        == "20012"
    )


def test_deep_nesting_is_refused_fast(app: tuple[TestClient, SqliteStore]) -> None:
    deep = "<a>" * 5000 + "</a>" * 5000
    body = (
        f'<e:Envelope xmlns:e="{SOAP_ENV}"><e:Body><ns1:paramsSyncMultipleLeads'
        f' xmlns:ns1="{MKTOWS}">{deep}</ns1:paramsSyncMultipleLeads></e:Body>'
        "</e:Envelope>"
    ).encode()
    response = app[0].post("/soap/mktows/2_2", content=body)
    assert response.status_code == 500
    message = (
        etree.fromstring(response.content).findtext(f".//{{{MKTOWS}}}serviceException/message")
        or ""
    )
    assert message.startswith("Request not understood: malformed XML (")


def test_too_many_attributes_fail_the_record(app: tuple[TestClient, SqliteStore]) -> None:
    attributes = "<attribute><attrName>Company</attrName><attrValue>x</attrValue></attribute>"
    body = (
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}" xmlns:ns1="{MKTOWS}">'
        f"<SOAP-ENV:Header>{auth_header()}</SOAP-ENV:Header><SOAP-ENV:Body>"
        "<ns1:paramsSyncMultipleLeads><leadRecordList><leadRecord><Email>many@x.com"
        f"</Email><leadAttributeList>{attributes * 1001}</leadAttributeList></leadRecord>"
        "</leadRecordList></ns1:paramsSyncMultipleLeads></SOAP-ENV:Body>"
        "</SOAP-ENV:Envelope>"
    ).encode()
    response = app[0].post("/soap/mktows/2_2", content=body)
    status = etree.fromstring(response.content).find(".//syncStatus")
    assert status is not None
    assert (status.findtext("leadId"), status.findtext("status"), status.findtext("error")) == (
        "0",
        "FAILED",
        "too many attributes in one lead record: at most 1000",
    )
