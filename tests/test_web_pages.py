"""The web page's HTML through the app in process, on both stores: the endpoints, the
leads (paged, found by email or id), a lead's fields and activities, lists, campaigns,
the journal; every value escaped, every instance apart. tests/test_web.py drives the
same pages in a real Chromium."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx2
import lxml.html
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from leadsync.service import Services
from leadsync.store import Store
from leadsync.web import web_routes
from tests.soap import auth_header, envelope, read_fault, read_statuses, sync_request

URL = "/soap/mktows/2_2"
HTML = "text/html; charset=utf-8"
EVIL = "<script>window.pwned=1</script>\"'&"
PAGES = ("/", "/ui/leads", "/ui/lists", "/ui/campaigns", "/ui/journal")


def page(response: httpx2.Response, status: int = 200) -> lxml.html.HtmlElement:
    """The answer parsed, after checking it is an HTML page of this status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == HTML
    return lxml.html.fromstring(response.text)


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def table(doc: lxml.html.HtmlElement, heading: str | None = None) -> list[list[str]]:
    """The rows of the table under the h2 ``heading`` (the page's first table if None)."""
    where = "//" if heading is None else f"//h2[.={heading!r}]/following-sibling::div[1]//"
    return [[text(cell) for cell in row.findall("td")] for row in doc.xpath(where + "tbody/tr")]


def sync(client: TestClient, records: Iterable[dict[str, object]]) -> list[int]:
    response = client.post(URL, content=sync_request(records))
    assert response.status_code == 200, response.text
    return [lead_id for lead_id, _, _ in read_statuses(response.content)]


def test_the_index_names_this_servers_endpoints_with_a_curl_call_each(
    client: TestClient,
) -> None:
    doc = page(client.get("/"))
    assert doc.xpath('//meta[@name="viewport"]/@content') == ["width=device-width, initial-scale=1"]
    endpoints = {name: address for name, address in table(doc)}
    assert endpoints["SOAP endpoint (mktows 2_2)"] == "http://testserver/soap/mktows/2_2"
    assert endpoints["WSDL"] == "http://testserver/soap/mktows/2_2?WSDL"
    assert endpoints["REST base"] == "http://testserver/rest"
    assert endpoints["Identity (access tokens)"] == "http://testserver/identity"
    examples = [text(pre) for pre in doc.iter("pre")]
    assert examples[0] == "curl -s 'http://testserver/soap/mktows/2_2?WSDL'"
    assert "openssl dgst -sha1 -hmac" in examples[1]
    assert "<keyType>EMAIL</keyType>" in examples[1]
    assert "/identity/oauth/token" in examples[2]
    assert "/rest/v1/leads.json" in examples[3]
    links = doc.xpath("//main//a/@href")
    for path in ("/ui/leads", "/ui/lists", "/ui/campaigns", "/ui/journal"):
        assert f"{path}?instance=default" in links
    # The WSDL the page links to is the real one.
    assert client.get("/soap/mktows/2_2?WSDL").status_code == 200


def test_other_methods_on_the_page_still_get_soap_faults(client: TestClient) -> None:
    for method, path in [("POST", "/"), ("PUT", "/ui/leads"), ("DELETE", "/ui/leads/1")]:
        response = client.request(method, path, content=b"x")
        assert response.status_code == 404, (method, path)
        assert response.headers["content-type"] == "text/xml; charset=UTF-8"
        assert read_fault(response.content).code == 20012


def test_leads_are_listed_found_by_email_or_id_and_shown_with_their_activities(
    client: TestClient,
) -> None:
    ada, bob = sync(
        client,
        [
            {"Email": "Ada@Example.com", "attrs": {"FirstName": "Ada", "Company": "Analytical"}},
            {"Email": "bob@example.com", "attrs": {"LastName": "Builder"}},
        ],
    )
    sync(client, [{"Email": "ada@example.com", "attrs": {"FirstName": "Augusta"}}])

    listed = table(page(client.get("/ui/leads")))
    assert [row[:5] for row in listed] == [
        [str(ada), "Ada@Example.com", "Augusta", "", "Analytical"],
        [str(bob), "bob@example.com", "", "Builder", ""],
    ]
    assert table(page(client.get("/ui/leads", params={"q": "²"}))) == []
    for query in ("ADA@example.com ", str(ada)):
        found = page(client.get("/ui/leads", params={"q": query}))
        assert [row[0] for row in table(found)] == [str(ada)], query
    none = page(client.get("/ui/leads", params={"q": "nobody@example.com"}))
    assert table(none) == []
    assert "No lead has that email or id." in text(none)

    doc = page(client.get(f"/ui/leads/{ada}"))
    assert text(doc.find(".//h1")) == f"Lead {ada}: Ada@Example.com"
    fields = {row[1]: row for row in table(doc, "Fields")}
    assert fields["Email"] == ["Email Address", "Email", "email", "string", "Ada@Example.com"]
    assert fields["FirstName"] == ["First Name", "FirstName", "firstName", "string", "Augusta"]
    assert fields["Company"][2:] == ["company", "string", "Analytical"]
    activities = table(doc, "Activities, newest first")
    assert [row[2] for row in activities] == ["Change Data Value"] * 4 + ["New Lead"]
    assert [row[3] for row in activities[:4]] == [
        "First Name",
        "Company Name",
        "First Name",
        "Email Address",
    ]
    ids = [int(row[0]) for row in activities]
    assert ids == sorted(ids, reverse=True)
    change = activities[0][4]
    assert "Attribute Name: First Name" in change
    assert "Old Value: Ada" in change and "New Value: Augusta" in change
    assert "Source Type: Web service API" in activities[-1][4]


def test_leads_page_by_id_fifty_at_a_time(client: TestClient) -> None:
    ids = sync(client, [{"Email": f"p{n}@example.com"} for n in range(120)])
    seen: list[int] = []
    path: str | None = "/ui/leads?instance=default"
    while path is not None:
        doc = page(client.get(path))
        seen.extend(int(row[0]) for row in table(doc))
        following = doc.xpath('//div[@class="pages"]/a[starts-with(., "Next")]/@href')
        path = following[0] if following else None
    assert seen == sorted(ids)
    second = page(client.get("/ui/leads", params={"page": str(sorted(ids)[49])}))
    assert [int(row[0]) for row in table(second)] == sorted(ids)[50:100]
    assert "20 more" in text(second.find(".//main"))


def test_values_are_shown_as_text_never_as_markup(client: TestClient) -> None:
    [lead_id] = sync(client, [{"Email": "x@example.com", "attrs": {"FirstName": EVIL}}])
    for path in (f"/ui/leads/{lead_id}", "/ui/leads"):
        response = client.get(path)
        assert "<script>window" not in response.text
        assert "&lt;script&gt;window.pwned=1&lt;/script&gt;&quot;&#x27;&amp;" in response.text
        assert "script-src 'none'" in response.headers["content-security-policy"]
        assert page(response).xpath("//script") == []
    fields = {row[1]: row for row in table(page(client.get(f"/ui/leads/{lead_id}")), "Fields")}
    assert fields["FirstName"][4] == EVIL
    searched = client.get("/ui/leads", params={"q": EVIL})
    assert page(searched).xpath('//input[@name="q"]/@value') == [EVIL]
    missing = client.get("/ui/leads", params={"instance": EVIL})
    assert "<script>window" not in missing.text
    assert EVIL in text(page(missing, 404).find(".//main"))


def test_each_instance_shows_its_own_leads(client: TestClient, store: Store) -> None:
    store.add_instance("acme")
    store.add_user("acme-user", "acme-secret", "acme")
    [mine] = sync(client, [{"Email": "mine@example.com"}])
    answer = client.post(
        URL,
        content=envelope(
            "<ns1:paramsSyncMultipleLeads><leadRecordList><leadRecord><Email>theirs@acme.com"
            "</Email></leadRecord></leadRecordList></ns1:paramsSyncMultipleLeads>",
            auth_header("acme-user", "acme-secret"),
        ),
    )
    [(theirs, _, _)] = read_statuses(answer.content)

    default = page(client.get("/ui/leads", params={"instance": "default"}))
    assert [row[1] for row in table(default)] == ["mine@example.com"]
    acme = page(client.get("/ui/leads", params={"instance": "acme"}))
    assert [row[1] for row in table(acme)] == ["theirs@acme.com"]
    assert acme.xpath('//select[@name="instance"]/option/text()') == ["default", "acme"]
    assert acme.xpath('//select[@name="instance"]/option[@selected]/text()') == ["acme"]
    page(client.get(f"/ui/leads/{theirs}", params={"instance": "default"}), 404)
    page(client.get(f"/ui/leads/{mine}", params={"instance": "acme"}), 404)
    page(client.get(f"/ui/leads/{theirs}", params={"instance": "acme"}))
    found = client.get("/ui/leads", params={"instance": "default", "q": "theirs@acme.com"})
    assert table(page(found)) == []
    for path in PAGES:
        page(client.get(path, params={"instance": "nowhere"}), 404)


def test_lists_with_their_members_and_campaigns(client: TestClient, store: Store) -> None:
    store.add_program("default", "Spring", None, (), 1)
    list_id = store.add_list("default", "VIP <gold>", "Spring", 1)
    store.add_list("default", "Empty", None, 1)
    store.add_campaign("default", "Welcome", "Spring", "Greets & thanks", True, 1)
    ann, bo = sync(client, [{"Email": "ann@example.com"}, {"Email": "bo@example.com"}])
    body = (
        "<ns1:paramsListOperation><listOperation>ADDTOLIST</listOperation>"
        "<listKey><keyType>MKTOLISTNAME</keyType>"
        "<keyValue>Spring.VIP &lt;gold&gt;</keyValue></listKey><listMemberList><leadKey>"
        f"<keyType>IDNUM</keyType><keyValue>{bo}</keyValue></leadKey></listMemberList>"
        "</ns1:paramsListOperation>"
    )
    assert client.post(URL, content=envelope(body)).status_code == 200

    lists = page(client.get("/ui/lists"))
    assert [row[1:] for row in table(lists)] == [["VIP <gold>", "Spring", "1"], ["Empty", "", "0"]]
    [members_link] = lists.xpath('//a[.="VIP <gold>"]/@href')
    members = page(client.get(members_link))
    assert table(members) == [[str(bo), "bo@example.com"]]
    lead = table(page(client.get(f"/ui/leads/{bo}")), "Activities, newest first")
    assert [row[2] for row in lead] == ["Add to List", "Change Data Value", "New Lead"]
    assert f"List ID: {list_id}" in lead[0][4]
    page(client.get("/ui/lists", params={"list": "424242"}), 404)

    campaigns = page(client.get("/ui/campaigns"))
    assert [row[1:] for row in table(campaigns)] == [
        ["Welcome", "Spring", "Greets & thanks", "yes"]
    ]
    assert ann > 0


def test_bad_numbers_are_a_400_page_and_unknown_leads_a_404(client: TestClient) -> None:
    for path, params in [
        ("/ui/leads", {"page": "abc"}),
        ("/ui/leads", {"page": "²"}),
        ("/ui/lists", {"list": "-1"}),
    ]:
        doc = page(client.get(path, params=params), 400)
        assert "must be an id" in text(doc.find(".//main"))
    for path in ("/ui/leads/999", "/ui/leads/abc", "/ui/leads/²", "/ui/leads/" + "9" * 30):
        page(client.get(path), 404)
    [lead_id] = sync(client, [{"Email": "one@example.com"}])
    page(client.get(f"/ui/leads/{lead_id}", params={"before": "x"}), 400)


def test_every_page_refers_only_to_this_server(client: TestClient) -> None:
    sync(client, [{"Email": "only@example.com"}])
    for path in (*PAGES, "/ui/leads/1"):
        response = client.get(path)
        doc = page(response)
        policy = response.headers["content-security-policy"]
        assert policy.startswith("default-src 'none'; style-src 'sha256-")
        assert doc.xpath("//script[@src] | //img | //iframe") == []
        assert doc.xpath("//link/@href") == ["data:,"]  # the icon: no favicon request
        for href in doc.xpath("//a/@href | //form/@action"):
            assert href.startswith(("/", "http://testserver/")), (path, href)


@dataclass(frozen=True)
class Call:
    time: datetime
    operation: str
    instance: str
    status: str
    fault: int | None = None


class FakeJournal:
    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []

    def entries(self, *, instance: str, limit: int) -> list[object]:
        self.asked.append((instance, limit))
        moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        return [  # oldest first, as a journal appends
            (1_767_323_045_000_000, "GET /rest/v1/leads.json", instance, "<ok>"),
            Call(moment, "syncMultipleLeads", instance, "500", 20103),
        ]


def test_the_journal_is_off_without_a_journal_and_refreshes_with_one(
    client: TestClient, store: Store
) -> None:
    browse = Services.over(store).browse
    off = TestClient(Starlette(routes=web_routes(browse, None)))
    response = off.get("/ui/journal")
    assert "The journal is off" in text(page(response))
    assert page(response).xpath("//script") == []

    journal = FakeJournal()
    on = TestClient(Starlette(routes=web_routes(browse, journal)))
    response = on.get("/ui/journal", params={"instance": "default"})
    doc = page(response)
    assert table(doc) == [
        ["2026-01-02 03:04:05+00:00", "syncMultipleLeads", "default", "500 (fault 20103)"],
        ["2026-01-02 03:04:05 UTC", "GET /rest/v1/leads.json", "default", "<ok>"],
    ]
    assert journal.asked == [("default", 100)]
    [script] = doc.xpath("//script/text()")
    assert "getElementById('journal')" in script
    assert "script-src 'sha256-" in response.headers["content-security-policy"]
    assert doc.get_element_by_id("journal") is not None


@pytest.mark.parametrize("path", PAGES)
def test_the_full_app_serves_each_page(client: TestClient, path: str) -> None:
    doc = page(client.get(path))
    assert doc.xpath('//nav/a[@aria-current="page"]/@href') == [f"{path}?instance=default"]
    assert client.head(path).status_code == 200
