"""``leadsync push``: reading, checkpoints and the pipeline in-process, then whole runs
against a real ``leadsync serve``: 100,000 rows, interruptions and --resume, bad rows,
throttling, dry runs and the exit codes."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result
from lxml import etree

from leadsync import Client, RemoteFault, RetryPolicy
from leadsync.fields import STANDARD_FIELDS, FieldType
from leadsync.push.check import check_row, field_catalog
from leadsync.push.command import Run, pump, push
from leadsync.push.files import Checkpoint, Report, Row, csv_header, jsonl_rows
from leadsync.store import SqliteStore
from tests.server import ServerProcess, export
from tests.soap import DEMO_SECRET, DEMO_USER
from tests.test_client import fault, metrics, records_total, running, success
from tests.waiting import eventually

PUSH = [sys.executable, "-c", "from leadsync.push import push; push(prog_name='leadsync push')"]
NO_ENV: dict[str, str | None] = {
    "LEADSYNC_ENDPOINT": None,
    "LEADSYNC_USER_ID": None,
    "LEADSYNC_SECRET": None,
}


def credentials(server: ServerProcess) -> dict[str, str]:
    return {
        "LEADSYNC_ENDPOINT": server.endpoint,
        "LEADSYNC_USER_ID": DEMO_USER,
        "LEADSYNC_SECRET": DEMO_SECRET,
    }


def invoke(*args: str, env: Mapping[str, str | None] = NO_ENV) -> Result:
    return CliRunner().invoke(push, list(args), env=dict(env), catch_exceptions=False)


def summary(text: str) -> dict[str, str]:
    """The summary's ``name: value`` lines, thousands separators removed."""
    found = {}
    for line in text.splitlines():
        match = re.fullmatch(r"([a-z/]+):\s+(\S+).*", line)
        if match:
            found[match[1]] = match[2].replace(",", "")
    return found


def write_csv(path: Path, header: list[str], rows: Iterator[list[str]] | list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


COLUMNS = ["Email", "FirstName", "Company", "NumberOfEmployees"]


def unique_rows(count: int, tag: str, bad_every: int = 0) -> Iterator[list[str]]:
    """Rows of distinct new leads; with ``bad_every``, every such row has a bad value."""
    for i in range(count):
        bad = bad_every and i % bad_every == bad_every - 1
        yield [f"{tag}{i}@x.com", f"First {i}", 'Acme, "Ltd"', "lots" if bad else str(i)]


@pytest.fixture
def server(sqlite_store: SqliteStore, db_path: str) -> Iterator[ServerProcess]:
    with running(db_path) as started:
        yield started


# -- reading, checkpoints, the pipeline ----------------------------------------------------


def test_csv_rows_stream_with_lines_offsets_and_problems() -> None:
    data = (
        b"\xef\xbb\xbfEmail, Company ,Title\r\n"
        b'a@x.com,"Two\nlines",\r\n'
        b"\r\n"
        b"b@x.com,B\r\n"
        b"c@x.com,C,T,extra\r\n"
        b"d@x.com,C,T,,\r\n"
        b"\xff@x.com,E,T\r\n"
    )
    header, rows = csv_header(BytesIO(data))
    assert header == ["Email", "Company", "Title"]
    found = list(rows)
    assert [(r.index, r.line, r.record, r.problem) for r in found] == [
        (0, 2, {"Email": "a@x.com", "Company": "Two\nlines"}, None),
        (1, 5, {"Email": "b@x.com", "Company": "B"}, None),
        (2, 6, None, "4 cells, but the header names 3 fields"),
        (3, 7, {"Email": "d@x.com", "Company": "C", "Title": "T"}, None),
        (4, 8, None, "not valid UTF-8"),
    ]
    assert found[-1].end == len(data) and found[0].end == data.index(b"\r\n\r\n") + 2
    with pytest.raises(Exception, match="distinct, non-empty"):
        csv_header(BytesIO(b"Email,,Company\n"))


def test_jsonl_rows_keep_nulls_and_fail_what_cannot_be_sent() -> None:
    data = (
        b'{"Email": "a@x.com", "Title": null, "LeadScore": 3}\n'
        b"\n"
        b"{oops\n"
        b"[1, 2]\n"
        b'{"Email": "b@x.com", "Tags": ["x"]}\n'
    )
    found = [(r.index, r.line, r.record, r.problem) for r in jsonl_rows(BytesIO(data))]
    assert found[0] == (0, 1, {"Email": "a@x.com", "Title": None, "LeadScore": 3}, None)
    assert [(i, line, problem and problem.split(":")[0]) for i, line, _, problem in found] == [
        (0, 1, None),
        (1, 3, "not valid JSON"),
        (2, 4, "not a JSON object but list"),
        (3, 5, "nested values cannot be sent"),
    ]


def test_the_checkpoint_advances_over_the_answered_prefix_only(tmp_path: Path) -> None:
    mark = Checkpoint("csv:1:x")
    mark.acknowledge(range(300, 600))  # the second call answered first
    assert (mark.rows_done, mark.ahead) == (0, [[300, 600]])
    assert mark.done(450) and not mark.done(0) and not mark.done(600)
    mark.acknowledge(range(900, 1000))
    mark.acknowledge(range(0, 300))
    assert (mark.rows_done, mark.ahead) == (600, [[900, 1000]])
    mark.acknowledge([600, 601, 605])
    assert (mark.rows_done, mark.ahead) == (602, [[605, 606], [900, 1000]])
    path = tmp_path / "f.checkpoint"
    mark.save(path)
    assert Checkpoint.load(path) == mark
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.checkpoint"]


def test_resume_cuts_the_report_back_to_the_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv.failed.csv"
    report = Report(path, ["Email", "status"])
    report.write([(Row(0, 2, ["a@x.com", "x"], 0), "FAILED", "e1")])
    kept = report.size  # what the checkpoint recorded
    report.write([(Row(1, 3, ["b@x.com"], 0), "FAILED", "e2")])  # then the process died
    report.close()
    again = Report(path, ["Email", "status"], keep=kept)
    again.write([(Row(1, 3, ["b@x.com"], 0), "FAILED", "e2")])  # the resent row
    again.close()
    assert path.read_text() == (
        "line,Email,status,_status,error\n2,a@x.com,x,FAILED,e1\n3,b@x.com,,FAILED,e2\n"
    )
    Report(path, ["Email"]).close()  # a new push that had no answer keeps the old report
    assert path.exists()
    fresh = Report(path, ["Email"])
    fresh.claim()  # the first answer: from now on this run's report replaces it
    fresh.close()
    assert not path.exists()


def _counting_client(replies: list[httpx.Response] | None = None) -> Client:
    def answer(request: httpx.Request) -> httpx.Response:
        if replies:
            return replies.pop(0)
        return success(len(list(etree.fromstring(request.content).iter("leadRecord"))))

    return Client(
        "http://mktows.test/soap/mktows/2_2",
        DEMO_USER,
        DEMO_SECRET,
        transport=httpx.MockTransport(answer),
        retry=RetryPolicy(max_retries=0),
    )


def _run(tmp_path: Path) -> Run:
    return Run(Checkpoint("x"), tmp_path / "ck", Report(tmp_path / "report.csv", ["Email"]), 1)


def test_the_pipeline_reads_only_a_few_calls_ahead(tmp_path: Path) -> None:
    pulled = 0
    lead: list[int] = []

    def rows() -> Iterator[Row]:
        nonlocal pulled
        for i in range(6000):
            pulled += 1
            yield Row(i, i + 2, [f"{i}@x.com"], i + 1, record={"Email": f"{i}@x.com"})

    run = _run(tmp_path)
    with _counting_client() as client:
        failure = pump(
            run,
            rows(),
            client,
            concurrency=3,
            batch_size=100,
            dedup=True,
            stop=threading.Event(),
            tick=lambda: lead.append(pulled - run.sent_rows),
        )
    assert failure is None and run.sent_rows == 6000 and run.checkpoint.rows_done == 6000
    assert max(lead) <= (3 + 1) * 100  # in flight, plus the call being filled


def test_a_stop_or_a_fault_finishes_the_calls_in_flight(tmp_path: Path) -> None:
    rows = [Row(i, i + 2, [], i, record={"Email": f"{i}@x.com"}) for i in range(3000)]
    stop = threading.Event()
    run = _run(tmp_path)
    with _counting_client() as client:
        assert (
            pump(
                run,
                rows,
                client,
                concurrency=4,
                batch_size=100,
                dedup=True,
                stop=stop,
                tick=stop.set,
            )
            is None
        )
    assert 0 < run.sent_rows < 3000
    assert (run.checkpoint.rows_done, run.checkpoint.ahead) == (run.sent_rows, [])

    run = _run(tmp_path)
    replies = [success(100), fault(20014, "Authentication failed")]
    with _counting_client(replies) as client:
        failure = pump(
            run, rows, client, concurrency=1, batch_size=100, dedup=True, stop=threading.Event()
        )
    assert isinstance(failure, RemoteFault) and failure.code == 20014
    assert (run.sent_rows, run.checkpoint.rows_done) == (100, 100)


def test_the_dry_run_catalog_falls_back_on_20019_only() -> None:
    replies = [fault(20019, "Unsupported operation")]
    with _counting_client(replies) as client:
        catalog, source = field_catalog(client)
    assert catalog == STANDARD_FIELDS and "standard" in source
    with _counting_client([fault(20014, "Authentication failed")]) as client:
        with pytest.raises(RemoteFault):
            field_catalog(client)
    catalog, source = field_catalog(None)
    assert catalog == STANDARD_FIELDS

    def row(**record: Any) -> Row:
        return Row(0, 2, [], 0, record=record)

    local = {**STANDARD_FIELDS, "Odd": None}
    assert check_row(row(Email="a@x.com", LeadScore="7", Odd="anything"), local) is None
    assert check_row(row(Email="a@x.com", LeadScore=""), local) is None  # clears
    assert check_row(row(Company="A"), local) == (
        "lead record has no key: give Id, ForeignSysPersonId or Email"
    )
    assert check_row(row(Id="x1"), local) == "Id 'x1' is not an integer"
    assert check_row(row(Id=3, ForeignSysType="SAP"), local) == (
        "bad ForeignSysType 'SAP': use CUSTOM, SFDC or NETSUITE"
    )
    assert check_row(row(Email="a@x.com", Shoe="1", Hat=""), local) == (
        "unknown fields for import: Hat, Shoe"
    )
    assert check_row(row(Email="a@x.com", DoNotCall="maybe"), local) == (
        "bad value for field DoNotCall: 'maybe' is not a valid boolean"
    )
    assert check_row(Row(0, 2, [], 0, problem="not valid JSON"), local) == "not valid JSON"
    assert local["LeadScore"] is FieldType.INTEGER


def test_the_help_has_an_example() -> None:
    result = invoke("--help")
    assert result.exit_code == 0 and "Example:" in result.output
    assert "LEADSYNC_ENDPOINT" in result.output


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    leads = write_csv(tmp_path / "leads.csv", ["Email"], [["a@x.com"]])
    assert "missing --endpoint, --user-id, --secret" in invoke(str(leads)).output
    assert invoke(str(leads)).exit_code == 2
    other = tmp_path / "leads.txt"
    other.write_text("Email\n")
    assert invoke(str(other), "--dry-run").exit_code == 2
    assert invoke(str(other), "--dry-run", "--format", "csv").exit_code == 0

    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()  # nothing listens there now
    nowhere = {
        "LEADSYNC_ENDPOINT": f"http://127.0.0.1:{port}/soap/mktows/2_2",
        "LEADSYNC_USER_ID": DEMO_USER,
        "LEADSYNC_SECRET": DEMO_SECRET,
    }
    result = invoke(str(leads), "--retries", "0", env=nowhere)
    assert result.exit_code == 2 and "cannot reach" in result.stderr
    assert not (tmp_path / "leads.csv.checkpoint").exists()

    Checkpoint("csv:0:different").save(tmp_path / "leads.csv.checkpoint")
    result = invoke(str(leads), env=nowhere)
    assert result.exit_code == 2 and "--resume" in result.output
    result = invoke(str(leads), "--resume", env=nowhere)
    assert result.exit_code == 2 and "changed since" in result.output


# -- whole runs against a real server --------------------------------------------------------


@pytest.mark.e2e
def test_100000_rows_every_one_accounted_for(
    server: ServerProcess, db_path: str, tmp_path: Path
) -> None:
    rows = 100_000

    def generated() -> Iterator[list[str]]:
        for i in range(rows):
            email = f"bulk{i - 1 if i % 50 == 49 else i}@x.com"  # every 50th: a known lead
            employees = "lots" if i % 1000 == 7 else str(i)  # 100 bad values
            shoe = "42" if i % 5000 == 3 else ""  # 20 rows with an unknown field
            yield [email, f"Zoë {i}", 'Acme, "Ltd"', employees, shoe]

    leads = write_csv(
        tmp_path / "leads.csv",
        ["Email", "FirstName", "Company", "NumberOfEmployees", "Shoe"],
        generated(),
    )
    env = {**os.environ, **credentials(server)}
    process = subprocess.Popen(
        [*PUSH, str(leads)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    # The push's resident memory, sampled while it runs (getrusage's ru_maxrss would count
    # the pytest process it was forked from).
    peak_kib = 0
    while True:  # the push's memory, sampled until it exits
        peak_kib = max(peak_kib, _rss_kib(process.pid))
        try:
            process.wait(timeout=0.05)
            break
        except subprocess.TimeoutExpired:
            continue
    out, err = process.communicate()
    assert process.returncode == 1, err  # some rows failed
    figures = summary(out)
    print(
        f"\n100,000 rows: {figures['seconds']} s, {figures['rows/s']} rows/s, "
        f"peak RSS {peak_kib // 1024} MiB"
    )
    assert (figures["rows"], figures["created"], figures["updated"], figures["failed"]) == (
        "100000",
        "97880",
        "2000",
        "120",
    )
    stored = export(db_path)
    assert len(stored) == 97_880 == len({lead["Email"] for lead in stored})
    first = next(lead for lead in stored if lead["Email"] == "bulk0@x.com")
    assert first["FirstName"] == "Zoë 0" and first["Company"] == 'Acme, "Ltd"'
    with open(tmp_path / "leads.csv.failed.csv", newline="", encoding="utf-8") as report:
        failed = list(csv.DictReader(report))
    assert len(failed) == 120
    for row in failed:
        i = int(row["line"]) - 2
        assert row["status"] == "FAILED"
        if i % 1000 == 7:
            assert row["NumberOfEmployees"] == "lots"
            assert row["error"] == (
                "bad value for field NumberOfEmployees: 'lots' is not a valid integer"
            )
        else:
            assert i % 5000 == 3 and row["Shoe"] == "42"
            assert row["error"] == "unknown fields for import: Shoe"
    # Every row went exactly once: the server counted each once.
    assert (records_total(server, "CREATED"), records_total(server, "UPDATED")) == (97_880, 2000)
    assert not (tmp_path / "leads.csv.checkpoint").exists()
    assert 0 < peak_kib < 120 * 1024, "memory must stay flat: the file is streamed"


def _rss_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # it has just exited
        return 0
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match[1]) if match else 0


def _wait_for_checkpoint(path: Path, at_least: int, process: subprocess.Popen[Any]) -> None:
    def reached() -> bool:
        assert process.poll() is None, "the push ended before it could be interrupted"
        try:
            return bool(json.loads(path.read_text())["rows_done"] >= at_least)
        except (FileNotFoundError, ValueError):
            return False

    eventually(reached, f"{path.name} to count {at_least} rows")


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("signum", "said"),
    [(signal.SIGINT, "(Ctrl-C again quits)"), (signal.SIGTERM, "(a second signal quits)")],
)
def test_ctrl_c_then_resume_sends_no_row_twice(
    server: ServerProcess, db_path: str, tmp_path: Path, signum: int, said: str
) -> None:
    rows = 40_000
    leads = write_csv(tmp_path / "leads.csv", COLUMNS, unique_rows(rows, "int"))
    checkpoint = tmp_path / "leads.csv.checkpoint"
    env = {**os.environ, **credentials(server)}
    process = subprocess.Popen(
        [*PUSH, str(leads)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    _wait_for_checkpoint(checkpoint, 1, process)
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "--resume" in err
    assert f"stopping: finishing the calls in flight {said}" in err
    mark = Checkpoint.load(checkpoint)
    assert 0 < mark.rows_done < rows and mark.ahead == []  # the calls in flight finished
    assert records_total(server, "CREATED") == mark.created == mark.rows_done

    resumed = subprocess.run(
        [*PUSH, str(leads), "--resume"], env=env, capture_output=True, text=True, timeout=60
    )
    assert resumed.returncode == 0, resumed.stderr
    figures = summary(resumed.stdout)
    print(f"\nSIGINT after {mark.rows_done:,} rows; resumed: {figures}")
    assert f"({mark.rows_done:,} of them before --resume)" in resumed.stdout
    assert (figures["rows"], figures["created"], figures["updated"]) == (str(rows), str(rows), "0")
    # Nothing was sent twice: a resent row would have been UPDATED (dedup is on).
    assert (records_total(server, "CREATED"), records_total(server, "UPDATED")) == (rows, 0)
    stored = export(db_path)
    assert len(stored) == rows == len({lead["Email"] for lead in stored})
    assert all(lead["updatedAt"] == lead["createdAt"] for lead in stored)
    assert not checkpoint.exists()


@pytest.mark.e2e
def test_sigkill_then_resume_stores_every_row_once(
    server: ServerProcess, db_path: str, tmp_path: Path
) -> None:
    rows, concurrency, batch = 40_000, 4, 300
    leads = write_csv(tmp_path / "leads.csv", COLUMNS, unique_rows(rows, "kill", 1000))
    checkpoint = tmp_path / "leads.csv.checkpoint"
    env = {**os.environ, **credentials(server)}
    process = subprocess.Popen(
        [*PUSH, str(leads), "--concurrency", str(concurrency)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for_checkpoint(checkpoint, 3000, process)
    process.kill()
    process.wait()
    mark = Checkpoint.load(checkpoint)
    assert mark.rows_done < rows

    resumed = subprocess.run(
        [*PUSH, str(leads), "--resume"], env=env, capture_output=True, text=True, timeout=60
    )
    assert resumed.returncode == 1, resumed.stderr  # the 40 bad rows
    figures = summary(resumed.stdout)
    print(f"\nSIGKILL after {mark.rows_done:,} rows; resumed: {figures}")
    resent, bad = int(figures["updated"]), rows // 1000
    assert int(figures["created"]) + resent == rows - bad and figures["failed"] == str(bad)
    # Only the calls in flight at the kill can have gone twice, and they updated.
    assert records_total(server, "CREATED") == rows - bad
    assert records_total(server, "UPDATED") == resent <= concurrency * batch
    stored = export(db_path)
    assert len(stored) == rows - bad == len({lead["Email"] for lead in stored})
    # Each bad row is reported once, resent or not: --resume cut the report back.
    with open(tmp_path / "leads.csv.failed.csv", newline="") as report:
        lines = [int(row["line"]) for row in csv.DictReader(report)]
    assert sorted(lines) == [i + 2 for i in range(999, rows, 1000)]


@pytest.mark.e2e
def test_throttling_is_absorbed_by_the_retries(
    sqlite_store: SqliteStore, db_path: str, tmp_path: Path
) -> None:
    rows = 4500  # 15 calls at 5 a second, one at a time, from 4 threads
    leads = write_csv(tmp_path / "leads.csv", COLUMNS, unique_rows(rows, "slow"))
    limits = ("--emulate-limits", "--rate-limit", "5", "--rate-window", "1")
    with running(db_path, *limits, "--concurrency-limit", "1") as server:
        started = time.monotonic()
        result = subprocess.run(
            [*PUSH, str(leads), "--concurrency", "4"],
            env={**os.environ, **credentials(server)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        seconds = time.monotonic() - started
        assert result.returncode == 0, result.stderr
        figures = summary(result.stdout)
        samples = metrics(server)
        rate = int(samples.get('leadsync_faults_total{code="20023"}', 0))
        busy = int(samples.get('leadsync_faults_total{code="20024"}', 0))
        print(f"\nthrottled: {seconds:.1f} s, {figures}, 20023 x{rate}, 20024 x{busy}")
        assert (figures["rows"], figures["created"], figures["failed"]) == (
            str(rows),
            str(rows),
            "0",
        )
        assert rate + busy > 0 and "retries:" in result.stdout
        assert records_total(server, "CREATED") == rows
    assert len(export(db_path)) == rows


@pytest.mark.e2e
def test_bad_rows_go_to_the_report_with_their_error(
    server: ServerProcess, db_path: str, tmp_path: Path
) -> None:
    jsonl = tmp_path / "leads.jsonl"
    jsonl.write_text(
        '{"Email": "j1@x.com", "FirstName": "Ann", "LeadScore": 5, "DoNotCall": true}\n'
        "\n"
        '{"Email": "j2@x.com", "Company": "C", "Title": "T"}\n'
        '{"Email": "j2@x.com", "Title": null}\n'
        "{oops\n"
        '{"Email": "j3@x.com", "Tags": ["a"]}\n'
        '{"Email": "j4@x.com", "Shoe": "9"}\n'
        '{"FirstName": "no key"}\n'
    )
    result = invoke(str(jsonl), env=credentials(server))
    assert result.exit_code == 1
    figures = summary(result.stdout)
    assert (figures["rows"], figures["created"], figures["updated"], figures["failed"]) == (
        "7",
        "2",
        "1",
        "4",
    )
    assert figures["report"] == str(tmp_path / "leads.jsonl.failed.csv")
    stored = {lead["Email"]: lead for lead in export(db_path)}
    assert stored["j1@x.com"]["LeadScore"] == "5" and stored["j1@x.com"]["DoNotCall"] == "true"
    assert stored["j2@x.com"]["Company"] == "C" and "Title" not in stored["j2@x.com"]
    with open(tmp_path / "leads.jsonl.failed.csv", newline="") as report:
        assert list(csv.reader(report)) == [
            ["line", "record", "status", "error"],
            [
                "5",
                "{oops",
                "FAILED",
                "not valid JSON: unexpected character, expected a string "
                "key: line 1 column 2 (char 1)",
            ],
            [
                "6",
                '{"Email": "j3@x.com", "Tags": ["a"]}',
                "FAILED",
                "nested values cannot be sent: Tags",
            ],
            [
                "7",
                '{"Email": "j4@x.com", "Shoe": "9"}',
                "FAILED",
                "unknown fields for import: Shoe",
            ],
            [
                "8",
                '{"FirstName": "no key"}',
                "FAILED",
                "lead record has no key: give Id, ForeignSysPersonId or Email",
            ],
        ]

    data = (
        b"Email,Company,status\n"
        b'c1@x.com,"Quoted, ""yes""",s\n'
        b"c2@x.com,C,s,surplus\n"
        b"c3@x.com,Caf\xe9,s\n"
        b"c4@x.com,C\n"
    )
    (tmp_path / "leads.csv").write_bytes(data)
    result = invoke(
        str(tmp_path / "leads.csv"), "--report", str(tmp_path / "bad.csv"), env=credentials(server)
    )
    assert result.exit_code == 1
    figures = summary(result.stdout)
    assert (figures["created"], figures["failed"]) == ("1", "3")
    assert (tmp_path / "bad.csv").read_bytes() == (
        b"line,Email,Company,status,_status,error\n"
        b'2,c1@x.com,"Quoted, ""yes""",s,FAILED,unknown fields for import: status\n'
        b'3,c2@x.com,C,s,surplus,FAILED,"4 cells, but the header names 3 fields"\n'
        b"4,c3@x.com,Caf\xe9,s,FAILED,not valid UTF-8\n"  # the bytes as they were
    )


@pytest.mark.e2e
def test_a_wrong_key_exits_2_and_leaves_nothing_to_resume(
    server: ServerProcess, tmp_path: Path
) -> None:
    leads = write_csv(tmp_path / "leads.csv", ["Email"], [["a@x.com"]])
    earlier = tmp_path / "leads.csv.failed.csv"
    earlier.write_text("line,Email,status,error\n2,a@x.com,FAILED,from the last run\n")
    result = invoke(str(leads), env={**credentials(server), "LEADSYNC_SECRET": "wrong"})
    assert result.exit_code == 2
    assert "Error: Authentication failed (20014)" in result.stderr
    assert "retry" not in result.stderr  # a permanent fault: no retry
    assert not (tmp_path / "leads.csv.checkpoint").exists()
    assert records_total(server, "CREATED") == 0
    # A run that stopped before any answer leaves the last run's report as it was.
    assert earlier.read_text() == "line,Email,status,error\n2,a@x.com,FAILED,from the last run\n"


@pytest.mark.e2e
def test_a_dry_run_checks_every_row_and_sends_none(
    server: ServerProcess, db_path: str, tmp_path: Path
) -> None:
    leads = write_csv(
        tmp_path / "leads.csv",
        ["Email", "NumberOfEmployees", "DoNotCall", "Shoe"],
        [
            ["d1@x.com", "10", "true", ""],
            ["d2@x.com", "ten", "", ""],
            ["d3@x.com", "", "perhaps", ""],
            ["d4@x.com", "", "", "42"],
            ["d5@x.com", "", "", ""],
        ],
    )
    result = invoke(str(leads), "--dry-run", env=credentials(server))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "line 3: bad value for field NumberOfEmployees: 'ten' is not a valid integer",
        "line 4: bad value for field DoNotCall: 'perhaps' is not a valid boolean",
        "line 5: unknown fields for import: Shoe",
    ]
    assert lines[3].startswith("checked against ")
    figures = summary(result.stdout)
    assert (figures["rows"], figures["valid"], figures["invalid"]) == ("5", "2", "3")
    with open(tmp_path / "leads.csv.invalid.csv", newline="") as report:
        assert [(r["line"], r["status"]) for r in csv.DictReader(report)] == [
            ("3", "INVALID"),
            ("4", "INVALID"),
            ("5", "INVALID"),
        ]
    assert export(db_path) == [] and records_total(server, "CREATED") == 0

    offline = invoke(str(leads), "--dry-run")  # no endpoint: leadsync's own catalog
    assert offline.exit_code == 1 and "leadsync's standard fields" in offline.stdout
    good = write_csv(tmp_path / "good.csv", ["Email", "LeadScore"], [["g@x.com", "1"]])
    assert invoke(str(good), "--dry-run", env=credentials(server)).exit_code == 0


def _throttled(server: ServerProcess) -> float:
    samples = metrics(server)
    return sum(samples.get(f'leadsync_faults_total{{code="{c}"}}', 0) for c in (20023, 20024))


@pytest.mark.e2e
def test_ctrl_c_while_throttled_exits_130_and_resume_finishes(
    sqlite_store: SqliteStore, db_path: str, tmp_path: Path
) -> None:
    rows = 6000
    leads = write_csv(tmp_path / "leads.csv", COLUMNS, unique_rows(rows, "thr"))
    checkpoint = tmp_path / "leads.csv.checkpoint"
    limits = ("--emulate-limits", "--rate-limit", "5", "--rate-window", "1")
    with running(db_path, *limits, "--concurrency-limit", "1") as server:
        env = {**os.environ, **credentials(server)}
        process = subprocess.Popen(
            [*PUSH, str(leads), "--concurrency", "4", "--batch-size", "100"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _wait_for_checkpoint(checkpoint, 1, process)
            eventually(lambda: _throttled(server) > 0, "a throttling fault")
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=60)
        finally:
            process.kill()
            process.communicate()
        # Calls waiting to retry gave up on their way out: still an interruption.
        assert process.returncode == 130, err
        assert "stopping: finishing the calls in flight (Ctrl-C again quits)" in err
        assert re.search(r"retry: syncMultipleLeads: .* \(2002[34]\); retry 1 of 8 in", err)
        assert "Error:" not in err
        mark = Checkpoint.load(checkpoint)
        print(f"\ninterrupted after {mark.rows} rows")
        assert 0 < mark.rows < rows and mark.created == mark.rows
        resumed = subprocess.run(
            [*PUSH, str(leads), "--resume", "--concurrency", "1"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert resumed.returncode == 0, resumed.stderr
        assert (records_total(server, "CREATED"), records_total(server, "UPDATED")) == (rows, 0)


@pytest.mark.e2e
def test_tls_problems_fail_at_once_and_a_ca_file_is_trusted(
    tls_files: tuple[Path, Path], sqlite_store: SqliteStore, db_path: str, tmp_path: Path
) -> None:
    cert, key = tls_files
    leads = write_csv(tmp_path / "leads.csv", ["Email"], [["tls@x.com"]])
    with running(db_path, "--tls-cert", str(cert), "--tls-key", str(key)) as server:
        env = credentials(server)
        started = time.monotonic()
        untrusted = invoke(str(leads), env=env)
        plain = invoke(
            str(leads),
            env={**env, "LEADSYNC_ENDPOINT": server.endpoint.replace("https://", "http://")},
        )
        assert time.monotonic() - started < 5  # no retries
        assert untrusted.exit_code == 2 and "CERTIFICATE_VERIFY_FAILED" in untrusted.stderr
        assert plain.exit_code == 2 and "is it an https:// endpoint?" in plain.stderr
        assert "retry" not in untrusted.stderr + plain.stderr
        trusted = invoke(str(leads), "--ca-file", str(cert), env=env)
        assert trusted.exit_code == 0, trusted.stderr
        assert summary(trusted.stdout)["created"] == "1"


@pytest.mark.e2e
def test_headers_match_the_catalog_in_any_case_and_export_columns_are_skipped(
    server: ServerProcess, db_path: str, tmp_path: Path
) -> None:
    leads = write_csv(
        tmp_path / "leads.csv",
        ["email", "firstname", "COMPANY", "instance", "createdAt"],
        [["c1@x.com", "Ada", "A", "default", "2020-01-01T00:00:00Z"]],
    )
    result = invoke(str(leads), env=credentials(server))
    assert result.exit_code == 0, result.stderr
    [stored] = export(db_path)
    assert (stored["Email"], stored["FirstName"], stored["Company"]) == ("c1@x.com", "Ada", "A")
    # What `leads export` wrote pushes back as it is.
    exported = tmp_path / "export.jsonl"
    exported.write_text(json.dumps({**stored, "Company": "B"}) + "\n")
    result = invoke(str(exported), env=credentials(server))
    assert result.exit_code == 0, result.stderr
    assert summary(result.stdout)["updated"] == "1"
    assert export(db_path)[0]["Company"] == "B"

    twice = write_csv(tmp_path / "twice.csv", ["Email", "EMAIL"], [["a@x.com", "b@x.com"]])
    result = invoke(str(twice), env=credentials(server))
    assert result.exit_code == 2
    assert "the CSV header names Email more than once (in any case)" in result.output
