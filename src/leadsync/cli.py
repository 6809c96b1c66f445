"""The ``leadsync`` command: serve, users, instances, leads, fields, push.

Every command but ``push`` (which talks to an endpoint) takes ``--db`` (env
``LEADSYNC_DB``): the lead store, a SQLite file or a ``postgresql://`` URL. Only
``serve`` and the commands that add something create a store; the others say there is
none.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import click

from leadsync import __version__
from leadsync.activities import Activity
from leadsync.config import DEFAULT_DB, Settings
from leadsync.custom_objects import LEAD_LINK, ObjectType
from leadsync.errors import ConfigError, MktowsError
from leadsync.fields import FieldType
from leadsync.http.keyfile import load_keys
from leadsync.identity import (
    RestClient,
    hash_secret,
    new_client_id,
    new_secret,
    secret_matches,
)
from leadsync.limits import LimitSettings
from leadsync.lists import Channel
from leadsync.model import DEFAULT_INSTANCE, Lead
from leadsync.options import options
from leadsync.push import push
from leadsync.relay_settings import RelaySettings
from leadsync.service.fields import add_custom_field, remove_custom_field
from leadsync.store import Store, open_store
from leadsync.store.tables import Duplicate
from leadsync.words import plural

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


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
    """leadsync: a self-hosted server for Marketo's lead APIs, SOAP (mktows) and REST,
    on one store; a relay of SOAP calls to a live Marketo; a test kit.

    \b
    Quick start:
      leadsync users add demo17_1_809934544BFABAE58E5D27 --secret 27272727aa
      leadsync rest-clients add demo --client-id demo-rest-client --client-secret s3cret
      leadsync serve --port 8080
    """


class _Workers(click.ParamType):  # type: ignore[type-arg]
    """``auto`` (one per core: what serves the most, docs/operations.md) or a number."""

    name = "auto|N"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        if str(value).strip().lower() == "auto":
            return max(1, len(os.sched_getaffinity(0)))
        try:
            workers = int(value)
        except ValueError:
            self.fail(f"{value!r} is neither auto nor a number", param, ctx)
        if not 1 <= workers <= 64:
            self.fail(f"{workers} is not between 1 and 64", param, ctx)
        return workers


def _settings_options(func: F) -> F:
    """``serve``'s options for every setting, from its declaration (config.py, limits.py)."""
    for owner in (RelaySettings, LimitSettings, Settings):  # bottom-up: Settings' come first
        defaults = owner()
        for name, option in reversed(options(owner)):
            default = getattr(defaults, name)
            kind: Any
            if isinstance(default, bool):
                kind = {"is_flag": True}
            elif name in ("secrets_file", "upstream_client_secret_file", "admin_token_file"):
                kind = {"type": click.Path(exists=True, dir_okay=False)}
            elif isinstance(default, int):
                kind = {"type": click.IntRange(option.minimum), "show_default": True}
            else:
                kind = {"show_default": True}
            func = click.option(
                f"--{option.flag}",
                name,
                default=default,
                envvar=option.envvar,
                help=f"{option.help} Env: {option.envvar}.",
                **kind,
            )(func)
    return func


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
    "--workers",
    default="auto",
    show_default=True,
    type=_Workers(),
    envvar="LEADSYNC_WORKERS",
    help="Server processes sharing the port (each with its own store connections); auto is "
    "one per core, which serves the most. Env: LEADSYNC_WORKERS.",
)
@_settings_options
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
    workers: int,
    tls_cert: str | None,
    tls_key: str | None,
    log_level: str,
    **given: Any,
) -> None:
    """Serve the SOAP and REST APIs on HOST:PORT (with --upstream: relay SOAP calls to a
    live Marketo through its REST API, docs/relay.md).

    With --workers N, N processes share the port. On PostgreSQL any number of such
    servers, on any number of machines, may share one database. Every option can also
    come from its LEADSYNC_* environment variable.

    \b
    Example:
      leadsync serve --db ./leadsync.db --port 8080
      leadsync serve --db postgresql://leadsync@db/leads --workers 4 --host 0.0.0.0
      leadsync serve --upstream https://123-ABC-456.mktorest.com \\
        --upstream-client-id ID --upstream-client-secret-file secret.txt
    """
    from leadsync.http.server import bind
    from leadsync.http.server import serve as run

    if (tls_cert is None) != (tls_key is None):
        raise click.UsageError("--tls-cert and --tls-key go together")
    tls = (tls_cert, tls_key) if tls_cert and tls_key else None
    limit_names = {name for name, _ in options(LimitSettings)}
    relay_names = {name for name, _ in options(RelaySettings)}
    try:
        limits = LimitSettings(**{k: v for k, v in given.items() if k in limit_names})
        relay = RelaySettings(
            **{k: v for k, v in given.items() if k in relay_names}, processes=workers
        )
        settings = Settings(
            db=db,
            limits=limits,
            relay=relay,
            **{k: v for k, v in given.items() if k not in limit_names | relay_names},
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    keys: dict[str, str] = {}
    if settings.secrets_file is not None:
        try:
            keys = load_keys(settings.secrets_file)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
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
    click.echo(f"rest:     {base}/rest (tokens: {base}/identity/oauth/token)")
    click.echo(f"store:    {location}")
    click.echo(f"workers:  {workers}")
    click.echo(f"users:    {len(users)}")
    if settings.emulate_limits:
        click.echo(
            f"limits:   {limits.rate_calls} calls/{limits.rate_window_seconds} s, "
            f"{limits.concurrent_calls} in flight, {limits.daily_quota}/day "
            f"({limits.quota_time_zone}) per instance and process"
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


@main.group("rest-clients")
def rest_clients() -> None:
    """REST API clients: the client id and secret a REST integration gets tokens with."""


@rest_clients.command("add")
@db_option
@click.argument("name")
@click.option("--client-id", help="Its client id (default with --generate: a new UUID).")
@click.option("--client-secret", help="Its client secret (kept only as a salted hash).")
@click.option("--generate", is_flag=True, help="Make a new client id and secret and print them.")
@click.option(
    "--instance",
    default=DEFAULT_INSTANCE,
    show_default=True,
    help="The instance (Marketo subscription) whose leads the client sees.",
)
def rest_clients_add(
    db: str,
    name: str,
    client_id: str | None,
    client_secret: str | None,
    generate: bool,
    instance: str,
) -> None:
    """Add the REST client NAME (or replace its credentials and instance). A secret is
    shown once (with --generate) and never again: leadsync keeps only a salted hash.

    \b
    Example:
      leadsync rest-clients add crm-sync --generate
      leadsync rest-clients add ci --client-id ci-id --client-secret ci-secret --instance acme
    """
    if generate == bool(client_id and client_secret) or (not generate and not client_secret):
        raise click.UsageError("give --client-id ID and --client-secret SECRET, or --generate")
    if not name.strip():
        raise click.UsageError("NAME must not be empty")
    given_id = client_id or new_client_id()
    secret = client_secret or new_secret()
    client = RestClient(name, given_id, instance, int(time.time() * 1e6), hash_secret(secret))
    suffix = "" if instance == DEFAULT_INSTANCE else f" (instance {instance})"
    with _store(db, create=True) as store:
        before = next((c for c in store.rest_clients() if c.name == name), None)
        if before is not None:
            kept = store.rest_client(before.client_id)
            if (
                kept is not None
                and (before.client_id, before.instance) == (given_id, instance)
                and secret_matches(secret, kept.secret_hash)
            ):
                click.echo(f"REST client {name}: nothing changed")
                return
            store.remove_rest_client(name)
        try:
            store.add_rest_client(client)
        except Duplicate as exc:
            raise click.ClickException(str(exc)) from None
        except ValueError:
            raise click.ClickException(
                f"no instance {instance}; add it with: leadsync instances add {instance}"
            ) from None
    if before is None:
        click.echo(f"added REST client {name}{suffix}")
    else:
        click.echo(f"REST client {name}: replaced its credentials{suffix} (its tokens are gone)")
    click.echo(f"client id: {given_id}")
    if generate:
        click.echo(f"client secret: {secret}")


@rest_clients.command("list")
@db_option
def rest_clients_list(db: str) -> None:
    """List the REST clients: name, client id, instance, tab-separated (never secrets).

    \b
    Example:
      leadsync rest-clients list
    """
    with _store(db) as store:
        for client in store.rest_clients():
            click.echo(f"{client.name}\t{client.client_id}\t{client.instance}")


@rest_clients.command("remove")
@db_option
@click.argument("name")
def rest_clients_remove(db: str, name: str) -> None:
    """Remove the REST client NAME (or with that client id) and its tokens; its calls
    then get 601.

    \b
    Example:
      leadsync rest-clients remove crm-sync
    """
    with _store(db) as store:
        if not store.remove_rest_client(name):
            raise click.ClickException(f"no REST client {name}")
    click.echo(f"removed REST client {name}")


@main.group()
def relay() -> None:
    """Relay mode: SOAP calls answered through a live Marketo's REST API (docs/relay.md)."""


def _relay_option(flag: str, help: str, **kwargs: Any) -> Callable[[F], F]:
    envvar = "LEADSYNC_" + flag.upper().replace("-", "_")
    return click.option(f"--{flag}", envvar=envvar, help=f"{help} Env: {envvar}.", **kwargs)


@relay.command("check")
@_relay_option("upstream", "The upstream's REST base URL.", required=True)
@_relay_option("upstream-identity", "Its identity URL (default: <upstream>/identity).")
@_relay_option("upstream-client-id", "The upstream REST client id.", required=True)
@_relay_option(
    "upstream-client-secret-file",
    "A file holding the client secret.",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
)
@_relay_option("upstream-foreign-id-field", "The custom field that holds ForeignSysPersonId.")
def relay_check(
    upstream: str,
    upstream_identity: str | None,
    upstream_client_id: str,
    upstream_client_secret_file: str,
    upstream_foreign_id_field: str | None,
) -> None:
    """Call the upstream's identity and Describe Leads, and report what works; exit 1
    when the relay could not run.

    \b
    Example:
      leadsync relay check --upstream https://123-ABC-456.mktorest.com \\
        --upstream-client-id ID --upstream-client-secret-file secret.txt
    """
    from leadsync.relay import Upstream, secret_of
    from leadsync.relay.catalog import UpstreamCatalog

    settings = RelaySettings(
        upstream=upstream,
        upstream_identity=upstream_identity,
        upstream_client_id=upstream_client_id,
        upstream_client_secret_file=upstream_client_secret_file,
        upstream_foreign_id_field=upstream_foreign_id_field,
        upstream_wait=0,
    )
    try:
        client = Upstream(settings, secret_of(settings))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    failed = False
    try:
        try:
            client.token()
            click.echo(f"token:     ok ({settings.identity}/oauth/token)")
        except MktowsError as exc:
            raise click.ClickException(f"token:     failed: {exc.message}") from None
        try:
            fields = UpstreamCatalog.learn(client)
            custom = sum(1 for f in fields.catalog.fields if f.custom)  # described here
        except MktowsError as exc:
            raise click.ClickException(f"describe:  failed: {exc.message}") from None
        click.echo(f"describe:  ok ({len(fields.rest_of)} lead fields, {custom} custom)")
        if upstream_foreign_id_field:
            found = upstream_foreign_id_field in fields.soap_of
            failed = not found
            click.echo(
                f"foreign id: {upstream_foreign_id_field} "
                + ("found" if found else "is no field upstream: ForeignSysPersonId records fail")
            )
        else:
            click.echo(
                "foreign id: no --upstream-foreign-id-field: ForeignSysPersonId records fail"
            )
    finally:
        client.close()
    if failed:
        sys.exit(1)


@main.group()
def instances() -> None:
    """Instances (Marketo subscriptions): each has its own leads; users belong to one."""


@instances.command("add")
@db_option
@click.argument("name")
@click.option("--upstream", help="Relay mode for this instance: its own upstream's REST base URL.")
@click.option("--upstream-identity", help="Its identity URL (default: <upstream>/identity).")
@click.option("--upstream-client-id", help="Its REST client id.")
@click.option(
    "--upstream-client-secret-file",
    type=click.Path(exists=True, dir_okay=False),
    help="A file holding its client secret (read by the server when it starts).",
)
@click.option("--upstream-foreign-id-field", help="Its custom field for ForeignSysPersonId.")
def instances_add(
    db: str,
    name: str,
    upstream: str | None,
    upstream_identity: str | None,
    upstream_client_id: str | None,
    upstream_client_secret_file: str | None,
    upstream_foreign_id_field: str | None,
) -> None:
    """Add the instance NAME (the instance "default" always exists); with --upstream its
    SOAP calls go to that Marketo, whatever the server's own --upstream (docs/relay.md).

    \b
    Example:
      leadsync instances add acme
      leadsync instances add emea --upstream https://123-ABC-456.mktorest.com \\
        --upstream-client-id ID --upstream-client-secret-file emea-secret
    """
    if not name.strip() or name != name.strip():
        raise click.UsageError("NAME must not be empty or carry spaces at its ends")
    relay = None
    if upstream is not None:
        if not upstream_client_id or not upstream_client_secret_file:
            raise click.UsageError(
                "--upstream needs --upstream-client-id and --upstream-client-secret-file"
            )
        relay = {
            "upstream": upstream,
            "upstream_identity": upstream_identity,
            "upstream_client_id": upstream_client_id,
            "upstream_client_secret_file": os.path.abspath(upstream_client_secret_file),
            "upstream_foreign_id_field": upstream_foreign_id_field,
        }
    with _store(db, create=True) as store:
        created = store.add_instance(name)
        if relay is not None:
            store.set_instance_upstream(name, json.dumps(relay))
    click.echo(f"{'added' if created else 'there is already an'} instance {name}")
    if relay is not None:
        click.echo(f"upstream: {upstream}")


@instances.command("list")
@db_option
def instances_list(db: str) -> None:
    """List the instances; one with its own upstream, tab-separated, with its URL.

    \b
    Example:
      leadsync instances list
    """
    with _store(db) as store:
        upstreams = store.instance_upstreams()
        for name in store.list_instances():
            if name in upstreams:
                click.echo(f"{name}\tupstream {json.loads(upstreams[name])['upstream']}")
            else:
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
        columns = [*EXPORT_COLUMNS, *store.attribute_names(instance)] if fmt == "csv" else []
        _write_rows(rows, fmt, columns)


def _write_rows(rows: Iterator[dict[str, Any]], fmt: str, columns: list[str]) -> None:
    """``rows`` to standard output: JSON Lines, or CSV under a header of ``columns`` (a
    value that is not text written as JSON)."""
    out = sys.stdout
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v
                for k, v in row.items()
            }
        )


@main.group()
def fields() -> None:
    """The lead field catalog: Marketo's standard fields and your custom ones."""


def instance_option(func: F) -> F:
    return click.option(
        "--instance",
        default=DEFAULT_INSTANCE,
        show_default=True,
        help="The instance (Marketo subscription) to act on.",
    )(func)


def _known_instance(store: Store, instance: str) -> None:
    if instance not in store.list_instances():
        raise click.ClickException(f"no instance {instance}")


@fields.command("list")
@db_option
@instance_option
def fields_list(db: str, instance: str) -> None:
    """List every field an attribute may name in the instance, tab-separated: SOAP name,
    type, origin, REST name, display name.

    \b
    Example:
      leadsync fields list --instance acme
    """
    with _store(db) as store:
        _known_instance(store, instance)
        catalog = store.catalog(instance)
    for field in catalog.fields:
        origin = "custom" if field.custom else "standard"
        click.echo(f"{field.name}\t{field.type}\t{origin}\t{field.rest}\t{field.display}")


@fields.command("add")
@db_option
@instance_option
@click.argument("name")
@click.option(
    "--type",
    "field_type",
    required=True,
    type=click.Choice([t.value for t in FieldType]),
    help="The value type.",
)
@click.option("--rest-name", help="Its REST API name (default: NAME in lower camel case).")
@click.option("--display-name", help="Its display name (default: NAME's words, spaced).")
def fields_add(
    db: str,
    instance: str,
    name: str,
    field_type: str,
    rest_name: str | None,
    display_name: str | None,
) -> None:
    """Add a custom field NAME to the instance's catalog: its leads' attributes may then
    carry it. Activities show its display name; a REST API, its REST name.

    \b
    Example:
      leadsync fields add LoyaltyTier --type string
      leadsync fields add NPS_Score --type integer --display-name "NPS" --instance acme
    """
    with _store(db, create=True) as store:
        _known_instance(store, instance)
        try:
            field = add_custom_field(
                store,
                instance,
                name,
                FieldType(field_type),
                time.time_ns() // 1000,
                rest_name,
                display_name,
            )
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    suffix = "" if instance == DEFAULT_INSTANCE else f" to instance {instance}"
    click.echo(
        f"added field {name} ({field_type}; REST {field.rest}, shown as {field.display})" + suffix
    )


@fields.command("remove")
@db_option
@instance_option
@click.argument("name")
@click.option("--force", is_flag=True, help="Remove it even though leads hold values of it.")
def fields_remove(db: str, instance: str, name: str, force: bool) -> None:
    """Remove the custom field NAME of the instance; one that leads hold values of only
    with --force, which removes those values too.

    \b
    Example:
      leadsync fields remove LoyaltyTier
    """
    with _store(db) as store:
        _known_instance(store, instance)
        try:
            holders = remove_custom_field(store, instance, name, force)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(
        f"removed field {name}"
        + (f" and its values on {plural(holders, 'lead')}" if holders else "")
    )


def _read(db: str, instance: str, read: Callable[[Store], T]) -> T:
    """``read`` of the store, for a known instance."""
    with _store(db) as store:
        _known_instance(store, instance)
        return read(store)


def _add(db: str, instance: str, what: str, name: str, add: Callable[[Store], int]) -> None:
    """Run ``add`` on the store (creating it), print the new id; ValueError is the
    user's mistake."""
    with _store(db, create=True) as store:
        _known_instance(store, instance)
        try:
            new_id = add(store)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    suffix = "" if instance == DEFAULT_INSTANCE else f" in instance {instance}"
    click.echo(f"added {what} {name} (id {new_id}){suffix}")


@main.group()
def lists() -> None:
    """Static lists: what listOperation adds leads to and removes them from."""


@lists.command("add")
@db_option
@instance_option
@click.argument("name")
@click.option("--program", help="The program the list belongs to (key PROGRAM.NAME too).")
def lists_add(db: str, instance: str, name: str, program: str | None) -> None:
    """Add the static list NAME; prints its id.

    \b
    Example:
      leadsync lists add Newsletter
      leadsync lists add listForTesting --program SMSProgram
    """
    now = time.time_ns() // 1000
    _add(db, instance, "list", name, lambda store: store.add_list(instance, name, program, now))


@lists.command("list")
@db_option
@instance_option
def lists_list(db: str, instance: str) -> None:
    """List the instance's static lists, tab-separated: id, name, program, members.

    \b
    Example:
      leadsync lists list --instance acme
    """
    with _store(db) as store:
        _known_instance(store, instance)
        for found in store.list_lists(instance):
            size = store.list_size(found.id)
            click.echo(f"{found.id}\t{found.name}\t{found.program or ''}\t{size}")


@lists.command("remove")
@db_option
@instance_option
@click.argument("name")
def lists_remove(db: str, instance: str, name: str) -> None:
    """Remove the static list NAME and its memberships (the leads stay).

    \b
    Example:
      leadsync lists remove Newsletter
    """
    with _store(db) as store:
        _known_instance(store, instance)
        if not store.remove_list(instance, name):
            raise click.ClickException(f"no list {name}")
    click.echo(f"removed list {name}")


@main.group()
def programs() -> None:
    """Programs: what lists and campaigns belong to."""


def _tag(text: str) -> tuple[str, str]:
    return _pair(text, "--tag")


def _pair(text: str, option: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        shown = "TYPE=VALUE" if option == "--tag" else "NAME=VALUE"
        raise click.BadParameter(f"{text!r} is not {shown}", param_hint=option)
    return name.strip(), value.strip()


@programs.command("add")
@db_option
@instance_option
@click.argument("name")
@click.option("--channel", help="The program's channel (leadsync channels add).")
@click.option("--tag", "tags", multiple=True, help="A tag as TYPE=VALUE; repeatable.")
@click.option(
    "--token", "tokens", multiple=True, help="A My Token as NAME=VALUE ({{my.x}}=...); repeatable."
)
def programs_add(
    db: str,
    instance: str,
    name: str,
    channel: str | None,
    tags: tuple[str, ...],
    tokens: tuple[str, ...],
) -> None:
    """Add the program NAME; prints its id.

    \b
    Example:
      leadsync programs add SMSProgram --channel Webinar --tag Region=EMEA \\
          --token "{{my.greeting}}=Hello"
    """
    parsed = [_tag(t) for t in tags]
    my_tokens = [_pair(t, "--token") for t in tokens]
    now = time.time_ns() // 1000
    _add(
        db,
        instance,
        "program",
        name,
        lambda store: store.add_program(instance, name, channel, parsed, now, my_tokens),
    )


@programs.command("list")
@db_option
@instance_option
def programs_list(db: str, instance: str) -> None:
    """List the instance's programs, tab-separated: id, name, channel, tags.

    \b
    Example:
      leadsync programs list
    """
    found = _read(db, instance, lambda store: store.list_programs(instance))
    for program in found:
        tags = ",".join(f"{t}={v}" for t, v in program.tags)
        click.echo(f"{program.id}\t{program.name}\t{program.channel or ''}\t{tags}")


@main.group()
def channels() -> None:
    """Channels: the kinds of program, each with its progression of statuses."""


@channels.command("add")
@db_option
@instance_option
@click.argument("name")
@click.option(
    "--progression", "steps", multiple=True, help="A program status, in order (steps 10, 20, ...)."
)
@click.option("--success", "successes", multiple=True, help="A status that counts as success.")
def channels_add(
    db: str, instance: str, name: str, steps: tuple[str, ...], successes: tuple[str, ...]
) -> None:
    """Add the channel NAME with its progression of program statuses; prints its id.

    \b
    Example:
      leadsync channels add Webinar --progression Invited --progression Attended \\
          --success Attended
    """
    unknown = sorted(set(successes) - set(steps))
    if unknown:
        raise click.BadParameter(
            f"{unknown[0]} is not a --progression status", param_hint="--success"
        )
    channel = Channel.numbered(0, name, steps, successes)
    _add(db, instance, "channel", name, lambda store: store.add_channel(instance, channel))


@channels.command("list")
@db_option
@instance_option
def channels_list(db: str, instance: str) -> None:
    """List the instance's channels, tab-separated: id, name, progression (a success
    status marked *).

    \b
    Example:
      leadsync channels list
    """
    found = _read(db, instance, lambda store: store.list_channels(instance))
    for channel in found:
        steps = ",".join(f"{s.name}{'*' if s.success else ''}" for s in channel.progression)
        click.echo(f"{channel.id}\t{channel.name}\t{steps}")


@main.group()
def campaigns() -> None:
    """Smart campaigns: what requestCampaign and scheduleCampaign run (and record)."""


@campaigns.command("add")
@db_option
@instance_option
@click.argument("name")
@click.option("--program", required=True, help="The program the campaign belongs to.")
@click.option("--description", default="", help="Shown by getCampaignsForSource.")
@click.option(
    "--not-requestable",
    is_flag=True,
    help="A batch campaign: scheduleCampaign only (no Campaign is Requested trigger).",
)
def campaigns_add(
    db: str, instance: str, name: str, program: str, description: str, not_requestable: bool
) -> None:
    """Add the campaign NAME to a program; prints its id. getCampaignsForSource lists
    it as PROGRAM.NAME unless it is --not-requestable.

    \b
    Example:
      leadsync campaigns add "Welcome Trigger" --program Onboarding
    """
    now = time.time_ns() // 1000
    _add(
        db,
        instance,
        "campaign",
        name,
        lambda store: store.add_campaign(
            instance, name, program, description, not not_requestable, now
        ),
    )


@campaigns.command("list")
@db_option
@instance_option
def campaigns_list(db: str, instance: str) -> None:
    """List the instance's campaigns, tab-separated: id, PROGRAM.NAME, requestable or
    batch, description.

    \b
    Example:
      leadsync campaigns list
    """
    found = _read(db, instance, lambda store: store.list_campaigns(instance))
    for c in found:
        kind = "requestable" if c.requestable else "batch"
        click.echo(f"{c.id}\t{c.full_name}\t{kind}\t{c.description}")


@campaigns.command("runs")
@db_option
@instance_option
@click.argument("name", required=False)
def campaigns_runs(db: str, instance: str, name: str | None) -> None:
    """What requestCampaign and scheduleCampaign asked for, oldest first, as JSON Lines:
    id, campaign, kind (requested or scheduled), askedAt, runAt, leadIds, tokens,
    cloneToProgramName. NAME (the campaign's, or PROGRAM.NAME) narrows it.

    \b
    Example:
      leadsync campaigns runs "Onboarding.Welcome Trigger"
    """
    with _store(db) as store:
        _known_instance(store, instance)
        campaign_id = None
        if name is not None:
            matches = [c for c in store.list_campaigns(instance) if name in (c.name, c.full_name)]
            if not matches:
                raise click.ClickException(f"no campaign {name}")
            campaign_id = matches[0].id
        runs = store.campaign_runs(instance, campaign_id)
    for run in runs:
        click.echo(
            json.dumps(
                {
                    "id": run.id,
                    "campaign": run.campaign,
                    "kind": run.kind.value,
                    "askedAt": _iso(run.asked_at),
                    "runAt": None if run.run_at is None else _iso(run.run_at),
                    "leadIds": list(run.lead_ids),
                    "tokens": dict(run.tokens),
                    "cloneToProgramName": run.clone_to,
                },
                ensure_ascii=False,
            )
        )


@main.group()
def objects() -> None:
    """Custom object types: what syncCustomObjects, getCustomObjects and
    deleteCustomObjects work on."""


def _object_field(text: str) -> tuple[str, FieldType]:
    name, sep, kind = text.partition(":")
    try:
        return name.strip(), FieldType(kind.strip())
    except ValueError:
        choices = ", ".join(t.value for t in FieldType)
        raise click.BadParameter(
            f"{text!r} is not NAME:TYPE with TYPE one of {choices}", param_hint="--field"
        ) from None


@objects.command("add")
@db_option
@instance_option
@click.argument("name")
@click.option("--key", "keys", multiple=True, help="A key field (besides MKTOID); repeatable.")
@click.option("--field", "fields_", multiple=True, help="A field as NAME:TYPE; repeatable.")
def objects_add(
    db: str, instance: str, name: str, keys: tuple[str, ...], fields_: tuple[str, ...]
) -> None:
    """Add the custom object type NAME; prints its id. Its objects are named by MKTOID (the
    lead's id) and its --key fields (a key not given as a --field is a string).

    \b
    Example:
      leadsync objects add RoadShow --key rid --field city:string --field zip:string
    """
    declared = [_object_field(f) for f in fields_]
    names = {field for field, _ in declared}
    declared += [(key, FieldType.STRING) for key in keys if key not in names]
    if not keys:
        raise click.BadParameter("a custom object needs a key besides MKTOID", param_hint="--key")
    object_type = ObjectType(0, name, keys, tuple(declared))
    now = time.time_ns() // 1000
    _add(
        db,
        instance,
        "custom object",
        name,
        lambda store: store.add_object_type(instance, object_type, now),
    )


@objects.command("list")
@db_option
@instance_option
def objects_list(db: str, instance: str) -> None:
    """List the instance's custom object types, tab-separated: id, name, keys.

    \b
    Example:
      leadsync objects list
    """
    found = _read(db, instance, lambda store: store.object_types(instance))
    for object_type in found:
        click.echo(f"{object_type.id}\t{object_type.name}\tMKTOID,{','.join(object_type.keys)}")


@objects.command("describe")
@db_option
@instance_option
@click.argument("name")
def objects_describe(db: str, instance: str, name: str) -> None:
    """The fields of the custom object type NAME, tab-separated: name, type, key or not.

    \b
    Example:
      leadsync objects describe RoadShow
    """
    with _store(db) as store:
        _known_instance(store, instance)
        found = [t for t in store.object_types(instance) if t.name.casefold() == name.casefold()]
    if not found:
        raise click.ClickException(f"no custom object {name}")
    click.echo(f"{LEAD_LINK}\tinteger\tkey")
    for field, kind in found[0].fields:
        click.echo(f"{field}\t{kind.value}\t{'key' if field in found[0].keys else ''}")


main.add_command(push)  # leadsync push FILE: defined with the loader in push/command.py


@main.group()
def activities() -> None:
    """The leads' history: the activities every write appends."""


ACTIVITY_COLUMNS = (
    "id",
    "leadId",
    "activityDateTime",
    "activityTypeId",
    "activityType",
    "mktgAssetName",
    "campaign",
    "attributes",
)


def _activity_row(activity: Activity) -> dict[str, Any]:
    return {
        "id": activity.id,
        "leadId": activity.lead_id,
        "activityDateTime": _iso(activity.created_at),
        "activityTypeId": activity.kind,
        "activityType": activity.kind_info.name,
        "mktgAssetName": activity.asset,
        "campaign": activity.campaign,
        "attributes": dict(activity.attributes()),
    }


@activities.command("export")
@db_option
@instance_option
@click.option("--lead", "lead_id", type=int, help="Only this lead's activities.")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]),
    help="Only activities created at or after this (UTC unless it has an offset).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="JSON Lines (one object an activity) or CSV with a header.",
)
def activities_export(
    db: str, instance: str, lead_id: int | None, since: datetime | None, fmt: str
) -> None:
    """Write the instance's activities to standard output, oldest first (by id).

    Keys: id, leadId, activityDateTime, activityTypeId (Marketo's REST type id: 12 New
    Lead, 13 Change Data Value), activityType, mktgAssetName, campaign, attributes (an
    object by attribute name; in CSV, that object as JSON).

    \b
    Example:
      leadsync activities export --lead 42 --since 2026-12-01 --format csv
    """
    since_us = None
    if since is not None:
        moment = since if since.tzinfo else since.replace(tzinfo=UTC)
        since_us = int(moment.timestamp() * 1_000_000)
    with _store(db) as store:
        _known_instance(store, instance)
        rows = (_activity_row(a) for a in store.iter_activities(instance, lead_id, since_us))
        _write_rows(rows, fmt, list(ACTIVITY_COLUMNS))
