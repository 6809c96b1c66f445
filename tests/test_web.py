"""The web page in a real headless Chromium (Debian's ``chromium``, driven by Playwright
through its ``executable_path``; Playwright's own browsers are never downloaded).

A real server: leads synced over SOAP with leadsync's client, then found on the page,
opened, their activities seen; a second instance's leads stay out of the first's pages;
a value holding ``<script>`` is shown as text; every request the browser makes goes to
the server itself; the page fits a phone's width. The journal's refresh runs against a
journal served in process. Missing chromium or Playwright skips outside CI and fails in
CI (CI=true), as the client toolchains do.

``WEB_SCREENSHOT=docs/web.png`` also writes the README's screenshot of the leads page.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette

import leadsync
from leadsync.service import Services
from leadsync.store import open_store
from leadsync.web import web_routes
from tests.clients.harness import require
from tests.server import ServerProcess
from tests.soap import DEMO_SECRET, DEMO_USER
from tests.waiting import eventually

pytestmark = pytest.mark.clients

EVIL = "<script>window.pwned=1</script>"
ACME_USER, ACME_SECRET = "acme_1_0123456789ABCDEF", "acme-secret-key"
PHONE = {"width": 390, "height": 844}
PEOPLE = [
    ("ada@example.com", "Ada", "Lovelace", "Analytical Engines"),
    ("grace@example.com", "Grace", "Hopper", "US Navy"),
    ("alan@example.com", "Alan", "Turing", "NPL"),
    ("katherine@example.com", "Katherine", "Johnson", "NASA"),
    ("edsger@example.com", "Edsger", "Dijkstra", "Burroughs"),
]


def _sync_api() -> Any:
    """Playwright's sync API, or skip (outside CI) / fail (in CI) without it."""
    require("chromium")
    try:
        from playwright import sync_api
    except ImportError:
        reason = "missing playwright (pip install -e '.[dev]')"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return sync_api


@pytest.fixture
def browser() -> Iterator[Any]:
    sync_api = _sync_api()
    with sync_api.sync_playwright() as playwright:
        executable = shutil.which("chromium") or "/usr/bin/chromium"
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def server(db_path: str) -> Iterator[ServerProcess]:
    store = open_store(db_path)
    store.add_user(DEMO_USER, DEMO_SECRET)
    store.add_instance("acme")
    store.add_user(ACME_USER, ACME_SECRET, "acme")
    store.close()
    running = ServerProcess(db_path).start()
    yield running
    running.stop()


class Watch:
    """What a page did: every request's URL, console errors, dialogs, navigations."""

    def __init__(self, page: Any) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.navigations = 0
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("dialog", self._dialog)
        page.on("framenavigated", self._navigated)
        self._page = page

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _navigated(self, frame: Any) -> None:
        if frame == self._page.main_frame:
            self.navigations += 1


def test_a_browser_finds_synced_leads_opens_one_and_sees_its_activities(
    browser: Any, server: ServerProcess, tmp_path: Path
) -> None:
    with leadsync.Client(server.endpoint, DEMO_USER, DEMO_SECRET) as client:
        records = [
            {"Email": email, "FirstName": first, "LastName": last, "Company": company}
            for email, first, last, company in PEOPLE
        ]
        created = client.sync_multiple_leads(records)
        assert [r.status for r in created] == ["CREATED"] * len(PEOPLE)
        client.sync_multiple_leads([{"Email": "ada@example.com", "Company": "Babbage & Co"}])
    with leadsync.Client(server.endpoint, ACME_USER, ACME_SECRET) as acme:
        [hidden] = acme.sync_multiple_leads([{"Email": "hidden@acme.example"}])
    ada = created[0].lead_id

    page = browser.new_page(viewport={"width": 1100, "height": 520})
    watch = Watch(page)
    page.goto(server.base_url + "/")
    assert page.locator("h1").inner_text() == "This server's endpoints"
    assert server.endpoint in page.locator("main table").inner_text()
    page.locator("nav").get_by_role("link", name="Leads").click()
    page.wait_for_url("**/ui/leads?instance=default")
    listed = page.locator("main tbody tr")
    assert listed.count() == len(PEOPLE)
    assert "hidden@acme.example" not in page.locator("main").inner_text()
    screenshot = tmp_path / "web.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000
    if os.environ.get("WEB_SCREENSHOT"):
        shutil.copyfile(screenshot, os.environ["WEB_SCREENSHOT"])

    page.get_by_role("searchbox").fill("ADA@example.com")
    page.get_by_role("button", name="Find").click()
    page.wait_for_url("**q=ADA%40example.com**")
    assert page.locator("main tbody tr").count() == 1
    page.get_by_role("link", name="ada@example.com").click()
    page.wait_for_url(f"**/ui/leads/{ada}?instance=default")
    assert page.locator("h1").inner_text() == f"Lead {ada}: ada@example.com"
    fields = page.locator("h2:text-is('Fields') + div tbody tr")
    first_name = fields.filter(has_text="firstName").inner_text().split("\t")
    assert first_name == ["First Name", "FirstName", "firstName", "string", "Ada"]
    company = fields.filter(has_text="company").inner_text().split("\t")
    assert company[-1] == "Babbage & Co"
    activities = page.locator("h2:text-is('Activities, newest first') + div tbody tr")
    kinds = [row.split("\t")[2] for row in activities.all_inner_texts()]
    assert kinds == ["Change Data Value"] * 5 + ["New Lead"]  # Company, then the creation's
    change = activities.first.inner_text()
    assert "Old Value: Analytical Engines" in change and "New Value: Babbage & Co" in change

    # The other instance: its lead is not the default's, and the picker shows it.
    elsewhere = page.goto(f"{server.base_url}/ui/leads/{hidden.lead_id}?instance=default")
    assert elsewhere is not None and elsewhere.status == 404
    page.goto(server.base_url + "/ui/leads?instance=default")
    page.locator("select[name=instance]").select_option("acme")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/ui/leads?instance=acme")
    assert [row.split("\t")[1] for row in page.locator("main tbody tr").all_inner_texts()] == [
        "hidden@acme.example"
    ]

    # A value with markup in it is text on the page, and nothing of it runs.
    with leadsync.Client(server.endpoint, DEMO_USER, DEMO_SECRET) as client:
        [evil] = client.sync_multiple_leads([{"Email": "evil@example.com", "FirstName": EVIL}])
    page.goto(f"{server.base_url}/ui/leads/{evil.lead_id}?instance=default")
    assert fields.filter(has_text="firstName").locator("td").last.inner_text() == EVIL
    assert page.locator("td", has_text=f"New Value: {EVIL}").count() == 1
    assert page.evaluate("window.pwned") is None
    page.goto(server.base_url + "/ui/leads?instance=default")
    assert page.locator("td", has_text=EVIL).count() == 1
    assert page.evaluate("window.pwned") is None

    for path in ("/ui/lists", "/ui/campaigns", "/ui/journal"):
        page.goto(server.base_url + path)
    assert "The journal is off" in page.locator("main").inner_text()

    assert watch.dialogs == []
    assert watch.requests and all(
        url.startswith(server.base_url + "/") for url in watch.requests
    ), watch.requests
    assert watch.errors == [
        "Failed to load resource: the server responded with a status of 404 (Not Found)"
    ]  # the other instance's lead


def test_the_pages_fit_a_phone(browser: Any, server: ServerProcess) -> None:
    with leadsync.Client(server.endpoint, DEMO_USER, DEMO_SECRET) as client:
        long = "x" * 300 + "@example.com"
        [lead] = client.sync_multiple_leads([{"Email": long, "Address": "y " * 400}])
    page = browser.new_page(viewport=PHONE, is_mobile=True)
    for path in ("/", "/ui/leads", f"/ui/leads/{lead.lead_id}", "/ui/journal"):
        page.goto(server.base_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)


class CountingJournal:
    """A journal whose every read holds one call more than the last."""

    def __init__(self) -> None:
        self.reads = 0

    def entries(self, *, instance: str, limit: int) -> list[tuple[str, str, str, str]]:
        self.reads += 1
        return [("12:00:00", f"call {n}", instance, "200") for n in range(1, self.reads + 1)]


@pytest.fixture
def journal_server(db_path: str) -> Iterator[tuple[str, CountingJournal]]:
    """The page's routes over a counting journal, served by uvicorn on a thread."""
    store = open_store(db_path)
    journal = CountingJournal()
    app = Starlette(routes=web_routes(Services.over(store).browse, journal))
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    served = uvicorn.Server(config)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    thread = threading.Thread(target=served.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    eventually(lambda: served.started, "uvicorn to start")
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", journal
    served.should_exit = True
    thread.join(timeout=10)
    sock.close()
    store.close()


def test_the_journal_refreshes_in_place(
    browser: Any, journal_server: tuple[str, CountingJournal]
) -> None:
    base, journal = journal_server
    page = browser.new_page()
    watch = Watch(page)
    page.goto(base + "/ui/journal")
    assert page.locator("#journal tbody tr").first.inner_text().split("\t")[1] == "call 1"
    sync_api = _sync_api()
    first = page.locator("#journal tbody tr").first
    sync_api.expect(first).to_contain_text("call 3", timeout=15_000)
    assert journal.reads >= 3
    assert watch.navigations == 1  # the table was replaced, the page not reloaded
    assert watch.errors == []  # the policy let the script run (a refused one logs an error)
    assert all(url.startswith(base + "/") for url in watch.requests)
