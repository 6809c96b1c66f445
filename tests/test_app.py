"""The ASGI app in-process: the seed call verbatim, the WSDL, and every fault."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from leadsync.store import Store
from tests.soap import (
    auth_header,
    canonical,
    envelope,
    now_timestamp,
    read_fault,
    read_statuses,
    resign,
    seed_xml,
    sync_body,
    sync_request,
)

URL = "/soap/mktows/2_2"


def post(client: TestClient, body: bytes, **headers: str) -> tuple[int, bytes]:
    response = client.post(URL, content=body, headers={"content-type": "text/xml", **headers})
    return response.status_code, response.content


def fault_of(client: TestClient, body: bytes) -> tuple[int, int, str, str]:
    status, content = post(client, body)
    fault = read_fault(content)
    return status, fault.code, fault.faultcode, fault.message


def test_the_seed_request_verbatim_gets_the_seed_response_shape(client: TestClient) -> None:
    request = resign(seed_xml("request"), now_timestamp()).encode()
    first = client.post(URL, content=request)
    assert read_statuses(first.content) == [(1, "CREATED", None), (2, "CREATED", None)]
    again = client.post(URL, content=resign(seed_xml("request"), now_timestamp()).encode())
    assert again.status_code == 200
    assert again.headers["content-type"] == "text/xml; charset=UTF-8"
    expected = seed_xml("response").replace("1090240", "1").replace("1090239", "2")
    assert canonical(again.content) == canonical(expected)
    # Prefixes exactly as Marketo writes them, not just an equivalent document.
    assert again.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<SOAP-ENV:Envelope')
    assert b'<error xsi:nil="true" />' in again.content


@pytest.mark.parametrize(
    "action",
    [
        None,
        "",
        '""',
        '"http://www.marketo.com/mktows/syncMultipleLeads"',
        "http://www.marketo.com/mktows/paramsSyncMultipleLeads",
        "urn:wrong",
    ],
)
def test_dispatch_ignores_soapaction(wire_client: TestClient, action: str | None) -> None:
    headers = {} if action is None else {"SOAPAction": action}
    status, body = post(wire_client, sync_request([{"Email": "a@x.com"}]), **headers)
    assert (status, read_statuses(body)) == (200, [(1, "CREATED", None)])


@pytest.mark.parametrize("query", ["WSDL", "wsdl", "Wsdl", "WSDL=", "wsdl&x=1"])
def test_get_with_a_wsdl_key_in_any_case_serves_our_wsdl(
    wire_client: TestClient, query: str
) -> None:
    response = wire_client.get(f"/soap/mktows/2_1?{query}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml; charset=UTF-8"
    assert b'<soap:address location="http://testserver/soap/mktows/2_1"/>' in response.content


@pytest.mark.parametrize("version", ["1_4", "2_2", "2_7", "3_1", "10_0"])
def test_every_version_path_answers(wire_client: TestClient, version: str) -> None:
    response = wire_client.post(f"/soap/mktows/{version}", content=sync_request([{"Email": "v@x"}]))
    assert response.status_code == 200


def test_bad_paths_and_methods_get_soap_faults_not_html(client: TestClient) -> None:
    for method, path, status in [
        ("POST", "/soap/mktows/latest", 404),
        ("POST", "/nowhere", 404),
        ("GET", "/soap/mktows/2_2", 405),
        ("PUT", "/soap/mktows/2_2", 405),
    ]:
        response = client.request(method, path, content=b"x")
        assert response.status_code == status, (method, path)
        assert response.headers["content-type"] == "text/xml; charset=UTF-8"
        assert read_fault(response.content).code == 20012


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


# --- faults -------------------------------------------------------------------------


def test_fault_shape_is_marketos(client: TestClient) -> None:
    status, body = post(client, envelope(sync_body([{"Email": "a@x"}]), header=""))
    assert status == 500
    expected = """<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">
  <SOAP-ENV:Body><SOAP-ENV:Fault>
    <faultcode>SOAP-ENV:Client</faultcode>
    <faultstring>20014 - Authentication failed</faultstring>
    <detail><ns1:serviceException xmlns:ns1="http://www.marketo.com/mktows/">
      <name>mktServiceException</name><message>Authentication failed (20014)</message>
      <code>20014</code>
    </ns1:serviceException></detail>
  </SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>"""
    assert canonical(body) == canonical(expected)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "Request not understood: empty request body"),
        (b"   \n", "Request not understood: empty request body"),
        (b"<a><b></a>", None),
        (b"\x00\xff\xfe garbage \x89PNG\r\n\x1a\n", None),
        (b"<Envelope/>", "Request not understood: not a SOAP 1.1 Envelope"),
        (
            b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>',
            "Request not understood: not a SOAP 1.1 Envelope",
        ),
        (
            b'<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"/>',
            "Request not understood: no SOAP Body",
        ),
        (
            b'<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body/></e:Envelope>',
            "Request not understood: empty SOAP Body",
        ),
    ],
)
def test_not_xml_or_not_soap_is_20012(
    wire_client: TestClient, body: bytes, message: str | None
) -> None:
    status, code, faultcode, text = fault_of(wire_client, body)
    assert (status, code, faultcode) == (500, 20012, "SOAP-ENV:Client")
    if message is None:
        assert text.startswith("Request not understood: malformed XML (")
    else:
        assert text == f"{message} (20012)"


def test_xxe_is_refused_and_nothing_is_read_from_disk(client: TestClient, tmp_path: object) -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + sync_request([{"Email": "&x;"}]).split(b"?>", 1)[1]
    )
    status, body = post(client, xxe)
    assert status == 500
    assert b"root:" not in body
    assert read_fault(body).message == (
        "Request not understood: DOCTYPE and entities are not allowed (20012)"
    )


def test_billion_laughs_is_refused_fast(client: TestClient) -> None:
    # Ten levels of ten references each: 10**10 "lol"s if anything expanded them.
    levels = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    ]
    bomb = f'<?xml version="1.0"?><!DOCTYPE e [{"".join(levels)}]><e>&l9;</e>'.encode()
    status, body = post(client, bomb)
    assert (status, read_fault(body).code) == (500, 20012)


def test_over_max_body_bytes_is_refused(client: TestClient) -> None:
    huge = b"<x>" + b" " * (8 * 1024 * 1024) + b"</x>"
    status, body = post(client, huge)
    assert status == 500
    assert read_fault(body).message == (
        "Request not understood: body exceeds 8388608 bytes (20012)"
    )


def test_an_unknown_operation_is_20019_by_name(client: TestClient) -> None:
    unknown = envelope("<ns1:paramsFlyToTheMoon/>")
    assert fault_of(client, unknown)[1:] == (
        20019,
        "SOAP-ENV:Client",
        "Unsupported operation: paramsFlyToTheMoon is not in the WSDL (20019)",
    )


def test_authentication_faults(client: TestClient, store: Store) -> None:
    body = sync_body([{"Email": "a@x.com"}])
    wrong_key = auth_header(secret="nope")
    unknown_user = auth_header(user="someone_else")
    old = auth_header(timestamp="2013-08-01T18:22:30-07:00")
    incomplete = (
        "<ns1:AuthenticationHeader><mktowsUserId>u</mktowsUserId></ns1:AuthenticationHeader>"
    )
    assert fault_of(client, envelope(body, wrong_key))[1] == 20014
    assert fault_of(client, envelope(body, unknown_user))[1] == 20014
    assert fault_of(client, envelope(body, incomplete))[1:] == (
        20014,
        "SOAP-ENV:Client",
        "Authentication failed: AuthenticationHeader needs mktowsUserId, requestSignature "
        "and requestTimestamp (20014)",
    )
    assert fault_of(client, envelope(body, old))[1] == 20016
    assert list(store.iter_leads()) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            sync_body([{"Email": f"{i}@x"} for i in range(301)]),
            "Bad parameter: 301 lead records in one call; at most 300",
        ),
        (
            sync_body([{"Email": "a@x"}], dedup="maybe"),
            "Bad parameter: dedupEnabled must be true or false, not 'maybe'",
        ),
        (
            "<ns1:paramsSyncMultipleLeads><dedupEnabled>true</dedupEnabled>"
            "</ns1:paramsSyncMultipleLeads>",
            "Bad parameter: leadRecordList is required",
        ),
    ],
)
def test_bad_parameters_are_20110_and_store_nothing(
    client: TestClient, store: Store, body: str, message: str
) -> None:
    assert fault_of(client, envelope(body)) == (500, 20110, "SOAP-ENV:Client", f"{message} (20110)")
    assert list(store.iter_leads()) == []


def test_exactly_300_records_are_accepted(client: TestClient) -> None:
    status, body = post(client, sync_request([{"Email": f"{i}@x"} for i in range(300)]))
    assert status == 200
    assert [s[0] for s in read_statuses(body)] == list(range(1, 301))


@pytest.mark.parametrize(
    ("flag", "second"),
    [
        ("true", "UPDATED"),
        ("1", "UPDATED"),
        ("True", "UPDATED"),
        ("false", "CREATED"),
        ("0", "CREATED"),
        ("False", "CREATED"),
        (" true ", "UPDATED"),
    ],
)
def test_boolean_forms(wire_client: TestClient, flag: str, second: str) -> None:
    post(wire_client, sync_request([{"Email": "b@x"}]))
    assert (
        read_statuses(post(wire_client, sync_request([{"Email": "b@x"}], dedup=flag))[1])[0][1]
        == second
    )


def test_an_internal_error_is_20011_with_no_internals(
    client: TestClient, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("secret internals /var/lib/x")

    store.write = broken  # type: ignore[assignment, method-assign]
    status, body = post(client, sync_request([{"Email": "a@x"}]))
    fault = read_fault(body)
    assert (status, fault.code, fault.faultcode, fault.faultstring) == (
        500,
        20011,
        "SOAP-ENV:Server",
        "20011 - Internal Error",
    )
    assert b"secret internals" not in body and b"Traceback" not in body
    assert "secret internals /var/lib/x" in caplog.text
    assert "Traceback" in caplog.text


def test_record_level_failures_keep_order_and_leadid_zero(client: TestClient) -> None:
    body = sync_request(
        [
            {"Email": "ok@x"},
            {"Id": "abc"},
            {"Email": "ok2@x", "attrs": {"Bogus": "1"}},
            {"Id": "99999999999"},
        ]
    )
    assert read_statuses(post(client, body)[1]) == [
        (1, "CREATED", None),
        (0, "FAILED", "Id must be an integer, not 'abc'"),
        (0, "FAILED", "unknown fields for import: Bogus"),
        (0, "FAILED", "Id is out of range for xs:int: '99999999999'"),
    ]


def test_the_server_keeps_serving_after_bad_input(client: TestClient) -> None:
    for junk in [b"<", b"\xff" * 100, b"<!DOCTYPE x><x/>"]:
        assert post(client, junk)[0] == 500
    status, body = post(client, sync_request([{"Email": "after@x"}]))
    assert (status, read_statuses(body)) == (200, [(1, "CREATED", None)])
