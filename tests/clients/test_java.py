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

from tests.clients.harness import CLIENTS, require, run_scenario
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


def javac(cp: str, sources: Path, client: Path, classes: Path) -> None:
    """Compile the generated stubs and the client in one go."""
    files = sorted(str(path) for path in sources.rglob("*.java"))
    assert files, f"no stubs generated in {sources}"
    classes.mkdir()
    argv = ["javac", "-nowarn", "-encoding", "UTF-8", "-cp", cp, "-d", str(classes)]
    run([*argv, *files, str(client)], cwd=sources)


def test_jaxws(server: ServerProcess, tmp_path: Path) -> None:
    require("wsimport", "javac", "java")
    cp = classpath(JAXWS_JARS)
    sources, classes = tmp_path / "src", tmp_path / "classes"
    sources.mkdir()
    wsdl = server.endpoint + "?WSDL"
    # -XadditionalHeaders maps the implicit AuthenticationHeader into the port method, giving
    # the vendor sample's port.syncMultipleLeads(request, header).
    wsimport = ["wsimport", "-Xnocompile", "-XadditionalHeaders", "-p", "com.marketo.mktows"]
    run([*wsimport, "-s", str(sources), "-d", str(sources), wsdl], cwd=tmp_path)
    javac(cp, sources, CLIENTS / "java" / "jaxws" / "SyncMultipleLeads.java", classes)
    run_scenario(
        server,
        "jaxws",
        ["java", *JAVA_OPTS, "-cp", classpath(JAXWS_JARS, classes), "SyncMultipleLeads"],
        cwd=tmp_path,
        read_back=True,
    )


def test_axis(server: ServerProcess, tmp_path: Path) -> None:
    require("javac", "java")
    cp = classpath(AXIS_JARS)
    sources, classes = tmp_path / "src", tmp_path / "classes"
    wsdl = server.endpoint + "?WSDL"
    wsdl2java = ["java", "-cp", cp, "org.apache.axis.wsdl.WSDL2Java", "-p", "com.marketo.mktows"]
    run([*wsdl2java, "-o", str(sources), wsdl], cwd=tmp_path)
    javac(cp, sources, CLIENTS / "java" / "axis" / "SyncMultipleLeads.java", classes)
    run_scenario(
        server,
        "axis",
        ["java", *JAVA_OPTS, "-cp", classpath(AXIS_JARS, classes), "SyncMultipleLeads"],
        cwd=tmp_path,
        read_back=True,
    )
