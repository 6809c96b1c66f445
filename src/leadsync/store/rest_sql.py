"""REST API clients, their tokens and lead deletion, in SQL both stores run
(store/tables.py): ``RestTables`` the store's part, ``DeleteTables`` the write
transaction's."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from leadsync.identity import RestClient, Token
from leadsync.store.tables import (
    DATA_DELETES,
    DEFINITION_DELETES,
    Duplicate,
    Tables,
    WriterTables,
)

_CLIENTS = "SELECT name, client_id, instance, created_at, secret_hash FROM rest_clients"


class RestTables(Tables):
    """The RestClientStore methods of a store."""

    def add_rest_client(self, client: RestClient) -> None:
        if not self._query("SELECT 1 FROM instances WHERE name = ?", (client.instance,)):
            raise ValueError(f"no instance {client.instance!r}")
        for column, value in (("name", client.name), ("client_id", client.client_id)):
            if self._query(f"SELECT 1 FROM rest_clients WHERE {column} = ?", (value,)):
                raise Duplicate(f"a REST client with {column} {value} exists already")
        self._change(
            "INSERT INTO rest_clients (client_id, name, instance, secret_hash, created_at)"
            " VALUES (?, ?, ?, ?, ?) RETURNING 1",
            (client.client_id, client.name, client.instance, client.secret_hash, client.created_at),
        )

    def rest_clients(self) -> list[RestClient]:
        rows = self._query(f"{_CLIENTS} ORDER BY name")
        return [RestClient(row[0], row[1], row[2], int(row[3])) for row in rows]

    def rest_client(self, client_id: str) -> RestClient | None:
        rows = self._query(f"{_CLIENTS} WHERE client_id = ?", (client_id,))
        if not rows:
            return None
        name, client_id, instance, created_at, secret_hash = rows[0]
        return RestClient(name, client_id, instance, int(created_at), secret_hash)

    def remove_rest_client(self, name: str) -> bool:
        """Remove the client named ``name`` (or with that client id) and its tokens."""
        rows = self._change(
            "DELETE FROM rest_clients WHERE name = ? OR client_id = ? RETURNING client_id",
            (name, name),
        )
        for (client_id,) in rows:
            self._change("DELETE FROM rest_tokens WHERE client_id = ? RETURNING 1", (client_id,))
        return bool(rows)

    def add_token(self, token_hash: str, token: Token, now_us: int) -> None:
        """Keep a new token; tokens expired for a day go at the same time."""
        self._change(
            "DELETE FROM rest_tokens WHERE expires_at < ? RETURNING 1",
            (now_us - 86_400_000_000,),
        )
        self._change(
            "INSERT INTO rest_tokens (token_hash, client_id, instance, expires_at)"
            " VALUES (?, ?, ?, ?) RETURNING 1",
            (token_hash, token.client_id, token.instance, token.expires_at),
        )

    def token(self, token_hash: str) -> Token | None:
        rows = self._query(
            "SELECT t.client_id, t.instance, t.expires_at FROM rest_tokens AS t"
            " JOIN rest_clients AS c ON c.client_id = t.client_id WHERE t.token_hash = ?",
            (token_hash,),
        )
        return None if not rows else Token(rows[0][0], rows[0][1], int(rows[0][2]))

    def add_usage(self, counts: Sequence[tuple[str, str, str, str, int]]) -> None:
        for instance, day, client_id, code, calls in counts:
            self._change(
                "INSERT INTO api_usage (instance, day, client_id, code, calls)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (instance, day, client_id, code)"
                " DO UPDATE SET calls = api_usage.calls + excluded.calls RETURNING 1",
                (instance, day, client_id, code, calls),
            )

    def usage(self, instance: str, since_day: str) -> list[tuple[str, str, str, int]]:
        rows = self._query(
            "SELECT day, client_id, code, calls FROM api_usage WHERE instance = ? AND day >= ?"
            " ORDER BY day, client_id, code",
            (instance, since_day),
        )
        return [(row[0], row[1], row[2], int(row[3])) for row in rows]

    def upstream_token(self, upstream: str) -> tuple[str, int] | None:
        rows = self._query(
            "SELECT token, expires_at FROM upstream_tokens WHERE upstream = ?", (upstream,)
        )
        return None if not rows else (str(rows[0][0]), int(rows[0][1]))

    def put_upstream_token(self, upstream: str, token: str, expires_at: int) -> None:
        self._change(
            "INSERT INTO upstream_tokens (upstream, token, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT (upstream) DO UPDATE SET token = excluded.token,"
            " expires_at = excluded.expires_at RETURNING 1",
            (upstream, token, expires_at),
        )

    def set_instance_upstream(self, instance: str, settings: str | None) -> None:
        self._change("DELETE FROM instance_upstreams WHERE instance = ? RETURNING 1", (instance,))
        if settings is not None:
            self._change(
                "INSERT INTO instance_upstreams (instance, settings) VALUES (?, ?) RETURNING 1",
                (instance, settings),
            )

    def instance_upstreams(self) -> dict[str, str]:
        rows = self._query("SELECT instance, settings FROM instance_upstreams ORDER BY instance")
        return {str(row[0]): str(row[1]) for row in rows}


class DeleteTables(WriterTables):
    def reset_instance(self, instance: str, everything: bool = False) -> None:
        """The instance's leads and all that hangs off them go (with ``everything``, its
        definitions, users, REST clients and fields too); ids are never reused."""
        for statement in DATA_DELETES + (DEFINITION_DELETES if everything else ()):
            self._run(f"{statement} RETURNING 1", (instance,))

    def delete_leads(self, lead_ids: Collection[int]) -> None:
        """The leads go with everything that is theirs: memberships, history, custom
        objects, opportunity roles."""
        select, param = self._ids(lead_ids)
        for table in ("list_members", "activities", "custom_objects"):
            self._run(f"DELETE FROM {table} WHERE lead_id IN ({select}) RETURNING 1", (param,))
        self._run(f"DELETE FROM mobjects WHERE lead_id IN ({select}) RETURNING 1", (param,))
        self._run(f"DELETE FROM leads WHERE id IN ({select}) RETURNING 1", (param,))
