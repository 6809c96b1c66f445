from __future__ import annotations

from collections.abc import Iterator

import pytest

from leadsync.store import SqliteStore
from tests.server import ServerProcess


@pytest.fixture
def server(store: SqliteStore, db_path: str) -> Iterator[ServerProcess]:
    """A real ``leadsync serve`` on a free port, with the demo user, on a fresh store."""
    running = ServerProcess(db_path).start()
    yield running
    running.stop()
