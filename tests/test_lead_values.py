"""Keys and values over the wire, in process: blank keys, shared emails, characters that
XML parsers normalise."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from lxml import etree
from starlette.testclient import TestClient

from leadsync.config import Settings
from leadsync.http.app import create_app
from leadsync.store import Store
from tests.soap import envelope, read_fault, sync_request

URL = "/soap/mktows/2_2"


def get_lead(client: TestClient, key_type: str, key_value: str) -> bytes:
    body = envelope(
        f"<ns1:paramsGetLead><leadKey><keyType>{key_type}</keyType>"
        f"<keyValue>{key_value}</keyValue></leadKey></ns1:paramsGetLead>"
    )
    return client.post(URL, content=body).content


def test_a_carriage_return_survives_the_round_trip(client: TestClient) -> None:
    client.post(
        URL,
        content=envelope(
            "<ns1:paramsSyncMultipleLeads><leadRecordList><leadRecord><Email>cr@x.com</Email>"
            "<leadAttributeList><attribute><attrName>Address</attrName>"
            "<attrValue>line1&#13;&#10;line2&#13;x\ty</attrValue></attribute>"
            "</leadAttributeList></leadRecord></leadRecordList></ns1:paramsSyncMultipleLeads>"
        ),
    )
    answer = get_lead(client, "EMAIL", "cr@x.com")
    assert b"<attrValue>line1&#13;\nline2&#13;x\ty</attrValue>" in answer
    values = [e.text for e in etree.fromstring(answer).iter("attrValue")]
    assert values == ["line1\r\nline2\rx\ty"]


def test_get_lead_by_a_shared_email_lists_the_newest_first(client: TestClient) -> None:
    client.post(
        URL, content=sync_request([{"Email": "two@x.com"}] * 3 + [{"Email": "one@x.com"}], "false")
    )
    root = etree.fromstring(get_lead(client, "EMAIL", "TWO@x.com"))
    assert root.findtext(".//count") == "3"
    assert [e.text for e in root.iter("Id")] == ["3", "2", "1"]


def test_get_lead_with_a_blank_key_value_is_20101(client: TestClient) -> None:
    client.post(URL, content=sync_request([{"Email": "a@x.com"}]))
    for key_type, value in (("IDNUM", ""), ("EMAIL", "   "), ("COOKIE", "")):
        fault = read_fault(get_lead(client, key_type, value))
        assert (fault.code, fault.message) == (
            20101,
            f"Lead key required: the {key_type} keyValue is empty (20101)",
        )


def test_get_multiple_leads_by_blank_emails_matches_nothing(client: TestClient) -> None:
    statuses = client.post(URL, content=sync_request([{"Email": "   "}, {"Email": "b@x.com"}]))
    assert b"<status>FAILED</status>" in statuses.content
    body = envelope(
        '<ns1:paramsGetMultipleLeads><leadSelector xsi:type="ns1:LeadKeySelector">'
        "<keyType>EMAIL</keyType><keyValues><stringItem>   </stringItem><stringItem>"
        "</stringItem></keyValues></leadSelector></ns1:paramsGetMultipleLeads>"
    )
    root = etree.fromstring(client.post(URL, content=body).content)
    assert (root.findtext(".//returnCount"), root.findtext(".//remainingCount")) == ("0", "0")


def _window(client: TestClient, oldest: str, latest: str | None = None, extra: str = "") -> bytes:
    until = "" if latest is None else f"<latestUpdatedAt>{latest}</latestUpdatedAt>"
    body = envelope(
        '<ns1:paramsGetMultipleLeads><leadSelector xsi:type="ns1:LastUpdateAtSelector">'
        f"<oldestUpdatedAt>{oldest}</oldestUpdatedAt>{until}</leadSelector>{extra}"
        "</ns1:paramsGetMultipleLeads>"
    )
    return client.post(URL, content=body).content


def _ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")


def test_a_time_window_over_30_days_is_20022(client: TestClient) -> None:
    client.post(URL, content=sync_request([{"Email": "w@x.com"}]))
    message = (
        "Time range specified in query filter exceeded limit: from oldestUpdatedAt to {} is "
        "more than 30 days (20022)"
    )
    fault = read_fault(_window(client, "2026-01-01T00:00:00Z", "2026-02-01T00:00:01Z"))
    assert (fault.code, fault.message) == (20022, message.format("latestUpdatedAt"))
    fault = read_fault(_window(client, _ago(31)))  # no latestUpdatedAt: to now
    assert (fault.code, fault.message) == (20022, message.format("now"))
    answer = etree.fromstring(_window(client, _ago(29.9)))
    assert answer.findtext(".//returnCount") == "1"
    within = _window(client, "2026-01-01T00:00:00Z", "2026-01-31T00:00:00Z")
    assert etree.fromstring(within).findtext(".//returnCount") == "0"


def test_the_window_limit_can_be_lifted(store: Store, db: str) -> None:
    with TestClient(create_app(store, Settings(db=db, max_update_window_days=0))) as client:
        client.post(URL, content=sync_request([{"Email": "w@x.com"}]))
        assert etree.fromstring(_window(client, _ago(3650))).findtext(".//returnCount") == "1"


def test_a_stream_position_with_another_selector_is_20122(client: TestClient) -> None:
    client.post(URL, content=sync_request([{"Email": f"s{i}@x.com"} for i in range(4)]))
    since = _ago(1)
    first = etree.fromstring(_window(client, since, extra="<batchSize>2</batchSize>"))
    position = first.findtext(".//newStreamPosition")
    assert position
    same = _window(client, since, extra=f"<streamPosition>{position}</streamPosition>")
    assert [e.text for e in etree.fromstring(same).iter("Email")] == ["s2@x.com", "s3@x.com"]
    other = _window(client, _ago(2), extra=f"<streamPosition>{position}</streamPosition>")
    fault = read_fault(other)
    assert (fault.code, fault.message) == (
        20122,
        "Bad stream position: it continues another leadSelector; send the selector it was "
        "issued for (or none) with it (20122)",
    )
    keys = envelope(
        '<ns1:paramsGetMultipleLeads><leadSelector xsi:type="ns1:LeadKeySelector">'
        "<keyType>IDNUM</keyType><keyValues><stringItem>1</stringItem></keyValues>"
        f"</leadSelector><streamPosition>{position}</streamPosition>"
        "</ns1:paramsGetMultipleLeads>"
    )
    assert read_fault(client.post(URL, content=keys).content).code == 20122
    alone = envelope(
        "<ns1:paramsGetMultipleLeads>"
        f"<streamPosition>{position}</streamPosition></ns1:paramsGetMultipleLeads>"
    )
    answer = etree.fromstring(client.post(URL, content=alone).content)
    assert [e.text for e in answer.iter("Email")] == ["s2@x.com", "s3@x.com"]


def test_fault_texts_speak_marketo_not_python(client: TestClient) -> None:
    fault = read_fault(_window(client, "yesterday"))
    assert (fault.code, fault.message) == (
        20110,
        "Bad parameter: oldestUpdatedAt must be an xs:dateTime such as "
        "2013-08-01T00:00:00-07:00, not 'yesterday' (20110)",
    )
    no_oldest = envelope(
        '<ns1:paramsGetMultipleLeads><leadSelector xsi:type="ns1:LastUpdateAtSelector">'
        f"<latestUpdatedAt>{_ago(1)}</latestUpdatedAt></leadSelector>"
        "</ns1:paramsGetMultipleLeads>"
    )
    fault = read_fault(client.post(URL, content=no_oldest).content)
    assert (fault.code, fault.message) == (
        20109,
        "Parameter required: oldestUpdatedAt (a LastUpdateAtSelector needs it) (20109)",
    )
    for params in (
        "<ns1:paramsDescribeMObject/>",
        "<ns1:paramsDescribeMObject><objectName></objectName></ns1:paramsDescribeMObject>",
    ):
        fault = read_fault(client.post(URL, content=envelope(params)).content)
        assert (fault.code, fault.message) == (20109, "Parameter required: objectName (20109)")


def test_describe_lead_record_speaks_xs_datetime_and_marketos_sizes(client: TestClient) -> None:
    body = envelope(
        "<ns1:paramsDescribeMObject><objectName>LeadRecord</objectName></ns1:paramsDescribeMObject>"
    )
    metadata = etree.fromstring(client.post(URL, content=body).content).find(".//metadata")
    assert metadata is not None
    assert (metadata.findtext("name"), metadata.findtext("isVirtual")) == ("LeadRecord", "true")
    stamps = [e.text or "" for e in metadata.iter("updatedAt")]
    assert len(stamps) == len(metadata.findall("fieldList/field")) + 1
    for stamp in stamps:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", stamp), stamp
        assert abs(datetime.fromisoformat(stamp) - datetime.now(UTC)) < timedelta(minutes=5)
    sizes = {
        f.findtext("name"): (f.findtext("dataType"), f.findtext("size"))
        for f in metadata.iter("field")
    }
    assert sizes["Company"] == ("string", "255")
    assert sizes["Address"] == ("text", "30000")
    assert sizes["NumberOfEmployees"] == ("integer", "10")
    assert sizes["DoNotCall"] == ("boolean", "")  # <size xsi:nil="true" />
