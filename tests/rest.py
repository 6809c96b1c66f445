"""Test helpers for the REST API: a client with known credentials, its token, calls."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.testclient import TestClient

from leadsync.identity import RestClient, hash_secret
from leadsync.model import DEFAULT_INSTANCE
from leadsync.store import Store

CLIENT_ID = "3f1c2a7e-0000-4000-8000-000000000001"
CLIENT_SECRET = "s3cret-for-tests-only-0123456789"
Http = httpx.Client | TestClient  # a real socket's client, or the app in process


def add_client(
    store: Store,
    name: str = "tests",
    client_id: str = CLIENT_ID,
    secret: str = CLIENT_SECRET,
    instance: str = DEFAULT_INSTANCE,
) -> None:
    store.add_rest_client(RestClient(name, client_id, instance, 0, hash_secret(secret)))


def token(http: Http, client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> str:
    response = http.request(
        "GET",
        "/identity/oauth/token",
        params={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
        },
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


class Rest:
    """Calls with a bearer token; each answer's JSON, its HTTP status checked."""

    def __init__(self, http: Http, access_token: str) -> None:
        self.http = http
        self.token = access_token

    def call(self, method: str, path: str, status: int = 200, **kwargs: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        response = self.http.request(method, path, headers=headers, **kwargs)
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        assert isinstance(body.get("requestId"), str) and "#" in body["requestId"]
        return body

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        return self.call("GET", path, params=params)

    def post(self, path: str, body: Any = None, **params: Any) -> dict[str, Any]:
        return self.call("POST", path, json=body, params=params)

    def ok(self, method: str, path: str, **kwargs: Any) -> list[Any]:
        body = self.call(method, path, **kwargs)
        assert body["success"] is True, body
        return list(body.get("result", []))


def error_code(body: dict[str, Any]) -> str:
    """The one call error's code (a quoted number, as Marketo sends it)."""
    assert body["success"] is False, body
    [error] = body["errors"]
    return str(error["code"])


def sync(rest: Rest, records: list[Any], **body: Any) -> list[dict[str, Any]]:
    return rest.ok("POST", "/rest/v1/leads.json", json={"input": records, **body})
