from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from leadsync.app import create_app
from leadsync.config import Settings
from leadsync.store import SqliteStore
from tests.soap import DEMO_SECRET, DEMO_USER


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "leads.db")


@pytest.fixture
def store(db_path: str) -> Iterator[SqliteStore]:
    opened = SqliteStore(db_path)
    opened.add_user(DEMO_USER, DEMO_SECRET)
    yield opened
    opened.close()


@pytest.fixture
def settings(db_path: str) -> Settings:
    return Settings(db=db_path)


@pytest.fixture
def client(store: SqliteStore, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(store, settings), raise_server_exceptions=False) as tc:
        yield tc
