"""Every REST call: its body read (1 MB at most, as Marketo's), its parameters (a POST
with ``_method=GET`` and a form body is that GET), its token, the limits, the handler,
and the one place errors become REST's answer.

A call error is HTTP 200 with ``success`` false and ``errors`` [{code, message}] (the
code a quoted number, as Marketo sends it); only an oversized body (413), a wrong path
(404, code 610) and the identity endpoint's refusals (401) use HTTP statuses. Nothing
internal reaches a caller: an unexpected exception is 611 with its traceback in the log.
A handler may also return a Starlette ``Response`` (a bulk extract file, rest/bulk.py):
it is answered as it is.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from leadsync.calls import CallRecord, Clock
from leadsync.errors import (
    AccessDenied,
    InvalidJson,
    MethodNotSupported,
    MktowsError,
    ResourceNotFound,
)
from leadsync.faults import InjectedFault, inject
from leadsync.journal import Entry, redact_text
from leadsync.limits import Limiter, LimitSettings
from leadsync.rest import registry
from leadsync.rest.registry import Endpoint, RestCall
from leadsync.service import Services
from leadsync.service.identity import IdentityService

log = logging.getLogger("leadsync.calls")
MAX_BODY_BYTES = 1024 * 1024  # Marketo: 413 beyond 1 MB
REST_LIMITS = LimitSettings(
    rate_calls=100, rate_window_seconds=20, concurrent_calls=10, daily_quota=50_000
)
_JSON = "application/json"
PREFIXES = ("/rest/", "/bulk/", "/identity/")


def request_id() -> str:
    """A request id in Marketo's shape (``e42b#14272d07d78``)."""
    return f"{secrets.token_hex(2)}#{int(time.time() * 1000):x}"


def answer(body: Mapping[str, Any], status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type=_JSON)


def failure(error: MktowsError) -> dict[str, Any]:
    return {
        "requestId": request_id(),
        "success": False,
        "errors": [{"code": str(error.rest), "message": error.message}],
    }


def routes(
    services: Services,
    clock: Clock,
    *,
    limiter: Limiter | None = None,
    observe: Callable[[CallRecord], None] | None = None,
) -> list[BaseRoute]:
    """The identity endpoint and every registered REST endpoint, then a 610 for any
    other path under /rest, /bulk and /identity."""
    from leadsync.rest import activities, bulk, campaigns, leads, lists, objects  # noqa: F401

    identity = services.identity
    by_path: dict[str, dict[str, Endpoint]] = defaultdict(dict)
    for item in registry.ENDPOINTS:
        for method in item.methods:
            by_path[item.path][method] = item

    def serve(table: Mapping[str, Endpoint]) -> Callable[[Request], Any]:
        async def run(request: Request) -> Response:
            return await _call(request, table, services, identity, limiter, clock, observe)

        return run

    async def token(request: Request) -> Response:
        return await _token(request, identity)

    async def not_found(request: Request) -> Response:
        return answer(
            failure(ResourceNotFound(f"Requested resource not found: {request.url.path}")), 404
        )

    methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"]
    table: list[BaseRoute] = [Route("/identity/oauth/token", token, methods=methods)]
    table.extend(
        Route(path, serve(by_method), methods=methods) for path, by_method in by_path.items()
    )
    table.extend(Route(f"{prefix}{{rest:path}}", not_found, methods=methods) for prefix in PREFIXES)
    return table


async def _read(request: Request) -> bytes | None:
    """The body, or None when it is over the limit (the rest is left unread)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _params(request: Request, body: bytes) -> tuple[dict[str, list[str]], bool]:
    """The call's parameters and whether the body was a form (not JSON)."""
    params: dict[str, list[str]] = defaultdict(list)
    for name, value in request.query_params.multi_items():
        params[name].append(value)
    form = request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
    if form and body:
        for name, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
            params[name].append(value)
    return params, form


def _token_of(request: Request, params: Mapping[str, Sequence[str]]) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    given = params.get("access_token")
    return given[-1] if given else None


async def _call(
    request: Request,
    table: Mapping[str, Endpoint],
    services: Services,
    identity: IdentityService,
    limiter: Limiter | None,
    clock: Clock,
    observe: Callable[[CallRecord], None] | None,
) -> Response:
    started = time.perf_counter()
    record = CallRecord(operation=f"REST {request.url.path}")
    response: Response | None = None
    try:
        response = await _answer(request, table, services, identity, limiter, clock, record)
        return response
    finally:
        if record.instance != "-":  # authenticated: counted in the usage statistics
            code = "" if record.fault is None else str(record.fault)
            if services.usage.count(record.instance, record.user, code):
                await run_in_threadpool(services.usage.flush)
        record.seconds = time.perf_counter() - started
        if log.isEnabledFor(logging.INFO):
            log.info(json.dumps(asdict(record), separators=(",", ":")))
        if observe is not None:
            observe(record)
        if services.admin.enabled and services.admin.journal.size:
            _journal(services, request, record, response, clock)


def _journal(
    services: Services,
    request: Request,
    record: CallRecord,
    response: Response | None,
    clock: Clock,
) -> None:
    """The call in the test kit's journal, its tokens and secrets redacted (the body
    read again from Starlette's cache; a streamed file is not kept)."""
    sent = getattr(request, "_body", b"")
    query = request.url.query
    shown = (f"?{query}\n" if query else "") + sent.decode("utf-8", "replace")
    body = getattr(response, "body", b"") if response is not None else b""
    services.admin.journal.add(
        Entry(
            clock().isoformat(timespec="milliseconds"),
            "rest",
            record.operation,
            record.instance,
            record.user,
            response.status_code if response is not None else 500,
            record.fault,
            round(record.seconds * 1000, 1),
            redact_text(f"{request.method} {request.url.path}{shown}"),
            redact_text(bytes(body).decode("utf-8", "replace")),
        )
    )


async def _answer(
    request: Request,
    table: Mapping[str, Endpoint],
    services: Services,
    identity: IdentityService,
    limiter: Limiter | None,
    clock: Clock,
    record: CallRecord,
) -> Response:
    try:
        body = await _read(request)
        if body is None:
            return answer(failure(_TooLarge()), 413)
        params, form = _params(request, body)
        method = request.method
        if method == "POST" and params.get("_method", [""])[-1].upper() == "GET":
            method = "GET"
        item = table.get("GET" if method == "HEAD" else method)
        if item is None:
            raise MethodNotSupported(
                f"HTTP Method not supported: {method} (use {', '.join(sorted(table))})"
            )
        record.operation = item.handler.__name__
        data: Any = None
        if body and not form and request.method != "GET":  # a JSON body, even with _method=GET
            try:
                data = orjson.loads(body)
            except orjson.JSONDecodeError:
                raise InvalidJson("Invalid JSON: the body is not valid JSON") from None
        token = await run_in_threadpool(identity.check, _token_of(request, params))
        record.instance, record.user = token.instance, token.client_id
        if services.admin.enabled:  # the test kit's fault rules
            rule = services.admin.faults.fire(item.handler.__name__, token.instance)
            if rule is not None:
                await run_in_threadpool(inject, rule)
        now_us = int(clock().timestamp() * 1_000_000)
        call = RestCall(services, token.instance, params, request.path_params, data, now_us, method)
        if limiter is not None:
            with limiter.admit(token.instance):
                result = await run_in_threadpool(item.handler, call)
        else:
            result = await run_in_threadpool(item.handler, call)
        if isinstance(result, Response):  # a file (rest/bulk.py), answered as it is
            return result
        outcome = {"requestId": request_id(), "success": True, **result}
        _count(record, result)
        return answer(outcome)
    except MktowsError as error:
        record.fault = error.rest
        status = error.status if isinstance(error, InjectedFault) and error.status else 200
        return answer(failure(error), status)
    except Exception:
        log.exception("internal error in %s", record.operation)
        record.fault = 611
        return answer(failure(_SystemError()))


def _count(record: CallRecord, result: Mapping[str, Any]) -> None:
    items = result.get("result")
    if not isinstance(items, list):
        return
    record.records = len(items)
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("status"), str):
            record.statuses[item["status"]] = record.statuses.get(item["status"], 0) + 1


class _TooLarge(MktowsError):
    code, short, rest = 20012, "Request Entity Too Large", 413


class _SystemError(MktowsError):
    code, short, rest = 20011, "System error", 611


async def _token(request: Request, identity: IdentityService) -> Response:
    """``/identity/oauth/token``: client credentials (query string or form) for a token,
    as Marketo's Identity service answers (OAuth 2 error bodies, HTTP 400/401)."""
    body = await _read(request)
    if body is None:
        return answer({"error": "invalid_request", "error_description": "body too large"}, 413)
    params, _ = _params(request, body)

    def one(name: str) -> str | None:
        values = params.get(name)
        return values[-1] if values else None

    grant = one("grant_type")
    if grant is None:
        return answer({"error": "invalid_request", "error_description": "Missing grant type"}, 400)
    if grant != "client_credentials":
        return answer(
            {
                "error": "unsupported_grant_type",
                "error_description": f"Unsupported grant type: {grant}",
            },
            400,
        )
    try:
        issued = await run_in_threadpool(identity.issue, one("client_id"), one("client_secret"))
    except AccessDenied:
        return answer(
            {"error": "invalid_client", "error_description": "Bad client credentials"}, 401
        )
    return answer(
        {
            "access_token": issued.access_token,
            "token_type": "bearer",
            "expires_in": issued.expires_in,
            "scope": issued.scope,
        }
    )
