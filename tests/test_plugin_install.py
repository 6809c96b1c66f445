"""The pytest plugin from a scratch project that only ``pip install``s leadsync: a new
virtualenv, ``pip install <this checkout> pytest``, a test file using the ``leadsync``
fixture, and pytest run in it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.clients

ROOT = Path(__file__).resolve().parents[1]
SCRATCH_TEST = '''
from leadsync import Client


def test_a_lead_through_the_plugin(leadsync):
    with Client(leadsync.soap_endpoint, leadsync.soap_user, leadsync.soap_key) as soap:
        [made] = soap.sync_multiple_leads([{"Email": "p@scratch.test"}])
    assert made.status.value == "CREATED"
    assert [e["operation"] for e in leadsync.journal()] == ["syncMultipleLeads"]


def test_reset_between_tests(leadsync):
    assert leadsync.journal() == []
'''


def test_a_scratch_project_gets_the_plugin_from_pip(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    installed = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", str(ROOT), "pytest"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr[-2000:]
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_scratch.py").write_text(SCRATCH_TEST)
    ran = subprocess.run(
        [str(venv / "bin" / "pytest"), "-q", "-p", "no:cacheprovider"],
        cwd=project, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stdout[-3000:]
    assert "2 passed" in ran.stdout
