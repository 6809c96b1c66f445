"""The ``leadsync`` command line, on a real SQLite file."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from leadsync.campaigns import RunKind
from leadsync.cli import main
from leadsync.identity import secret_matches
from leadsync.model import Attribute, LeadRecord
from leadsync.service.sync import sync_multiple_leads
from leadsync.store import SqliteStore, open_store
from tests.pg import pg_schema

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def test_users_add_list_remove(db: str) -> None:
    assert run("users", "add", "u1", "--secret", "k1", "--db", db) == "added user u1\n"
    assert run("users", "add", "u1", "--secret", "k1", "--db", db) == ("user u1: nothing changed\n")
    assert run("users", "add", "u1", "--secret", "k2", "--db", db) == (
        "user u1: replaced its key\n"
    )
    run("instances", "add", "acme", "--db", db)
    assert run("users", "add", "u1", "--secret", "k3", "--instance", "acme", "--db", db) == (
        "user u1: replaced its key and moved it to instance acme\n"
    )
    run("users", "add", "u1", "--secret", "k2", "--db", db)
    generated = run("users", "add", "u2", "--generate", "--db", db)
    match = re.fullmatch(r"added user u2\nsecret: ([0-9A-F]{44})\n", generated)
    assert match
    assert getattr(open_store(db).account("u2"), "secret", None) == match[1]
    assert getattr(open_store(db).account("u1"), "secret", None) == "k2"
    assert run("users", "list", "--db", db) == "u1\tdefault\nu2\tdefault\n"
    assert run("users", "remove", "u1", "--db", db) == "removed user u1\n"
    assert "Error: no user u1" in run("users", "remove", "u1", "--db", db, code=1)
    assert run("users", "list", "--db", db) == "u2\tdefault\n"


def test_rest_clients_add_list_remove_never_show_a_stored_secret(db: str) -> None:
    generated = run("rest-clients", "add", "crm", "--generate", "--db", db)
    match = re.fullmatch(
        r"added REST client crm\nclient id: ([0-9a-f-]{36})\nclient secret: (\S{32})\n", generated
    )
    assert match is not None, generated
    client_id, secret = match.groups()
    run("instances", "add", "acme", "--db", db)
    given = run(
        "rest-clients",
        "add",
        "ci",
        "--client-id",
        "ci-id",
        "--client-secret",
        "ci-secret",
        "--instance",
        "acme",
        "--db",
        db,
    )
    assert given == "added REST client ci (instance acme)\nclient id: ci-id\n"
    listed = run("rest-clients", "list", "--db", db)
    assert listed == f"ci\tci-id\tacme\ncrm\t{client_id}\tdefault\n"
    assert secret not in listed
    store = open_store(db)
    try:
        stored = store.rest_client("ci-id")
        assert stored is not None and "ci-secret" not in stored.secret_hash
        assert secret_matches("ci-secret", stored.secret_hash)
    finally:
        store.close()
    same = ("rest-clients", "add", "ci", "--client-id", "ci-id", "--client-secret", "ci-secret")
    assert run(*same, "--instance", "acme", "--db", db) == "REST client ci: nothing changed\n"
    assert run(*same, "--db", db) == (
        "REST client ci: replaced its credentials (its tokens are gone)\nclient id: ci-id\n"
    )
    assert "exists already" in run(
        "rest-clients",
        "add",
        "other",
        "--client-id",
        "ci-id",
        "--client-secret",
        "y",
        "--db",
        db,
        code=1,
    )
    assert "--generate" in run("rest-clients", "add", "z", "--db", db, code=2)
    assert run("rest-clients", "remove", "ci", "--db", db) == "removed REST client ci\n"
    assert "no REST client ci" in run("rest-clients", "remove", "ci", "--db", db, code=1)


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
    run("users", "add", "u", "--secret", "s", "--db", db_path)
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600


def test_a_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    out = run("users", "add", "u", "--secret", "s", "--db", str(tmp_path / "no/such.db"), code=1)
    assert (
        out == f"Error: cannot create the store {tmp_path}/no/such.db: no directory {tmp_path}/no\n"
    )


@pytest.mark.parametrize(
    "command",
    [
        ["users", "list"],
        ["users", "remove", "u"],
        ["instances", "list"],
        ["instances", "remove", "acme"],
        ["leads", "export"],
        ["fields", "list"],
        ["fields", "remove", "Tier"],
    ],
)
def test_read_only_commands_never_create_a_store(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "leadsync.db"
    assert run(*command, "--db", str(missing), code=1) == f"Error: no store at {missing}\n"
    assert list(tmp_path.iterdir()) == []


def test_a_postgres_database_without_a_store_is_no_store() -> None:
    with pg_schema() as url:
        assert run("users", "list", "--db", url, code=1) == f"Error: no store at {url}\n"
        assert run("users", "add", "u", "--secret", "s", "--db", url) == "added user u\n"
        assert run("users", "list", "--db", url) == "u\tdefault\n"


def test_a_bad_postgres_url_fails_at_once_in_one_line() -> None:
    started = time.monotonic()
    out = run("users", "list", "--db", "postgresql://postgres@127.0.0.1:1/test", code=1)
    assert time.monotonic() - started < 5
    assert out.count("\n") == 1
    assert out.startswith(
        "Error: cannot open the store postgresql://postgres@127.0.0.1:1/test: connection"
    )
    assert '"127.0.0.1", port 1 failed: Connection refused' in out


def test_instances_remove_refuses_one_in_use_unless_forced(db: str) -> None:
    run("instances", "add", "acme", "--db", db)
    run("instances", "add", "empty", "--db", db)
    run("users", "add", "a1", "--secret", "s", "--instance", "acme", "--db", db)
    store = open_store(db)
    sync_multiple_leads(store, [LeadRecord(email="a@x.com")], instance="acme")
    sync_multiple_leads(store, [LeadRecord(email="d@x.com")])
    store.close()
    assert run("instances", "remove", "acme", "--db", db, code=1) == (
        "Error: the instance acme has 1 user and 1 lead; remove it with them with --force\n"
    )
    assert run("instances", "remove", "empty", "--db", db) == (
        "removed instance empty (0 users, 0 leads)\n"
    )
    assert run("instances", "remove", "acme", "--force", "--db", db) == (
        "removed instance acme (1 user, 1 lead)\n"
    )
    assert run("instances", "list", "--db", db) == "default\n"
    assert run("users", "list", "--db", db) == ""
    assert [lead.email for lead in open_store(db).iter_leads()] == ["d@x.com"]
    assert run("instances", "remove", "default", "--db", db, code=1) == (
        "Error: the instance default cannot be removed\n"
    )
    assert run("instances", "remove", "gone", "--db", db, code=1) == "Error: no instance gone\n"


def test_fields_remove_refuses_one_in_use_unless_forced(db: str) -> None:
    run("fields", "add", "Tier", "--type", "string", "--db", db)
    run("fields", "add", "Spare", "--type", "integer", "--db", db)
    store = open_store(db)
    sync_multiple_leads(
        store, [LeadRecord(email="a@x.com", attributes=(Attribute("Tier", "gold"),))]
    )
    store.close()
    assert run("fields", "remove", "Tier", "--db", db, code=1) == (
        "Error: 1 lead holds a value of Tier; remove the field and those values with --force\n"
    )
    assert run("fields", "remove", "Spare", "--db", db) == "removed field Spare\n"
    assert run("fields", "remove", "Tier", "--force", "--db", db) == (
        "removed field Tier and its values on 1 lead\n"
    )
    assert [lead.attributes for lead in open_store(db).iter_leads()] == [{}]
    assert run("fields", "remove", "Company", "--db", db, code=1) == (
        "Error: no custom field Company in the instance default\n"
    )


def test_fields_list_and_add(db: str) -> None:
    run("instances", "add", "default", "--db", db)  # makes the store
    listing = run("fields", "list", "--db", db).splitlines()
    assert "Company\tstring\tstandard\tcompany\tCompany Name" in listing
    assert "NumberOfEmployees\tinteger\tstandard\tnumberOfEmployees\tNum Employees" in listing
    assert run("fields", "add", "Tier", "--type", "string", "--db", db) == (
        "added field Tier (string; REST tier, shown as Tier)\n"
    )
    assert "Tier\tstring\tcustom\ttier\tTier" in run("fields", "list", "--db", db).splitlines()
    assert run("fields", "add", "company", "--type", "text", "--db", db, code=1) == (
        "Error: company is a standard field or lead key of Marketo's\n"
    )
    assert run("fields", "add", "Tier", "--type", "text", "--db", db, code=1) == (
        "Error: the custom field Tier exists already\n"
    )
    assert run("fields", "add", "tier", "--type", "text", "--db", db, code=1) == (
        "Error: tier differs from the custom field Tier only in case\n"
    )
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
            "instance": "default",
            "Email": "a@x.com",
            "ForeignSysPersonId": None,
            "ForeignSysType": None,
            "createdAt": "2023-11-14T22:13:20.000000Z",
            "updatedAt": "2023-11-14T22:13:20.000000Z",
            "Company": "A, Inc.",
        },
        {
            "Id": 2,
            "instance": "default",
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
            "instance",
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
            "default",
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
            "default",
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
    assert len(commands) == 30
    for path in commands:
        assert path in readme, path
        help_text = run(*path.split()[1:], "--help")
        assert "Example:" in help_text, path


def test_serve_has_an_option_for_every_setting() -> None:
    from leadsync.config import Settings
    from leadsync.limits import LimitSettings
    from leadsync.options import options

    help_text = run("serve", "--help")
    for owner in (Settings, LimitSettings):
        for _, option in options(owner):
            assert f"--{option.flag}" in help_text and option.envvar in help_text, option.flag
    assert "--workers AUTO|N" in help_text and "[default: auto]" in help_text


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--max-batch", "0"], {}, "Invalid value for '--max-batch': 0 is not in the range x>=1."),
        ([], {"LEADSYNC_RATE_WINDOW": "0"}, "Invalid value for '--rate-window'"),
        (["--workers", "many"], {}, "'many' is neither auto nor a number"),
        (["--quota-time-zone", "Mars/Olympus"], {}, "unknown time zone Mars/Olympus"),
    ],
)
def test_serve_refuses_bad_settings_before_it_starts(
    db_path: str, args: list[str], env: dict[str, str], message: str
) -> None:
    result = CliRunner().invoke(main, ["serve", "--db", db_path, *args], env=env)
    assert result.exit_code == 2 and message in result.output, result.output
    assert not Path(db_path).exists()


def test_activities_export(db: str) -> None:
    store = open_store(db)
    sync_multiple_leads(
        store,
        [LeadRecord(email="a@x.com", attributes=(Attribute("Company", "A, Inc."),))],
        now_us=1_700_000_000_000_000,
    )
    sync_multiple_leads(
        store,
        [
            LeadRecord(email="b@x.com"),
            LeadRecord(email="a@x.com", attributes=(Attribute("Company", "B"),)),
        ],
        now_us=1_800_000_000_000_000,
    )
    store.close()
    lines = run("activities", "export", "--lead", "1", "--db", db).splitlines()
    assert [json.loads(line) for line in lines] == [
        {
            "id": 1,
            "leadId": 1,
            "activityDateTime": "2023-11-14T22:13:20.000000Z",
            "activityTypeId": 12,
            "activityType": "New Lead",
            "mktgAssetName": None,
            "campaign": None,
            "attributes": {
                "Source Type": "Web service API",
                "Source Info": "Web service API",
                "Created Date": "2023-11-14",
                "Lead ID": "1",
            },
        },
        {
            "id": 2,
            "leadId": 1,
            "activityDateTime": "2023-11-14T22:13:20.000000Z",
            "activityTypeId": 13,
            "activityType": "Change Data Value",
            "mktgAssetName": "Email Address",
            "campaign": None,
            "attributes": {
                "Attribute Name": "Email Address",
                "Old Value": None,
                "New Value": "a@x.com",
                "Reason": "SOAP API",
                "Source": "Lead update",
                "Lead ID": "1",
            },
        },
        {
            "id": 3,
            "leadId": 1,
            "activityDateTime": "2023-11-14T22:13:20.000000Z",
            "activityTypeId": 13,
            "activityType": "Change Data Value",
            "mktgAssetName": "Company Name",
            "campaign": None,
            "attributes": {
                "Attribute Name": "Company Name",
                "Old Value": None,
                "New Value": "A, Inc.",
                "Reason": "SOAP API",
                "Source": "Lead update",
                "Lead ID": "1",
            },
        },
        {
            "id": 6,
            "leadId": 1,
            "activityDateTime": "2027-01-15T08:00:00.000001Z",
            "activityTypeId": 13,
            "activityType": "Change Data Value",
            "mktgAssetName": "Company Name",
            "campaign": None,
            "attributes": {
                "Attribute Name": "Company Name",
                "Old Value": "A, Inc.",
                "New Value": "B",
                "Reason": "SOAP API",
                "Source": "Lead update",
                "Lead ID": "1",
            },
        },
    ]
    recent = run("activities", "export", "--since", "2027-01-01", "--format", "csv", "--db", db)
    rows = list(csv.DictReader(io.StringIO(recent)))
    assert [(r["id"], r["leadId"], r["activityType"], r["mktgAssetName"]) for r in rows] == [
        ("4", "2", "New Lead", ""),
        ("5", "2", "Change Data Value", "Email Address"),
        ("6", "1", "Change Data Value", "Company Name"),
    ]
    assert json.loads(rows[2]["attributes"])["Old Value"] == "A, Inc."
    assert run("activities", "export", "--instance", "gone", "--db", db, code=1) == (
        "Error: no instance gone\n"
    )


def test_channels_programs_and_lists(db: str) -> None:
    added = run("channels", "add", "Webinar", "--progression", "Invited", "--progression",
                "Attended", "--success", "Attended", "--db", db)  # fmt: skip
    assert added == "added channel Webinar (id 1)\n"
    assert run("channels", "list", "--db", db) == "1\tWebinar\tInvited,Attended*\n"
    assert "Nope is not a --progression status" in run(
        "channels", "add", "Blog", "--progression", "Read", "--success", "Nope", "--db", db, code=2
    )
    assert run("programs", "add", "SMSProgram", "--channel", "Webinar", "--tag", "Region=EMEA",
               "--db", db) == "added program SMSProgram (id 1)\n"  # fmt: skip
    assert run("programs", "list", "--db", db) == "1\tSMSProgram\tWebinar\tRegion=EMEA\n"
    assert "no channel Radio" in run("programs", "add", "P2", "--channel", "Radio", "--db", db,
                                     code=1)  # fmt: skip
    assert "is not TYPE=VALUE" in run("programs", "add", "P3", "--tag", "oops", "--db", db, code=2)
    assert run("lists", "add", "listForTesting", "--program", "SMSProgram", "--db", db) == (
        "added list listForTesting (id 1)\n"
    )
    assert run("lists", "add", "Newsletter", "--db", db) == "added list Newsletter (id 2)\n"
    assert "a list named Newsletter exists already" in run(
        "lists", "add", "Newsletter", "--db", db, code=1
    )
    assert "no program Nope" in run("lists", "add", "X", "--program", "Nope", "--db", db, code=1)
    assert run("lists", "list", "--db", db) == (
        "1\tlistForTesting\tSMSProgram\t0\n2\tNewsletter\t\t0\n"
    )
    run("instances", "add", "acme", "--db", db)
    assert run("lists", "add", "Newsletter", "--instance", "acme", "--db", db) == (
        "added list Newsletter (id 3) in instance acme\n"
    )
    assert run("lists", "remove", "Newsletter", "--db", db) == "removed list Newsletter\n"
    assert "no list Newsletter" in run("lists", "remove", "Newsletter", "--db", db, code=1)
    assert run("lists", "list", "--instance", "acme", "--db", db) == "3\tNewsletter\t\t0\n"
    assert "no instance mars" in run("lists", "list", "--instance", "mars", "--db", db, code=1)


def test_campaigns_add_list_and_runs(db: str) -> None:
    run("programs", "add", "Onboarding", "--db", db)
    assert "no program Nope" in run("campaigns", "add", "W", "--program", "Nope", "--db", db,
                                    code=1)  # fmt: skip
    assert run("campaigns", "add", "Welcome", "--program", "Onboarding", "--description", "Hi",
               "--db", db) == "added campaign Welcome (id 1)\n"  # fmt: skip
    assert run("campaigns", "add", "Monthly", "--program", "Onboarding", "--not-requestable",
               "--db", db) == "added campaign Monthly (id 2)\n"  # fmt: skip
    assert run("campaigns", "list", "--db", db) == (
        "1\tOnboarding.Welcome\trequestable\tHi\n2\tOnboarding.Monthly\tbatch\t\n"
    )
    store = open_store(db)
    try:
        with store.write() as writer:
            writer.add_run(
                "default", 1, RunKind.REQUESTED, 0, None, [7, 8], [("{{my.a}}", "b")], None
            )
            writer.add_run("default", 2, RunKind.SCHEDULED, 0, 1_000_000, [], [], "Copy")
    finally:
        store.close()
    welcome = (
        '{"id": 1, "campaign": "Onboarding.Welcome", "kind": "requested", "askedAt":'
        ' "1970-01-01T00:00:00.000000Z", "runAt": null, "leadIds": [7, 8], "tokens":'
        ' {"{{my.a}}": "b"}, "cloneToProgramName": null}\n'
    )
    assert run("campaigns", "runs", "Welcome", "--db", db) == welcome
    assert run("campaigns", "runs", "--db", db).count("\n") == 2
    monthly = run("campaigns", "runs", "Onboarding.Monthly", "--db", db)
    assert '"runAt": "1970-01-01T00:00:01.000000Z"' in monthly
    assert "no campaign Nope" in run("campaigns", "runs", "Nope", "--db", db, code=1)


def test_objects_add_list_and_describe(db: str) -> None:
    added = run("objects", "add", "RoadShow", "--key", "rid", "--field", "city:string",
                "--field", "seats:integer", "--db", db)  # fmt: skip
    assert added == "added custom object RoadShow (id 1)\n"
    assert "a custom object named RoadShow exists already" in run(
        "objects", "add", "RoadShow", "--key", "rid", "--db", db, code=1
    )
    assert "needs a key besides MKTOID" in run("objects", "add", "X", "--db", db, code=2)
    assert "is not NAME:TYPE" in run("objects", "add", "Y", "--key", "k", "--field", "a:blob",
                                     "--db", db, code=2)  # fmt: skip
    assert run("objects", "list", "--db", db) == "1\tRoadShow\tMKTOID,rid\n"
    assert run("objects", "describe", "roadshow", "--db", db) == (
        "MKTOID\tinteger\tkey\ncity\tstring\t\nseats\tinteger\t\nrid\tstring\tkey\n"
    )
    assert "no custom object Nope" in run("objects", "describe", "Nope", "--db", db, code=1)
