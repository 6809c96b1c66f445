"""Java's SOAP stacks, the JAX-WS RI and Apache Axis 1.4, through the common scenario.

Each test generates stubs from the running server's own ?WSDL into pytest's tmp_path (wsimport
for JAX-WS, WSDL2Java for Axis), compiles them together with the hand-written client in
tests/clients/java/<stack>/ in one javac run, and runs the client. Nothing generated is kept.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from leadsync.store import SqliteStore
from tests.clients.campaigns import run_campaigns
from tests.clients.harness import CLIENTS, require, run_scenario
from tests.clients.lists import run_lists
from tests.server import ServerProcess

pytestmark = pytest.mark.clients

JARS = Path("/usr/share/java")
# jaxws-rt.jar's manifest Class-Path brings in JAXB, SAAJ, stax-ex, streambuffer and friends.
JAXWS_JARS = ("jaxws-rt", "commons-codec")
AXIS_JARS = (
    "axis",
    "axis-jaxrpc",
    "axis-saaj",
    "commons-discovery",
    "commons-logging",
    "wsdl4j",
    "javax.activation",
    "commons-codec",
)
JAVA_OPTS = ("-Dfile.encoding=UTF-8", "-Dstdout.encoding=UTF-8")
JAXWS_CLIENTS = tuple(
    CLIENTS / "java" / "jaxws" / f"{name}.java"
    for name in ("SyncMultipleLeads", "Lists", "Campaigns")
)


def classpath(names: Sequence[str], *extra: Path) -> str:
    """The Debian-packaged jars NAMES (skip outside CI, fail in CI, when one is missing)."""
    jars = [JARS / f"{name}.jar" for name in names]
    missing = [jar.name for jar in jars if not jar.exists()]
    if missing:
        reason = f"missing client jars: {', '.join(missing)} (scripts/install-client-toolchains.sh)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return os.pathsep.join(str(path) for path in (*extra, *jars))


def run(argv: Sequence[str], cwd: Path) -> None:
    done = subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{argv[0]} failed:\n{done.stdout}\n{done.stderr}"


def javac(cp: str, sources: Path, classes: Path, *clients: Path) -> None:
    """Compile the generated stubs and the clients in one go."""
    files = sorted(str(path) for path in sources.rglob("*.java"))
    assert files, f"no stubs generated in {sources}"
    classes.mkdir()
    argv = ["javac", "-nowarn", "-encoding", "UTF-8", "-cp", cp, "-d", str(classes)]
    run([*argv, *files, *(str(client) for client in clients)], cwd=sources)


def _jaxws_classes(server: ServerProcess, tmp_path: Path) -> Path:
    """wsimport stubs from the server's ?WSDL, compiled with the JAX-WS clients."""
    require("wsimport", "javac", "java")
    cp = classpath(JAXWS_JARS)
    sources, classes = tmp_path / "src", tmp_path / "classes"
    sources.mkdir()
    wsimport = ["wsimport", "-Xnocompile", "-XadditionalHeaders", "-p", "com.marketo.mktows"]
    run(
        [*wsimport, "-s", str(sources), "-d", str(sources), server.endpoint + "?WSDL"], cwd=tmp_path
    )
    javac(cp, sources, classes, *JAXWS_CLIENTS)
    return classes


def test_jaxws(server: ServerProcess, tmp_path: Path) -> None:
    # -XadditionalHeaders maps the implicit AuthenticationHeader into the port method, giving
    # the vendor sample's port.syncMultipleLeads(request, header).
    classes = _jaxws_classes(server, tmp_path)
    run_scenario(
        server,
        "jaxws",
        ["java", *JAVA_OPTS, "-cp", classpath(JAXWS_JARS, classes), "SyncMultipleLeads"],
        cwd=tmp_path,
        read_back=True,
    )


@pytest.mark.parametrize("scenario", ["lists", "campaigns"])
def test_jaxws_lists_and_campaigns(
    server: ServerProcess, sqlite_store: SqliteStore, tmp_path: Path, scenario: str
) -> None:
    classes = _jaxws_classes(server, tmp_path)
    argv = ["java", *JAVA_OPTS, "-cp", classpath(JAXWS_JARS, classes), scenario.title()]
    run_case = run_lists if scenario == "lists" else run_campaigns
    run_case(server, sqlite_store, "jaxws", argv)


def test_axis(server: ServerProcess, tmp_path: Path) -> None:
    require("javac", "java")
    cp = classpath(AXIS_JARS)
    sources, classes = tmp_path / "src", tmp_path / "classes"
    wsdl = server.endpoint + "?WSDL"
    wsdl2java = ["java", "-cp", cp, "org.apache.axis.wsdl.WSDL2Java", "-p", "com.marketo.mktows"]
    run([*wsdl2java, "-o", str(sources), wsdl], cwd=tmp_path)
    javac(cp, sources, classes, CLIENTS / "java" / "axis" / "SyncMultipleLeads.java")
    run_scenario(
        server,
        "axis",
        ["java", *JAVA_OPTS, "-cp", classpath(AXIS_JARS, classes), "SyncMultipleLeads"],
        cwd=tmp_path,
        read_back=True,
    )
