"""The ``leadsync`` command line, on a real SQLite file."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from leadsync.cli import main
from leadsync.model import Attribute, LeadRecord
from leadsync.service.sync import sync_multiple_leads
from leadsync.store import SqliteStore, open_store

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_users_add_list_remove(db: str) -> None:
    assert run("users", "add", "u1", "--secret", "k1", "--db", db) == "added user u1\n"
    assert run("users", "add", "u1", "--secret", "k2", "--db", db) == (
        "replaced the key of user u1\n"
    )
    generated = run("users", "add", "u2", "--generate", "--db", db)
    match = re.fullmatch(r"added user u2\nsecret: ([0-9A-F]{44})\n", generated)
    assert match
    assert getattr(open_store(db).account("u2"), "secret", None) == match[1]
    assert getattr(open_store(db).account("u1"), "secret", None) == "k2"
    assert run("users", "list", "--db", db) == "u1\tdefault\nu2\tdefault\n"
    assert run("users", "remove", "u1", "--db", db) == "removed user u1\n"
    assert "Error: no user u1" in run("users", "remove", "u1", "--db", db, code=1)
    assert run("users", "list", "--db", db) == "u2\tdefault\n"


def test_users_add_needs_exactly_one_key_source(db: str) -> None:
    assert "exactly one of" in run("users", "add", "u", "--db", db, code=2)
    assert "exactly one of" in run(
        "users", "add", "u", "--secret", "s", "--generate", "--db", db, code=2
    )


def test_db_comes_from_the_environment(db_path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADSYNC_DB", db_path)
    run("users", "add", "env_user", "--secret", "s")
    assert SqliteStore(db_path).list_users() == [("env_user", "default")]


def test_the_store_file_is_private(db_path: str) -> None:
    run("users", "list", "--db", db_path)
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600


def test_a_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    out = run("users", "list", "--db", str(tmp_path / "no" / "such.db"), code=1)
    assert (
        out == f"Error: cannot create the store {tmp_path}/no/such.db: no directory {tmp_path}/no\n"
    )


def test_fields_list_and_add(db: str) -> None:
    listing = run("fields", "list", "--db", db).splitlines()
    assert "Company\tstring\tstandard" in listing
    assert "NumberOfEmployees\tinteger\tstandard" in listing
    assert run("fields", "add", "Tier", "--type", "string", "--db", db) == (
        "added field Tier (string)\n"
    )
    assert "Tier\tstring\tcustom" in run("fields", "list", "--db", db).splitlines()
    assert "clashes" in run("fields", "add", "company", "--type", "text", "--db", db, code=1)
    assert "clashes" in run("fields", "add", "tier", "--type", "text", "--db", db, code=1)
    assert "Invalid value" in run("fields", "add", "X", "--type", "blob", "--db", db, code=2)


def _seed(db: str) -> None:
    store = open_store(db)
    sync_multiple_leads(
        store,
        [
            LeadRecord(email="a@x.com", attributes=(Attribute("Company", "A, Inc."),)),
            LeadRecord(
                foreign_sys_person_id="F1",
                foreign_sys_type="SFDC",
                attributes=(Attribute("Phone", "1"),),
            ),
        ],
        now_us=1_700_000_000_000_000,
    )
    store.close()


def test_export_jsonl(db: str) -> None:
    _seed(db)
    rows = [json.loads(line) for line in run("leads", "export", "--db", db).splitlines()]
    assert rows == [
        {
            "Id": 1,
            "Email": "a@x.com",
            "ForeignSysPersonId": None,
            "ForeignSysType": None,
            "createdAt": "2023-11-14T22:13:20.000000Z",
            "updatedAt": "2023-11-14T22:13:20.000000Z",
            "Company": "A, Inc.",
        },
        {
            "Id": 2,
            "Email": None,
            "ForeignSysPersonId": "F1",
            "ForeignSysType": "SFDC",
            "createdAt": "2023-11-14T22:13:20.000001Z",
            "updatedAt": "2023-11-14T22:13:20.000001Z",
            "Phone": "1",
        },
    ]


def test_export_csv(db: str) -> None:
    _seed(db)
    rows = list(csv.reader(io.StringIO(run("leads", "export", "--format", "csv", "--db", db))))
    assert rows == [
        [
            "Id",
            "Email",
            "ForeignSysPersonId",
            "ForeignSysType",
            "createdAt",
            "updatedAt",
            "Company",
            "Phone",
        ],
        [
            "1",
            "a@x.com",
            "",
            "",
            "2023-11-14T22:13:20.000000Z",
            "2023-11-14T22:13:20.000000Z",
            "A, Inc.",
            "",
        ],
        [
            "2",
            "",
            "F1",
            "SFDC",
            "2023-11-14T22:13:20.000001Z",
            "2023-11-14T22:13:20.000001Z",
            "",
            "1",
        ],
    ]


def _commands(group: click.Group, prefix: str = "leadsync") -> list[str]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found += _commands(command, path)
        else:
            found.append(path)
    return found


def test_every_command_has_an_example_and_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    commands = _commands(main)
    assert len(commands) == 10
    for path in commands:
        assert path in readme, path
        help_text = run(*path.split()[1:], "--help")
        assert "Example:" in help_text, path
