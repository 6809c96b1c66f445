from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from leadsync.app import create_app
from leadsync.config import Settings
from leadsync.store import SqliteStore, Store, open_store
from tests.pg import pg_schema
from tests.soap import DEMO_SECRET, DEMO_USER

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    """A SQLite file path, for what is about SQLite or the file-based CLI."""
    return str(tmp_path / "leads.db")


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, db_path: str) -> Iterator[str]:
    """The ``--db`` value of a fresh store: a SQLite file, then a PostgreSQL schema."""
    if request.param == "sqlite":
        yield db_path
    else:
        with pg_schema() as url:
            yield url


@pytest.fixture
def store(db: str) -> Iterator[Store]:
    """A fresh store on each back end, with the demo user."""
    opened = open_store(db)
    opened.add_user(DEMO_USER, DEMO_SECRET)
    yield opened
    opened.close()


@pytest.fixture
def sqlite_store(db_path: str) -> Iterator[SqliteStore]:
    opened = SqliteStore(db_path)
    opened.add_user(DEMO_USER, DEMO_SECRET)
    yield opened
    opened.close()


@pytest.fixture
def settings(db: str) -> Settings:
    return Settings(db=db)


@pytest.fixture
def client(store: Store, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(store, settings), raise_server_exceptions=False) as tc:
        yield tc
