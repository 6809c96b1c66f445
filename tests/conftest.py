from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from leadsync.config import Settings
from leadsync.http.app import create_app
from leadsync.store import SqliteStore, Store, open_store
from tests.clients.harness import require
from tests.pg import pg_store_url
from tests.rest import Rest, add_client, token
from tests.server import ServerProcess
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
        with pg_store_url() as url:
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
def two_workers(store: Store, db: str) -> Iterator[ServerProcess]:
    """A real ``leadsync serve --workers 2`` on each back end's fresh store."""
    running = ServerProcess(db, ("--workers", "2")).start()
    yield running
    running.stop()


@pytest.fixture
def settings(db: str) -> Settings:
    return Settings(db=db)


@pytest.fixture
def wire_client(sqlite_store: SqliteStore, db_path: str) -> Iterator[TestClient]:
    """The app on SQLite alone: for what is about the wire (dialects, parsing, faults),
    which is the same whatever the store."""
    app = create_app(sqlite_store, Settings(db=db_path))
    with TestClient(app, raise_server_exceptions=False) as tc:
        yield tc


@pytest.fixture
def client(store: Store, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(store, settings), raise_server_exceptions=False) as tc:
        yield tc


@pytest.fixture
def rest(store: Store, settings: Settings) -> Iterator[Rest]:
    """The app on each back end, with a REST client and its token."""
    add_client(store)
    with TestClient(create_app(store, settings), raise_server_exceptions=False) as http:
        yield Rest(http, token(http))


@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1 and its key (openssl's)."""
    require("openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture(autouse=True)
def _processes_only_in_e2e(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that starts a process must be marked e2e (or clients): `make test-fast`
    leaves those out, and stays fast."""
    if request.node.get_closest_marker("e2e") or request.node.get_closest_marker("clients"):
        return

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"{request.node.nodeid} starts a process: mark it e2e")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
