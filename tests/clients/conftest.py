from __future__ import annotations

from collections.abc import Iterator

import pytest

from leadsync.store import SqliteStore
from tests.server import ServerProcess


@pytest.fixture
def server(sqlite_store: SqliteStore, db_path: str) -> Iterator[ServerProcess]:
    """A real ``leadsync serve`` on a free port, with the demo user, on a fresh SQLite store.

    The client matrix is about the wire, so it runs on the default store only.
    """
    running = ServerProcess(db_path).start()
    yield running
    running.stop()
