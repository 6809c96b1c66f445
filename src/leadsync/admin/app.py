"""The admin API of the test kit (issue 20), on the server's own port, under
``/leadsync-api/``: reset, seed, snapshots, the journal, fault rules.

Off unless ``serve --admin`` (loopback clients only) or ``--admin-token-file FILE`` (any
client with ``Authorization: Bearer TOKEN``); when off, every path under it answers 404.
It never returns a user's key or a REST client's secret. Answers are JSON (the journal:
JSON Lines); a bad request is HTTP 400 ``{"error": ...}``.
"""

from __future__ import annotations

import hmac
import ipaddress
from pathlib import Path
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from leadsync.errors import ConfigError, MktowsError
from leadsync.faults import FaultRule
from leadsync.journal import as_json
from leadsync.service import Services

PREFIX = "/leadsync-api"
MAX_SEED_BYTES = 64 * 1024 * 1024


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")


def _error(message: str, status: int = 400) -> Response:
    return _json({"error": message}, status)


def read_token(path: str | None) -> str | None:
    if path is None:
        return None
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read the admin token file {path}: {exc.strerror}") from None
    if not lines or not lines[0].strip():
        raise ConfigError(f"the admin token file {path} is empty")
    return lines[0].strip()


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def routes(services: Services, enabled: bool, token: str | None) -> list[BaseRoute]:
    admin = services.admin
    methods = ["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD"]

    async def off(request: Request) -> Response:
        return _error("the admin API is off: start the server with --admin", 404)

    if not enabled:
        return [Route(f"{PREFIX}/{{rest:path}}", off, methods=methods)]

    def guarded(handler: Any) -> Any:
        async def run(request: Request) -> Response:
            if token is not None:
                scheme, _, given = request.headers.get("authorization", "").partition(" ")
                if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip(), token):
                    return _error("the admin API needs Authorization: Bearer TOKEN", 401)
            elif not _loopback(request):
                return _error("the admin API answers loopback clients only (or use a token)", 403)
            try:
                response: Response = await handler(request)
                return response
            except MktowsError as error:
                return _error(error.message)

        return run

    async def reset(request: Request) -> Response:
        instance = request.query_params.get("instance")
        everything = request.query_params.get("everything", "").lower() == "true"
        done = await run_in_threadpool(admin.reset, instance, everything)
        return _json({"reset": done, "everything": everything})

    async def seed(request: Request) -> Response:
        instance = request.query_params.get("instance", "default")
        body = await request.body()
        if len(body) > MAX_SEED_BYTES:
            return _error(f"the body is over {MAX_SEED_BYTES} bytes", 413)
        as_csv = (
            "csv" in request.headers.get("content-type", "")
            or request.query_params.get("format") == "csv"
        )
        statuses = await run_in_threadpool(admin.seed, instance, body, as_csv)
        return _json(
            {
                "result": [
                    {"id": s.lead_id, "status": s.status.value, "error": s.error} for s in statuses
                ]
            }
        )

    async def snapshot(request: Request) -> Response:
        try:
            given = orjson.loads(await request.body() or b"{}")
        except orjson.JSONDecodeError:
            return _error("the body is not JSON")
        name = given.get("name") if isinstance(given, dict) else None
        if not isinstance(name, str):
            return _error('give {"name": "..."}')
        await run_in_threadpool(admin.snapshot, name)
        return _json({"snapshot": name})

    async def restore(request: Request) -> Response:
        name = request.path_params["name"]
        await run_in_threadpool(admin.restore, name)
        return _json({"restored": name})

    async def journal(request: Request) -> Response:
        if request.method == "DELETE":
            admin.journal.clear()
            return _json({"cleared": True})
        params = request.query_params
        limit = params.get("limit", "")
        entries = admin.journal.entries(
            params.get("operation"),
            params.get("instance"),
            params.get("since"),
            int(limit) if limit.isdigit() else None,
        )
        lines = b"".join(orjson.dumps(as_json(e)) + b"\n" for e in entries)
        return Response(lines, media_type="application/x-ndjson")

    async def faults(request: Request) -> Response:
        if request.method == "GET":
            return _json({"result": [_rule_json(r) for r in admin.faults.rules()]})
        if request.method == "DELETE":
            admin.faults.remove()
            return _json({"removed": "all"})
        try:
            given = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return _error("the body is not JSON")
        rule = _rule(given)
        if isinstance(rule, str):
            return _error(rule)
        return _json(_rule_json(admin.faults.add(rule)))

    async def fault(request: Request) -> Response:
        rule_id = request.path_params["id"]
        if not rule_id.isdigit() or not admin.faults.remove(int(rule_id)):
            return _error(f"no fault rule {rule_id}", 404)
        return _json({"removed": int(rule_id)})

    return [
        Route(f"{PREFIX}/reset", guarded(reset), methods=["POST"]),
        Route(f"{PREFIX}/seed", guarded(seed), methods=["POST"]),
        Route(f"{PREFIX}/snapshots", guarded(snapshot), methods=["POST"]),
        Route(f"{PREFIX}/snapshots/{{name}}/restore", guarded(restore), methods=["POST"]),
        Route(f"{PREFIX}/journal", guarded(journal), methods=["GET", "DELETE"]),
        Route(f"{PREFIX}/faults", guarded(faults), methods=["GET", "POST", "DELETE"]),
        Route(f"{PREFIX}/faults/{{id}}", guarded(fault), methods=["DELETE"]),
        Route(f"{PREFIX}/{{rest:path}}", guarded(off), methods=methods),
    ]


def _rule(given: object) -> FaultRule | str:
    if not isinstance(given, dict):
        return "give a JSON object"
    operation = given.get("operation")
    if not isinstance(operation, str) or not operation:
        return 'give "operation" (a SOAP operation, a REST handler name, or "*")'
    code, status, latency = given.get("code"), given.get("status"), given.get("latency_ms", 0)
    probability, count, instance = (
        given.get("probability", 1.0),
        given.get("count"),
        given.get("instance"),
    )
    if code is None and status is None and not latency:
        return 'give "code", "status" or "latency_ms"'
    for name, value in (("code", code), ("status", status), ("count", count)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            return f'"{name}" must be an integer'
    if status is not None and not 400 <= status <= 599:
        return '"status" must be an HTTP error status (400 to 599)'
    if isinstance(latency, bool) or not isinstance(latency, int) or latency < 0:
        return '"latency_ms" must be a non-negative integer'
    if isinstance(probability, bool) or not isinstance(probability, int | float):
        return '"probability" must be a number'
    if not 0 < float(probability) <= 1:
        return '"probability" must be above 0 and at most 1'
    if instance is not None and not isinstance(instance, str):
        return '"instance" must be a string'
    return FaultRule(0, operation, code, status, latency, float(probability), count, instance)


def _rule_json(rule: FaultRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "operation": rule.operation,
        "code": rule.code,
        "status": rule.status,
        "latency_ms": rule.latency_ms,
        "probability": rule.probability,
        "count": rule.count,
        "instance": rule.instance,
    }
