"""An importToList job survives ``kill -9`` of the server importing it: a server started
again takes the job over (once its claim is stale) and finishes it; every row ends
imported once, every lead a member, nothing reported half done."""

from __future__ import annotations

import http.client
import time
from urllib.parse import urlsplit

import pytest
from lxml import etree

from leadsync.imports import CLAIM_TIMEOUT_S
from leadsync.store import Store
from tests.server import ServerProcess, post
from tests.soap import envelope

pytestmark = pytest.mark.e2e

ROWS = 30_000
STATUS = envelope(
    "<ns1:paramsGetImportToListStatus><programName>P</programName><listName>Big</listName>"
    "</ns1:paramsGetImportToListStatus>"
)


def _status(server: ServerProcess) -> tuple[str, int]:
    parts = urlsplit(server.endpoint)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        tree = etree.fromstring(post(conn, parts.path, STATUS))
    finally:
        conn.close()
    return tree.findtext(".//status") or "", int(tree.findtext(".//rowsImported") or 0)


def test_an_import_killed_mid_job_is_finished_by_the_next_server(store: Store, db: str) -> None:
    store.add_program("default", "P", None, (), 1)
    list_id = store.add_list("default", "Big", "P", 1)
    rows = "".join(f"<stringItem>imp{i}@x.com,Name {i}</stringItem>" for i in range(ROWS))
    body = envelope(
        "<ns1:paramsImportToList><programName>P</programName>"
        "<importFileHeader>Email Address,Last Name</importFileHeader>"
        f"<importFileRows>{rows}</importFileRows><importListMode>UPSERTLEADS</importListMode>"
        "<listName>Big</listName><clearList>false</clearList></ns1:paramsImportToList>"
    )
    first = ServerProcess(db).start()
    try:
        parts = urlsplit(first.endpoint)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
        assert b"<importStatus>PROCESSING</importStatus>" in post(conn, parts.path, body)
        conn.close()
        deadline = time.monotonic() + 60
        while _status(first)[1] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        status, imported = _status(first)
        assert (status, 0 < imported < ROWS) == ("PROCESSING", True)
    finally:
        first.kill()
        first.stop()  # reads what it printed, closes its pipe
    second = ServerProcess(db).start()
    try:
        deadline = time.monotonic() + CLAIM_TIMEOUT_S + 60
        while _status(second)[0] == "PROCESSING" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _status(second) == ("COMPLETE", ROWS)
    finally:
        second.stop()
    assert store.list_size(list_id) == ROWS
    adds = [a for a in store.iter_activities("default") if a.kind_info.name == "Add to List"]
    assert len(adds) == ROWS  # a chunk done again adds no member twice
    news = [a for a in store.iter_activities("default") if a.kind_info.name == "New Lead"]
    assert len(news) == ROWS
