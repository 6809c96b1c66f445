"""The ``leadsync`` pytest plugin (entry point ``pytest11``): ``leadsync_server``, one real
server for the session, and ``leadsync``, the same server reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from leadsync.testing.server import LeadsyncServer


@pytest.fixture(scope="session")
def leadsync_server() -> Iterator[LeadsyncServer]:
    """A real ``leadsync serve`` on a free port with a temporary store, for the session."""
    server = LeadsyncServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def leadsync(leadsync_server: LeadsyncServer) -> Iterator[LeadsyncServer]:
    """The session's server, reset (leads, history, journal, fault rules) before the test."""
    leadsync_server.reset()
    yield leadsync_server
