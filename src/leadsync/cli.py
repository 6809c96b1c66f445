"""The ``leadsync`` command: serve, users, instances, leads, fields, push.

Every command but ``push`` (which talks to an endpoint) takes ``--db`` (env
``LEADSYNC_DB``): the lead store, a SQLite file or a ``postgresql://`` URL. Only
``serve`` and the commands that add something create a store; the others say there is
none.
"""

from __future__ import annotations

import csv
import json
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from leadsync import __version__
from leadsync.config import (
    DEFAULT_DB,
    DEFAULT_MAX_ATTRIBUTES,
    DEFAULT_MAX_BATCH,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CLOCK_SKEW,
    DEFAULT_MAX_UPDATE_WINDOW_DAYS,
    DEFAULT_POOL_SIZE,
    Settings,
)
from leadsync.errors import ConfigError
from leadsync.fields import FieldType, check_custom_field
from leadsync.http.keyfile import load_keys
from leadsync.limits import LimitSettings
from leadsync.model import DEFAULT_INSTANCE, Lead
from leadsync.push import push
from leadsync.store import Store, open_store
from leadsync.words import plural

F = TypeVar("F", bound=Callable[..., Any])
_LIMITS = LimitSettings()  # Marketo's figures, the defaults


def db_option(func: F) -> F:
    return click.option(
        "--db",
        envvar="LEADSYNC_DB",
        default=DEFAULT_DB,
        show_default=True,
        help="The lead store: a SQLite file or a postgresql:// URL. Env: LEADSYNC_DB.",
    )(func)


@contextmanager
def _store(db: str, *, create: bool = False) -> Iterator[Store]:
    """The store ``db``, closed afterwards; only ``create`` makes one that is missing."""
    try:
        store = open_store(db, create=create)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        yield store
    finally:
        store.close()


@click.group()
@click.version_option(__version__, prog_name="leadsync")
def main() -> None:
    """leadsync: a self-hosted server for Marketo's SOAP lead API (mktows).

    \b
    Quick start:
      leadsync users add demo17_1_809934544BFABAE58E5D27 --secret 27272727aa
      leadsync serve --port 8080
    """


@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8080,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on; 0 picks a free one.",
)
@click.option(
    "--max-clock-skew",
    default=DEFAULT_MAX_CLOCK_SKEW,
    show_default=True,
    type=click.IntRange(0),
    envvar="LEADSYNC_MAX_CLOCK_SKEW",
    help="Seconds a requestTimestamp may differ from the server clock (fault "
    "20016 beyond); 0 turns the check off.",
)
@click.option(
    "--max-batch",
    default=DEFAULT_MAX_BATCH,
    show_default=True,
    type=click.IntRange(1),
    envvar="LEADSYNC_MAX_BATCH",
    help="Most lead records in one syncMultipleLeads call (fault 20110 beyond).",
)
@click.option(
    "--max-body-bytes",
    default=DEFAULT_MAX_BODY_BYTES,
    show_default=True,
    type=click.IntRange(1),
    envvar="LEADSYNC_MAX_BODY_BYTES",
    help="Largest request body accepted (fault 20012 beyond).",
)
@click.option(
    "--max-attributes",
    default=DEFAULT_MAX_ATTRIBUTES,
    show_default=True,
    type=click.IntRange(1),
    envvar="LEADSYNC_MAX_ATTRIBUTES",
    help="Most attributes in one lead record (that record fails beyond).",
)
@click.option(
    "--max-update-window-days",
    default=DEFAULT_MAX_UPDATE_WINDOW_DAYS,
    show_default=True,
    type=click.IntRange(0),
    envvar="LEADSYNC_MAX_UPDATE_WINDOW_DAYS",
    help="Longest oldestUpdatedAt-to-latestUpdatedAt span of a getMultipleLeads "
    "LastUpdateAtSelector (to now without latestUpdatedAt), as Marketo (fault 20022 "
    "beyond); 0 lifts the limit.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    envvar="LEADSYNC_WORKERS",
    help="Server processes sharing the port (each with its own store connections); "
    "one per core serves the most.",
)
@click.option(
    "--pool-size",
    default=DEFAULT_POOL_SIZE,
    show_default=True,
    type=click.IntRange(1, 1000),
    envvar="LEADSYNC_POOL_SIZE",
    help="PostgreSQL connections per process (no effect on SQLite).",
)
@click.option(
    "--emulate-limits",
    is_flag=True,
    envvar="LEADSYNC_EMULATE_LIMITS",
    help="Enforce Marketo's limits per instance: --rate-limit calls per --rate-window "
    "(fault 20023), --concurrency-limit calls in flight (20024), --daily-quota (20015).",
)
@click.option(
    "--rate-limit",
    default=_LIMITS.rate_calls,
    show_default=True,
    type=click.IntRange(1),
    help="Calls per rate window, with --emulate-limits.",
)
@click.option(
    "--rate-window",
    default=_LIMITS.rate_window_seconds,
    show_default=True,
    type=click.IntRange(1),
    help="The rate window in seconds.",
)
@click.option(
    "--concurrency-limit",
    default=_LIMITS.concurrent_calls,
    show_default=True,
    type=click.IntRange(1),
    help="Calls in flight per instance.",
)
@click.option(
    "--daily-quota",
    default=_LIMITS.daily_quota,
    show_default=True,
    type=click.IntRange(1),
    help="Calls per day per instance.",
)
@click.option(
    "--quota-time-zone",
    default=_LIMITS.quota_time_zone,
    show_default=True,
    help="The time zone whose midnight resets the daily quota.",
)
@click.option(
    "--secrets-file",
    type=click.Path(exists=True, dir_okay=False),
    envvar="LEADSYNC_SECRETS_FILE",
    help="User keys kept outside the store: 'USER_ID SECRET' lines, mode 600.",
)
@click.option(
    "--tls-cert",
    type=click.Path(exists=True, dir_okay=False),
    help="Serve HTTPS with this PEM certificate (chain); needs --tls-key.",
)
@click.option(
    "--tls-key",
    type=click.Path(exists=True, dir_okay=False),
    help="The PEM private key of --tls-cert.",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["debug", "info", "warning", "error"]),
)
def serve(
    db: str,
    host: str,
    port: int,
    max_clock_skew: int,
    max_batch: int,
    max_body_bytes: int,
    max_attributes: int,
    max_update_window_days: int,
    workers: int,
    pool_size: int,
    emulate_limits: bool,
    rate_limit: int,
    rate_window: int,
    concurrency_limit: int,
    daily_quota: int,
    quota_time_zone: str,
    secrets_file: str | None,
    tls_cert: str | None,
    tls_key: str | None,
    log_level: str,
) -> None:
    """Serve the SOAP API on HOST:PORT.

    With --workers N, N processes share the port. On PostgreSQL any number of such
    servers, on any number of machines, may share one database.

    \b
    Example:
      leadsync serve --db ./leadsync.db --port 8080
      leadsync serve --db postgresql://leadsync@db/leads --workers 4 --host 0.0.0.0
    """
    from leadsync.http.server import bind
    from leadsync.http.server import serve as run

    if (tls_cert is None) != (tls_key is None):
        raise click.UsageError("--tls-cert and --tls-key go together")
    tls = (tls_cert, tls_key) if tls_cert and tls_key else None
    try:
        limits = LimitSettings(
            rate_limit, rate_window, concurrency_limit, daily_quota, quota_time_zone
        )
        ZoneInfo(quota_time_zone)
    except (ValueError, ZoneInfoNotFoundError):
        raise click.BadParameter(f"unknown time zone {quota_time_zone!r}") from None
    keys: dict[str, str] = {}
    if secrets_file is not None:
        try:
            keys = load_keys(secrets_file)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
    settings = Settings(
        db=db,
        max_clock_skew=max_clock_skew,
        max_batch=max_batch,
        max_body_bytes=max_body_bytes,
        max_attributes=max_attributes,
        pool_size=pool_size,
        emulate_limits=emulate_limits,
        limits=limits,
        secrets_file=secrets_file,
        max_update_window_days=max_update_window_days,
    )
    with _store(db, create=True) as store:  # each worker opens its own
        location, users = store.location, store.list_users()
    try:
        sock = bind(host, port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from None
    shown_host = f"[{host}]" if ":" in host else host
    base = f"{'https' if tls else 'http'}://{shown_host}:{sock.getsockname()[1]}"
    click.echo(f"leadsync {__version__}")
    click.echo(f"endpoint: {base}/soap/mktows/2_2")
    click.echo(f"wsdl:     {base}/soap/mktows/2_2?WSDL")
    click.echo(f"store:    {location}")
    click.echo(f"users:    {len(users)}")
    if workers > 1:
        click.echo(f"workers:  {workers}")
    if emulate_limits:
        click.echo(
            f"limits:   {rate_limit} calls/{rate_window} s, {concurrency_limit} in flight, "
            f"{daily_quota}/day ({quota_time_zone}) per instance and process"
        )
    strangers = sorted(set(keys) - {user_id for user_id, _ in users})
    if strangers:
        click.echo(
            f"warning:  the secrets file has keys for users the store does not know, who "
            f"cannot call: {', '.join(strangers)} (add them with leadsync users add)"
        )
    if not users:
        click.echo(
            f"no user can call yet; add one with: leadsync users add USER_ID --generate --db {db}"
        )
    sys.stdout.flush()
    run(settings, sock, log_level, tls, workers)


@main.group()
def users() -> None:
    """API users: the mktowsUserId and secret key pairs that may call."""


@users.command("add")
@db_option
@click.argument("user_id")
@click.option("--secret", help="The user's secret key (the HMAC key).")
@click.option("--generate", is_flag=True, help="Make a new random key and print it.")
@click.option(
    "--instance",
    default=DEFAULT_INSTANCE,
    show_default=True,
    help="The instance (Marketo subscription) whose leads the user sees.",
)
def users_add(db: str, user_id: str, secret: str | None, generate: bool, instance: str) -> None:
    """Add USER_ID (or replace its key and instance).

    \b
    Example:
      leadsync users add demo17_1_809934544BFABAE58E5D27 --secret 27272727aa
      leadsync users add acme_api --generate --instance acme
    """
    if (secret is None) == (not generate):
        raise click.UsageError("give exactly one of --secret SECRET or --generate")
    if not user_id.strip():
        raise click.UsageError("USER_ID must not be empty")
    key = secrets.token_hex(22).upper() if generate else str(secret)
    if not key:
        raise click.UsageError("the secret must not be empty")
    with _store(db, create=True) as store:
        before = store.account(user_id)
        try:
            store.add_user(user_id, key, instance)
        except ValueError:
            raise click.ClickException(
                f"no instance {instance}; add it with: leadsync instances add {instance}"
            ) from None
    suffix = "" if instance == DEFAULT_INSTANCE else f" (instance {instance})"
    if before is None:
        click.echo(f"added user {user_id}{suffix}")
    else:
        changes = [
            *(["replaced its key"] if before.secret != key else []),
            *([f"moved it to instance {instance}"] if before.instance != instance else []),
        ]
        click.echo(f"user {user_id}: {' and '.join(changes) or 'nothing changed'}")
    if generate:
        click.echo(f"secret: {key}")


@users.command("list")
@db_option
def users_list(db: str) -> None:
    """List the users and their instances, tab-separated (never their keys).

    \b
    Example:
      leadsync users list
    """
    with _store(db) as store:
        for user_id, instance in store.list_users():
            click.echo(f"{user_id}\t{instance}")


@users.command("remove")
@db_option
@click.argument("user_id")
def users_remove(db: str, user_id: str) -> None:
    """Remove USER_ID; its calls then fail with fault 20014.

    \b
    Example:
      leadsync users remove demo17_1_809934544BFABAE58E5D27
    """
    with _store(db) as store:
        if not store.remove_user(user_id):
            raise click.ClickException(f"no user {user_id}")
    click.echo(f"removed user {user_id}")


@main.group()
def instances() -> None:
    """Instances (Marketo subscriptions): each has its own leads; users belong to one."""


@instances.command("add")
@db_option
@click.argument("name")
def instances_add(db: str, name: str) -> None:
    """Add the instance NAME (the instance "default" always exists).

    \b
    Example:
      leadsync instances add acme
    """
    if not name.strip() or name != name.strip():
        raise click.UsageError("NAME must not be empty or carry spaces at its ends")
    with _store(db, create=True) as store:
        created = store.add_instance(name)
    click.echo(f"{'added' if created else 'there is already an'} instance {name}")


@instances.command("list")
@db_option
def instances_list(db: str) -> None:
    """List the instances.

    \b
    Example:
      leadsync instances list
    """
    with _store(db) as store:
        for name in store.list_instances():
            click.echo(name)


@instances.command("remove")
@db_option
@click.argument("name")
@click.option("--force", is_flag=True, help="Remove it with its users and leads.")
def instances_remove(db: str, name: str, force: bool) -> None:
    """Remove the instance NAME; one with users or leads only with --force.

    \b
    Example:
      leadsync instances remove acme --force
    """
    if name == DEFAULT_INSTANCE:
        raise click.ClickException(f"the instance {DEFAULT_INSTANCE} cannot be removed")
    with _store(db) as store:
        if name not in store.list_instances():
            raise click.ClickException(f"no instance {name}")
        users, leads = store.instance_use(name)
        if (users or leads) and not force:
            raise click.ClickException(
                f"the instance {name} has {plural(users, 'user')} and {plural(leads, 'lead')};"
                " remove it with them with --force"
            )
        store.remove_instance(name)
    click.echo(f"removed instance {name} ({plural(users, 'user')}, {plural(leads, 'lead')})")


@main.group()
def leads() -> None:
    """The stored leads."""


def _iso(microseconds: int) -> str:
    moment = datetime.fromtimestamp(microseconds / 1_000_000, UTC)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


EXPORT_COLUMNS = (
    "Id",
    "instance",
    "Email",
    "ForeignSysPersonId",
    "ForeignSysType",
    "createdAt",
    "updatedAt",
)


def _row(lead: Lead) -> dict[str, Any]:
    return {
        "Id": lead.id,
        "instance": lead.instance,
        "Email": lead.email,
        "ForeignSysPersonId": lead.foreign_sys_person_id,
        "ForeignSysType": lead.foreign_sys_type,
        "createdAt": _iso(lead.created_at),
        "updatedAt": _iso(lead.updated_at),
        **lead.attributes,
    }


@leads.command("export")
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="JSON Lines (one object a lead) or CSV with a header.",
)
@click.option("--instance", help="Only this instance's leads (default: every instance).")
def leads_export(db: str, fmt: str, instance: str | None) -> None:
    """Write every lead to standard output, in Id order.

    Keys: Id, instance, Email, ForeignSysPersonId, ForeignSysType, createdAt, updatedAt,
    then one per attribute, named by its attrName. `leadsync push` reads this format back
    (it skips instance, createdAt and updatedAt).

    \b
    Example:
      leadsync leads export --format csv > leads.csv
    """
    with _store(db) as store:
        if instance is not None and instance not in store.list_instances():
            raise click.ClickException(f"no instance {instance}")
        rows: Iterator[dict[str, Any]] = (_row(lead) for lead in store.iter_leads(instance))
        out = sys.stdout
        if fmt == "jsonl":
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            return
        writer = csv.DictWriter(
            out, [*EXPORT_COLUMNS, *store.attribute_names(instance)], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)


@main.group()
def fields() -> None:
    """The lead field catalog: Marketo's standard fields and your custom ones."""


@fields.command("list")
@db_option
def fields_list(db: str) -> None:
    """List every field an attribute may name, with its type and origin.

    \b
    Example:
      leadsync fields list
    """
    with _store(db) as store:
        catalog = store.catalog()
    for field in catalog.fields:
        click.echo(f"{field.name}\t{field.type}\t{'custom' if field.custom else 'standard'}")


@fields.command("add")
@db_option
@click.argument("name")
@click.option(
    "--type",
    "field_type",
    required=True,
    type=click.Choice([t.value for t in FieldType]),
    help="The value type.",
)
def fields_add(db: str, name: str, field_type: str) -> None:
    """Add a custom field NAME that lead attributes may then carry.

    \b
    Example:
      leadsync fields add LoyaltyTier --type string
    """
    with _store(db, create=True) as store:
        try:
            check_custom_field(name, [f.name for f in store.catalog().fields if f.custom])
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        store.add_field(name, FieldType(field_type), time.time_ns() // 1000)
    click.echo(f"added field {name} ({field_type})")


@fields.command("remove")
@db_option
@click.argument("name")
@click.option("--force", is_flag=True, help="Remove it even though leads hold values of it.")
def fields_remove(db: str, name: str, force: bool) -> None:
    """Remove the custom field NAME; one that leads hold values of only with --force,
    which removes those values too.

    \b
    Example:
      leadsync fields remove LoyaltyTier
    """
    with _store(db) as store:
        if not any(f.custom and f.name == name for f in store.catalog().fields):
            raise click.ClickException(f"no custom field {name}")
        holders = store.field_use(name)
        if holders and not force:
            raise click.ClickException(
                f"{plural(holders, 'lead')} hold a value of {name}; remove the field and "
                "those values with --force"
            )
        store.remove_field(name)
    click.echo(
        f"removed field {name}"
        + (f" and its values on {plural(holders, 'lead')}" if holders else "")
    )


main.add_command(push)  # leadsync push FILE: defined with the loader in push.py
