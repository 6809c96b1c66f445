"""A real ``leadsync serve`` process on a free port, for end-to-end tests."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ServerProcess:
    db: str
    args: tuple[str, ...] = ()
    process: subprocess.Popen[str] | None = None
    base_url: str = ""
    banner: list[str] = field(default_factory=list)
    log: str = ""  # what the server printed after its banner, read by stop()

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/soap/mktows/2_2"

    def start(self) -> ServerProcess:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "leadsync",
                "serve",
                "--db",
                self.db,
                "--port",
                "0",
                "--log-level",
                "warning",
                *(() if "--workers" in self.args else ("--workers", "1")),
                *self.args,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        self.banner = []
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("server exited early:\n" + "".join(self.banner))
            self.banner.append(line)
            if line.startswith("endpoint:"):
                self.base_url = line.split()[1].rsplit("/soap/", 1)[0]
            if line.startswith("users:"):
                return self

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.process is not None and self.process.stdout is not None:
            self.log += self.process.stdout.read()
            self.process.stdout.close()


def export(db: str) -> list[dict[str, Any]]:
    """Every stored lead, through ``leadsync leads export``."""
    out = subprocess.run(
        [sys.executable, "-m", "leadsync", "leads", "export", "--db", db],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [json.loads(line) for line in out.splitlines()]


def post(conn: http.client.HTTPConnection, path: str, body: bytes) -> bytes:
    """POST a SOAP body on a kept-alive connection; the answer's bytes (HTTP 200 asserted)."""
    conn.request("POST", path, body, {"Content-Type": "text/xml; charset=utf-8"})
    response = conn.getresponse()
    answer = response.read()
    assert response.status == 200, answer
    return answer
