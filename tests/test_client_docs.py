"""docs/client.md runs: its ``python`` and ``sh`` blocks, in order, against a real server.

Blocks fenced ``python`` run in a fresh namespace each, ``sh`` blocks in bash (``-e``),
all in one scratch directory with LEADSYNC_ENDPOINT, LEADSYNC_USER_ID and LEADSYNC_SECRET
set; ``shell`` and ``text`` blocks (your own setup, sample output) are not run.
"""

from __future__ import annotations

import linecache
import os
import re
import stat
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from leadsync.store import SqliteStore
from tests.server import ServerProcess
from tests.soap import DEMO_SECRET, DEMO_USER
from tests.test_client import records_total, running

DOC = Path(__file__).resolve().parents[1] / "docs" / "client.md"
_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)
# `leadsync` on the PATH of the blocks: this checkout's CLI.
_SHIM = """#!/bin/sh
exec "{python}" -m leadsync "$@"
"""


def blocks() -> list[tuple[int, str, str]]:
    """(line, language, code) of every fenced block of the page."""
    text = DOC.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, match.start()) + 1, match[1], match[2])
        for match in _BLOCK.finditer(text)
    ]


def run_python(code: str, where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run a block as a module of its own, as ``python block.py`` would."""
    linecache.cache[where] = (len(code), None, code.splitlines(True), where)
    module = types.ModuleType("__docs__")
    monkeypatch.setitem(sys.modules, "__docs__", module)
    exec(compile(code, where, "exec", dont_inherit=True), module.__dict__)


@pytest.fixture
def server(sqlite_store: SqliteStore, db_path: str) -> Iterator[ServerProcess]:
    with running(db_path) as started:
        yield started


def test_the_page_has_runnable_examples_of_both_kinds() -> None:
    kinds = [kind for _, kind, _ in blocks()]
    assert kinds.count("python") >= 7 and kinds.count("sh") >= 2
    assert set(kinds) <= {"python", "sh", "shell", "text"}


@pytest.mark.e2e
def test_every_example_runs(
    server: ServerProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        "LEADSYNC_ENDPOINT": server.endpoint,
        "LEADSYNC_USER_ID": DEMO_USER,
        "LEADSYNC_SECRET": DEMO_SECRET,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "leadsync"
    shim.write_text(_SHIM.format(python=sys.executable))
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"

    ran = 0
    for line, kind, code in blocks():
        where = f"{DOC.name}, the block at line {line}"
        if kind == "python":
            run_python(code, where, monkeypatch)
        elif kind == "sh":
            done = subprocess.run(
                ["bash", "-e", "-o", "pipefail", "-c", code],
                env={**os.environ, "PATH": path},
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 0, f"{where}:\n{done.stdout}\n{done.stderr}"
        else:
            continue
        ran += 1
    assert ran >= 10
    # What the examples did, seen from the server.
    assert records_total(server, "CREATED") >= 1000
    assert (
        (work / "leads.csv.failed.csv")
        .read_text()
        .splitlines()[1]
        .startswith("4,edsger@example.com")
    )
