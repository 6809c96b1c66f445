"""A real ``leadsync serve`` for a test session: a temporary store with a SOAP user and
a REST client, the admin API on (loopback), and methods for what tests ask of it."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import httpx

SOAP_USER = "leadsync_test_user"
CLIENT_ID = "leadsync-test-client"


class LeadsyncServer:
    """``start()`` it (the fixture does): ``soap_endpoint``, ``rest_endpoint``,
    ``identity_endpoint``, ``soap_user`` / ``soap_key``, ``client_id`` /
    ``client_secret``; ``reset()``, ``seed(rows)``, ``journal()``, ``fail(...)``."""

    def __init__(self, directory: str | None = None, extra_args: Iterable[str] = ()) -> None:
        self._owned = tempfile.TemporaryDirectory(prefix="leadsync-") if directory is None else None
        self.directory = Path(directory or self._owned.name)  # type: ignore[union-attr]
        self.db = str(self.directory / "leadsync.db")
        self.soap_user = SOAP_USER
        self.soap_key = secrets.token_hex(16)
        self.client_id = CLIENT_ID
        self.client_secret = secrets.token_urlsafe(24)
        self.base_url = ""
        self._extra = list(extra_args)
        self._process: subprocess.Popen[str] | None = None
        self._http: httpx.Client | None = None

    @property
    def soap_endpoint(self) -> str:
        return f"{self.base_url}/soap/mktows/2_2"

    @property
    def rest_endpoint(self) -> str:
        return f"{self.base_url}/rest"

    @property
    def identity_endpoint(self) -> str:
        return f"{self.base_url}/identity"

    def _leadsync(self, *args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "leadsync", *args, "--db", self.db],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"leadsync {' '.join(args[:2])} failed: {done.stderr.strip()}")

    def start(self) -> LeadsyncServer:
        self._leadsync("users", "add", self.soap_user, "--secret", self.soap_key)
        self._leadsync(
            "rest-clients", "add", "tests", "--client-id", self.client_id,
            "--client-secret", self.client_secret,
        )  # fmt: skip
        command = [
            sys.executable, "-m", "leadsync", "serve", "--db", self.db, "--port", "0",
            "--workers", "1", "--admin", "--log-level", "warning", *self._extra,
        ]  # fmt: skip
        self._process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert self._process.stdout is not None
        seen = []
        for line in self._process.stdout:
            seen.append(line)
            if line.startswith("endpoint:"):
                self.base_url = line.split()[1].rsplit("/soap/", 1)[0]
            if line.startswith("users:"):
                break
        else:
            raise RuntimeError("leadsync serve exited early:\n" + "".join(seen))
        self._http = httpx.Client(base_url=self.base_url, timeout=60)
        return self

    def stop(self) -> None:
        if self._http is not None:
            self._http.close()
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
        if self._process is not None and self._process.stdout is not None:
            self._process.stdout.close()
        if self._owned is not None:
            self._owned.cleanup()

    def _admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        assert self._http is not None, "start() the server first"
        response = self._http.request(method, f"/leadsync-api{path}", **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"admin API {path}: {response.status_code} {response.text}")
        return response

    def reset(self, instance: str | None = None) -> None:
        """Leads, their history, list memberships, objects, the journal and the fault
        rules go; users, REST clients, fields and definitions stay."""
        self._admin("POST", "/reset", params={"instance": instance} if instance else None)
        self._admin("DELETE", "/faults")

    def seed(self, rows: Iterable[Mapping[str, Any]], instance: str = "default") -> list[int]:
        """Leads applied as syncMultipleLeads would (SOAP names: ``Email``,
        ``FirstName``, ...); their ids, 0 for a row that failed."""
        body = b"".join(json.dumps(dict(row)).encode() + b"\n" for row in rows)
        answer = self._admin("POST", "/seed", params={"instance": instance}, content=body)
        return [int(r["id"]) for r in answer.json()["result"]]

    def seed_csv(self, text: str, instance: str = "default") -> list[int]:
        """Leads from CSV text with a header row (``leadsync leads export``'s columns)."""
        answer = self._admin(
            "POST", "/seed", params={"instance": instance}, content=text.encode(),
            headers={"Content-Type": "text/csv"},
        )  # fmt: skip
        return [int(r["id"]) for r in answer.json()["result"]]

    def journal(self, operation: str | None = None) -> list[dict[str, Any]]:
        """The calls the server answered since the last reset, oldest first."""
        params = {"operation": operation} if operation else None
        text = self._admin("GET", "/journal", params=params).text
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def fail(
        self,
        operation: str,
        code: int | None = None,
        *,
        status: int | None = None,
        latency_ms: int = 0,
        probability: float = 1.0,
        count: int | None = None,
    ) -> int:
        """Make calls of ``operation`` (a SOAP operation such as syncMultipleLeads, a REST
        handler such as sync_leads, or "*") fail with ``code`` (or answer ``status``, or
        wait); the rule's id."""
        rule = {
            "operation": operation, "code": code, "status": status, "latency_ms": latency_ms,
            "probability": probability, "count": count,
        }  # fmt: skip
        return int(self._admin("POST", "/faults", json=rule).json()["id"])
