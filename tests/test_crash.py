"""Crash safety: SIGKILL at random moments under load loses nothing acknowledged (nor any
of its history), and never leaves a call half applied; SIGTERM lets in-flight calls
finish and exits 0."""

from __future__ import annotations

import http.client
import os
import random
import re
import signal
import socket
import threading
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from leadsync.activities import CHANGE_DATA_VALUE, NEW_LEAD, Activity
from leadsync.model import Lead
from leadsync.store import Store, open_store
from tests.server import ServerProcess
from tests.soap import read_statuses, sync_request
from tests.waiting import eventually

pytestmark = pytest.mark.e2e

KILLS = 6
NEW_PER_CALL = 10
UPDATES_PER_CALL = 5


@dataclass
class Ledger:
    """What the client was told, and what it sent without an answer."""

    acked: dict[str, tuple[int, str]] = field(default_factory=dict)  # email -> (id, value)
    unacked: list[tuple[list[str], list[str], str]] = field(default_factory=list)
    calls: int = 0


def _load(base: str, ledger: Ledger, rng: random.Random, stop: threading.Event) -> None:
    parts = urlsplit(base)
    while not stop.is_set():
        ledger.calls += 1
        tag = f"call-{ledger.calls}"
        new = [f"{tag}-{i}@crash.example" for i in range(NEW_PER_CALL)]
        known = list(ledger.acked)
        old = rng.sample(known, min(UPDATES_PER_CALL, len(known)))
        records = [{"Email": e, "attrs": {"Company": tag}} for e in new + old]
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        try:
            conn.request("POST", parts.path, sync_request(records))
            response = conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            ledger.unacked.append((new, old, tag))
            return  # the server is gone; the next round starts a new one
        finally:
            conn.close()
        assert response.status == 200, body
        for email, (lead_id, status, error) in zip(new + old, read_statuses(body), strict=True):
            assert status in ("CREATED", "UPDATED") and error is None
            ledger.acked[email] = (lead_id, tag)


def _reached(ledger: Ledger, calls: int, load: threading.Thread) -> bool:
    return ledger.calls >= calls or not load.is_alive()


def test_sigkill_under_load_loses_nothing_acknowledged(store: Store, db: str) -> None:
    rng = random.Random(20261128)
    ledger = Ledger()
    store.close()
    for _ in range(KILLS):
        server = ServerProcess(db).start()  # a clean start each time, or this raises
        stop = threading.Event()
        load = threading.Thread(target=_load, args=(server.endpoint, ledger, rng, stop))
        load.start()
        # Killed while the k-th call of this round is being sent or applied.
        target = ledger.calls + rng.randint(1, 8)
        eventually(partial(_reached, ledger, target, load), "the load's calls")
        server.kill()
        load.join(timeout=30)
        stop.set()
        server.stop()

    assert len(ledger.unacked) <= KILLS and ledger.calls > KILLS
    final = open_store(db)
    try:
        leads = {lead.email: lead for lead in final.iter_leads()}
        history = list(final.iter_activities("default"))
    finally:
        final.close()
    _check_history(leads, history, ledger)
    late_tags = {tag for _, _, tag in ledger.unacked}
    for email, (lead_id, value) in ledger.acked.items():
        lead = leads[email]
        assert lead.id == lead_id
        # The last acknowledged value, unless an unanswered later call committed.
        assert lead.attributes["Company"] == value or lead.attributes["Company"] in late_tags
    for new, _, tag in ledger.unacked:
        present = [email for email in new if email in leads]
        assert present in ([], new), f"{tag} half applied: {len(present)} of {len(new)}"
        assert all(leads[e].attributes["Company"] == tag for e in present)
    assert len(ledger.acked) >= NEW_PER_CALL


def _check_history(leads: dict[str | None, Lead], history: list[Activity], ledger: Ledger) -> None:
    """Every committed call has all its activities, and no other call has any: one New
    Lead a lead, a Company change for each value a lead was given (tags are unique to
    their call), and each lead's latest change is its value now."""
    by_id = {lead.id: lead for lead in leads.values()}
    created = Counter(a.lead_id for a in history if a.kind == NEW_LEAD.id)
    assert created == Counter(list(by_id))
    changes: dict[int, list[str | None]] = {}
    for activity in history:
        if activity.kind == CHANGE_DATA_VALUE.id and activity.asset == "Company Name":
            changes.setdefault(activity.lead_id, []).append(activity.values[2])
    for lead in by_id.values():
        assert changes[lead.id][-1] == lead.attributes["Company"]
    given = {tag for values in changes.values() for tag in values}
    for email, (lead_id, tag) in ledger.acked.items():
        assert tag in changes[lead_id], (email, tag)
    for new, old, tag in ledger.unacked:
        committed = new[0] in leads
        assert (tag in given) == committed, tag
        for email in new + old if committed else ():
            assert tag in changes[leads[email].id], (email, tag)


def test_sigterm_finishes_in_flight_calls_refuses_new_ones_and_exits_0(
    store: Store, db: str
) -> None:
    server = ServerProcess(db).start()
    parts = urlsplit(server.endpoint)
    records = [{"Email": f"term{i}@x.com", "attrs": {"Company": "T"}} for i in range(300)]
    body = sync_request(records)
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    assert server.process is not None
    with socket.create_connection((parts.hostname or "", parts.port or 0), timeout=30) as sock:
        # The call is in flight: the server has its headers and half its body.
        sock.sendall(head + body[: len(body) // 2])
        eventually(lambda: _in_flight(server) == 1, "the call in flight")
        server.process.send_signal(signal.SIGTERM)
        eventually(lambda: _refused(parts.hostname or "", parts.port or 0), "refusal")
        sock.sendall(body[len(body) // 2 :])
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 200 OK"
    statuses = read_statuses(rest.partition(b"\r\n\r\n")[2])
    assert [s[1] for s in statuses] == ["CREATED"] * 300
    assert server.process.wait(timeout=30) == 0
    server.stop()
    final = open_store(db)
    try:
        assert len(list(final.iter_leads())) == 300
    finally:
        final.close()


def _in_flight(server: ServerProcess) -> float:
    text = urllib.request.urlopen(f"{server.base_url}/metrics", timeout=10).read().decode()
    match = re.search(r"^leadsync_calls_in_flight (\S+)$", text, re.MULTILINE)
    return float(match[1]) if match else 0.0


def _refused(host: str, port: int) -> bool:
    """Whether a new connection is refused (one that is accepted is closed at once)."""
    try:
        socket.create_connection((host, port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def _workers(parent: int) -> list[int]:
    """The parent's worker processes (multiprocessing's spawn_main); a child that exits
    while it is looked at is none."""
    found = []
    for pid in _children(parent):
        try:
            if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text():
                found.append(pid)
        except FileNotFoundError:
            continue
    return found


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:  # a thread may end while it is looked at
            found += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return found


def test_workers_share_calls_survive_a_dead_worker_and_stop_cleanly(store: Store, db: str) -> None:
    server = ServerProcess(db, ("--workers", "2")).start()
    assert server.process is not None
    try:
        parts = urlsplit(server.endpoint)
        connections = [
            http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
            for _ in range(4)
        ]
        for i, conn in enumerate(connections):
            conn.request("POST", parts.path, sync_request([{"Email": f"w{i}@x.com"}]))
            assert read_statuses(conn.getresponse().read())[0][1] == "CREATED"
            conn.close()
        workers = _workers(server.process.pid)
        assert len(workers) == 2
        os.kill(workers[0], signal.SIGKILL)

        parent = server.process.pid

        def replaced() -> bool:
            alive = _workers(parent)
            return len(alive) == 2 and workers[0] not in alive

        eventually(replaced, "the parent to start another worker")
        for i in range(6):  # every connection is served, whichever worker it goes to
            conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
            conn.request("POST", parts.path, sync_request([{"Email": f"after{i}@x.com"}]))
            assert conn.getresponse().status == 200
            conn.close()
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) == 0
    finally:
        server.stop()
