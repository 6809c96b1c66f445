"""``leadsync push FILE``: bulk-load leads from CSV or JSON Lines through any mktows endpoint.

The file is streamed, never loaded: rows are read as batches are needed, at most
``--concurrency`` calls of ``--batch-size`` rows are in flight, and results are written
out (report, checkpoint, counters) as each call is answered.

Resuming: the checkpoint (``FILE.checkpoint``, replaced atomically after every answered
call) holds the number of rows answered in file order (``rows_done``: calls finish out of
order, so it only moves over the answered prefix), the answered ranges beyond that
prefix (``ahead``), the counters, and the report's length at that moment. ``--resume``
skips every answered row, cuts the report back to that length (so a row is reported
once), and goes on. A row is therefore never sent again once its call was answered; only
the calls in flight when the process died (at most ``--concurrency``) are sent again, and
with dedup on their rows come back UPDATED instead of being duplicated.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from leadsync.batches import batches
from leadsync.client.types import (
    DEFAULT_RETRIES,
    MAX_BATCH,
    ClientError,
    RetryPolicy,
)
from leadsync.client.types import SyncResult as Result
from leadsync.model import SyncStatusCode
from leadsync.push.check import check_file, field_catalog
from leadsync.push.files import Checkpoint, Names, Report, Row, fingerprint, open_rows

if TYPE_CHECKING:
    from rich.console import Console

    from leadsync.client import Client  # imported when a push runs: httpx is heavy

EXIT_FAILED_ROWS, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130
_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl"}


# -- the push -------------------------------------------------------------------------------


@dataclass
class Run:
    """One push: the state every answered call updates, on the main thread only."""

    checkpoint: Checkpoint
    checkpoint_path: Path
    report: Report
    file_size: int
    started: float = field(default_factory=time.monotonic)
    sent_rows: int = 0  # rows answered in this run
    furthest: int = 0  # byte offset of the furthest answered row

    def settle(self, rows: list[Row], results: list[Result]) -> None:
        failed = []
        mark = self.checkpoint
        for row, result in zip(rows, results, strict=True):
            if result.status is SyncStatusCode.CREATED:
                mark.created += 1
            elif result.status is SyncStatusCode.UPDATED:
                mark.updated += 1
            else:
                mark.failed += 1
                failed.append((row, result.status.value, result.error or ""))
        self.report.write(failed)
        mark.report_bytes = self.report.size
        mark.acknowledge(row.index for row in rows)
        mark.save(self.checkpoint_path)
        self.sent_rows += len(rows)
        self.furthest = max(self.furthest, rows[-1].end)

    def status(self) -> str:
        mark = self.checkpoint
        return (
            f"{mark.rows:,} rows  {self.rate():,.0f} rows/s  created {mark.created:,}  "
            f"updated {mark.updated:,}  failed {mark.failed:,}"
        )

    def seconds(self) -> float:
        return time.monotonic() - self.started

    def rate(self) -> float:
        return self.sent_rows / max(self.seconds(), 1e-9)


def _send(client: Client, rows: list[Row], dedup: bool) -> list[Result]:
    records = [row.record for row in rows if row.record is not None]
    answers = iter(client.sync_batch(records, dedup=dedup) if records else [])
    return [
        next(answers)
        if row.record is not None
        else Result(0, SyncStatusCode.FAILED, row.problem or "not sent")
        for row in rows
    ]


class _Stop:
    """The first Ctrl-C (or SIGTERM) asks for a clean stop; a second one quits at once."""

    def __init__(self, announce: Callable[[int], None]) -> None:
        self.event = threading.Event()
        self._announce = announce
        self._saved: dict[int, Any] = {}

    def __enter__(self) -> _Stop:
        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGINT, signal.SIGTERM):
                self._saved[number] = signal.signal(number, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for number, handler in self._saved.items():
            signal.signal(number, handler)

    def _handle(self, number: int, frame: FrameType | None) -> None:
        if self.event.is_set():
            raise KeyboardInterrupt
        self.event.set()
        self._announce(number)


def pump(
    run: Run,
    rows: Iterable[Row],
    client: Client,
    *,
    concurrency: int,
    batch_size: int,
    dedup: bool,
    stop: threading.Event,
    tick: Callable[[], None] = lambda: None,
) -> ClientError | None:
    """Send ``rows`` with ``concurrency`` calls in flight, settling each answered call.

    Returns the error that stopped it, if any. On an error or ``stop``, no new call
    starts, retries give up, and the calls in flight are waited for and settled.
    """
    failure: ClientError | None = None
    in_flight: dict[Future[list[Result]], list[Row]] = {}

    def settle_some(timeout: float) -> None:
        nonlocal failure
        done, _ = wait(in_flight, timeout=timeout, return_when=FIRST_COMPLETED)
        for future in done:
            rows_sent = in_flight.pop(future)
            try:
                run.settle(rows_sent, future.result())
            except ClientError as error:
                failure = failure or error
        tick()

    pool = ThreadPoolExecutor(concurrency, thread_name_prefix="leadsync-push")
    try:
        for batch in batches(rows, batch_size):
            while len(in_flight) >= concurrency and not (failure or stop.is_set()):
                settle_some(0.25)
            if failure or stop.is_set():
                break
            in_flight[pool.submit(_send, client, batch, dedup)] = batch
        while in_flight:
            if failure or stop.is_set():
                client.interrupt()  # a call waiting to retry gives up; none is left half done
            settle_some(0.25)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return failure


# -- the command ----------------------------------------------------------------------------


def _format_of(path: Path, given: str | None) -> str:
    if given:
        return given
    found = _FORMATS.get(path.suffix.lower())
    if found is None:
        raise click.UsageError(f"cannot tell the format of {path.name}: give --format csv|jsonl")
    return found


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--endpoint",
    envvar="LEADSYNC_ENDPOINT",
    help="The SOAP endpoint URL (.../soap/mktows/2_2). Env: LEADSYNC_ENDPOINT.",
)
@click.option("--user-id", envvar="LEADSYNC_USER_ID", help="mktowsUserId. Env: LEADSYNC_USER_ID.")
@click.option(
    "--secret",
    envvar="LEADSYNC_SECRET",
    help="The secret key; prefer the environment, which `ps` does not show. Env: LEADSYNC_SECRET.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl"]),
    help="The file's format (default: from its extension, .csv, or .jsonl, .ndjson, .json).",
)
@click.option(
    "--concurrency",
    default=4,
    show_default=True,
    type=click.IntRange(1, 10),
    help="Calls in flight at once.",
)
@click.option(
    "--batch-size",
    default=MAX_BATCH,
    show_default=True,
    type=click.IntRange(1, MAX_BATCH),
    help="Rows per call.",
)
@click.option(
    "--dedup/--no-dedup",
    default=True,
    show_default=True,
    help="dedupEnabled: match leads by Email (off creates a new lead for each row).",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where failed rows go (default FILE.failed.csv; FILE.invalid.csv with --dry-run).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue an interrupted push from FILE.checkpoint, sending no answered row again.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check every row against the field catalog, send nothing.",
)
@click.option(
    "--retries",
    default=DEFAULT_RETRIES,
    show_default=True,
    type=click.IntRange(0, 100),
    help="Retries of a call after a throttling fault (20023, 20024), 10001, 20011 or a "
    "lost connection, with exponential backoff.",
)
@click.option(
    "--timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds to wait for one call's answer.",
)
@click.option(
    "--ca-file",
    type=click.Path(exists=True, dir_okay=False),
    envvar="LEADSYNC_CA_FILE",
    help="Trust the https endpoint's certificate if this PEM bundle signed it (default: the "
    "system's CAs). Env: LEADSYNC_CA_FILE.",
)
@click.pass_context
def push(
    ctx: click.Context,
    file: Path,
    endpoint: str | None,
    user_id: str | None,
    secret: str | None,
    fmt: str | None,
    concurrency: int,
    batch_size: int,
    dedup: bool,
    report: Path | None,
    resume: bool,
    dry_run: bool,
    retries: int,
    timeout: float,
    ca_file: str | None,
) -> None:
    """Send the leads of FILE (CSV or JSON Lines) to a mktows endpoint, in batches.

    CSV: the header row names the fields; Id, Email, ForeignSysPersonId and
    ForeignSysType are the lead's keys, every other column an attribute; empty cells are
    left out. JSON Lines: one object a line, the same names; null clears a field. Names
    match the server's field catalog in any case (email is Email); the columns instance,
    createdAt and updatedAt of `leadsync leads export` are read and not sent.

    The file is streamed; a progress bar shows rows/s, created / updated / failed and the
    time left, and each retry says why and when. Failed rows go to the report (their
    values, status and error), which replaces an earlier one once the endpoint answers;
    a summary follows. A call is retried after a throttling fault or a lost connection,
    never after an authentication fault, an untrusted certificate or a TLS mismatch.
    Exit code: 0 when every row was applied, 1 when some failed, 2 for a usage or
    connection error (resume with --resume), 130 when interrupted (Ctrl-C stops
    cleanly: the calls in flight finish or count as not done; --resume goes on).

    \b
    Example:
      export LEADSYNC_ENDPOINT=http://127.0.0.1:8080/soap/mktows/2_2
      export LEADSYNC_USER_ID=demo17_1_809934544BFABAE58E5D27 LEADSYNC_SECRET=27272727aa
      leadsync push leads.csv --concurrency 8
      leadsync push leads.csv --resume
      leadsync push leads.jsonl --dry-run
    """
    fmt = _format_of(file, fmt)
    suffix = ".invalid.csv" if dry_run else ".failed.csv"
    report_path = report or file.with_name(file.name + suffix)
    checkpoint_path = file.with_name(file.name + ".checkpoint")
    credentials = (endpoint, user_id, secret)
    if not dry_run or any(credentials):
        missing = [
            name
            for name, value in zip(
                ("--endpoint", "--user-id", "--secret"), credentials, strict=True
            )
            if not value
        ]
        if missing:
            raise click.UsageError(f"missing {', '.join(missing)} (or LEADSYNC_* variables)")
    client = None
    if endpoint and user_id and secret:
        from leadsync.client import Client  # httpx only when a push runs

        try:
            client = Client(
                endpoint,
                user_id,
                secret,
                timeout=timeout,
                max_concurrency=concurrency,
                retry=RetryPolicy(max_retries=retries),
                verify=ca_file or True,
            )
        except ValueError as exc:  # a CA file that is not a PEM bundle, a bad endpoint
            raise click.UsageError(str(exc)) from None
    try:
        if dry_run or client is None:  # no client only in a dry run: checked above
            code = EXIT_FAILED_ROWS if check_file(file, fmt, report_path, client) else 0
        else:
            code = _push(
                file,
                fmt,
                report_path,
                checkpoint_path,
                client,
                resume=resume,
                concurrency=concurrency,
                batch_size=batch_size,
                dedup=dedup,
            )
    except (ClientError, OSError) as error:  # OSError: the report or checkpoint
        click.echo(f"Error: {error}", err=True)
        code = EXIT_USAGE
    finally:
        if client is not None:
            client.close()
    ctx.exit(code)


def _push(
    file: Path,
    fmt: str,
    report_path: Path,
    checkpoint_path: Path,
    client: Client,
    *,
    resume: bool,
    concurrency: int,
    batch_size: int,
    dedup: bool,
) -> int:
    identity = fingerprint(file, fmt)
    if checkpoint_path.exists() and not resume:
        raise click.UsageError(
            f"{checkpoint_path} exists: an earlier push of this file was interrupted. "
            "Continue it with --resume, or delete the checkpoint to start over."
        )
    if resume and checkpoint_path.exists():
        checkpoint = Checkpoint.load(checkpoint_path)
        if checkpoint.fingerprint != identity:
            raise click.UsageError(
                f"{file} changed since {checkpoint_path} was written; delete the checkpoint "
                "to push it from the start"
            )
    else:
        if resume:
            click.echo(f"no {checkpoint_path.name}: pushing from the first row", err=True)
        checkpoint = Checkpoint(identity)
    earlier = checkpoint.rows
    catalog, _ = field_catalog(client)  # the names the file's columns may mean
    from rich.console import Console  # here: `leadsync serve` need not import rich.progress
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.table import Column

    console = Console(stderr=True)
    with open(file, "rb") as handle:
        columns, found = open_rows(handle, fmt, Names(catalog))
        run = Run(
            checkpoint,
            checkpoint_path,
            Report(report_path, columns, checkpoint.report_bytes),
            file.stat().st_size,
        )
        progress = Progress(
            TextColumn("push"),
            BarColumn(bar_width=20),
            TaskProgressColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[status]}", table_column=Column(overflow="fold")),
            console=console,
            disable=not console.is_terminal,
        )
        task = progress.add_task("push", total=max(run.file_size, 1), status="")
        last_line = [time.monotonic()]

        def tick() -> None:
            progress.update(task, completed=run.furthest, status=run.status())
            if not console.is_terminal and time.monotonic() - last_line[0] >= 10:
                last_line[0] = time.monotonic()
                click.echo(f"push: {run.status()}", err=True)

        def announce(signum: int) -> None:
            again = "Ctrl-C again quits" if signum == signal.SIGINT else "a second signal quits"
            click.echo(f"stopping: finishing the calls in flight ({again})", err=True)

        interrupted = False
        try:
            with _Stop(announce) as stop, progress, _retries_said(console):
                failure = pump(
                    run,
                    (row for row in found if not checkpoint.done(row.index)),
                    client,
                    concurrency=concurrency,
                    batch_size=batch_size,
                    dedup=dedup,
                    stop=stop.event,
                    tick=tick,
                )
                interrupted = stop.event.is_set()
        except KeyboardInterrupt:  # the second Ctrl-C: the checkpoint is already saved
            client.interrupt()
            failure, interrupted = None, True
        finally:
            run.report.close()
    _summary(run, earlier, client)
    if failure is not None or interrupted:
        if failure is not None and not interrupted:
            click.echo(f"Error: {failure}", err=True)
        if checkpoint.rows:
            click.echo(
                f"{checkpoint.rows:,} rows are done; run again with --resume to go on",
                err=True,
            )
        # Interrupted is interrupted, whatever the calls in flight met on their way out:
        # those count as not done, and --resume sends them.
        return EXIT_INTERRUPTED if interrupted else EXIT_USAGE
    checkpoint_path.unlink(missing_ok=True)
    return EXIT_FAILED_ROWS if checkpoint.failed else 0


@contextmanager
def _retries_said(console: Console) -> Iterator[None]:
    """Each retry the client waits for, said on the terminal (the client logs them)."""

    class _Say(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            console.print(
                f"retry: {record.getMessage()}", markup=False, highlight=False, soft_wrap=True
            )

    logger = logging.getLogger("leadsync.client")
    handler, level = _Say(logging.INFO), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _summary(run: Run, earlier: int, client: Client) -> None:
    mark = run.checkpoint
    resumed = f" ({earlier:,} of them before --resume)" if earlier else ""
    click.echo(f"rows:     {mark.rows:,}{resumed}")
    click.echo(f"created:  {mark.created:,}")
    click.echo(f"updated:  {mark.updated:,}")
    click.echo(f"failed:   {mark.failed:,}")
    click.echo(f"seconds:  {run.seconds():.1f}")
    click.echo(f"rows/s:   {run.rate():,.0f}")
    retries = client.stats.retries
    if retries:
        reasons = ", ".join(f"{reason}: {count}" for reason, count in sorted(retries.items()))
        click.echo(f"retries:  {sum(retries.values()):,} ({reasons})")
    if mark.failed:
        click.echo(f"report:   {run.report.path}")
