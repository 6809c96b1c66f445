"""The ASGI app: the SOAP endpoint, its WSDL, the REST API (rest/), health checks, and the
web page (web/: ``GET /`` and ``/ui/``, the one HTML); every other answer is SOAP or JSON.

Any path, method or body the endpoint cannot take still gets a SOAP fault. Request bodies
are read up to ``max_body_bytes`` and refused past it without being read to the end.

A SOAP POST, the one hot path, is answered by a few lines of plain ASGI in front of the
Starlette routes (measured: about 1 ms a call less than going through Request, routing
and Response); everything else goes through Starlette.
"""

from __future__ import annotations

import re
from dataclasses import replace

import anyio.to_thread
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from leadsync.admin.app import read_token
from leadsync.admin.app import routes as admin_routes
from leadsync.calls import CallRecord, Clock, utc_now
from leadsync.config import Settings
from leadsync.errors import MktowsError, RequestNotUnderstood, RequestTooLarge
from leadsync.faults import FaultBook
from leadsync.http.keyfile import load_keys, overlay
from leadsync.http.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from leadsync.http.metrics import Metrics
from leadsync.journal import Journal
from leadsync.limits import Limiter
from leadsync.relay import (
    InstanceRouter,
    Upstream,
    instance_upstreams,
    relay_services,
    secret_of,
)
from leadsync.relay.upstream import collected
from leadsync.relay_settings import RelaySettings
from leadsync.rest import app as rest_app
from leadsync.rest.app import routes as rest_routes
from leadsync.service import AdminService, Services
from leadsync.store import Store
from leadsync.web import routes as web_routes
from leadsync.wire.dispatch import Dispatcher
from leadsync.wire.wsdl import render_wsdl
from leadsync.words import quoted

XML = "text/xml; charset=UTF-8"
_VERSION = re.compile(r"[0-9]+_[0-9]+")
_SOAP_POST = re.compile(r"/soap/mktows/[0-9]+_[0-9]+")
_XML_HEADERS = [(b"content-type", XML.encode())]


def create_app(
    store: Store, settings: Settings, clock: Clock = utc_now, *, resume_jobs: bool = False
) -> ASGIApp:
    """The ASGI app: the SOAP POST fast path in front of the Starlette routes.
    ``resume_jobs``: a server process's app takes over the importToList and bulk
    extract jobs a dead process left."""
    metrics = Metrics()
    keys = load_keys(settings.secrets_file) if settings.secrets_file else None
    upstream: Upstream | None = None

    def make_upstream(relay: RelaySettings) -> Upstream:
        # The processes on this store share each upstream's token through it.
        secret = secret_of(relay)
        return Upstream(relay, secret, observe=metrics.observe_upstream, tokens=store)

    if settings.relay.upstream:  # relay mode: the lead operations go to the upstream
        upstream = make_upstream(settings.relay)
        services = relay_services(store, settings.relay, clock, upstream)
    else:
        services = Services.over(store, clock, settings.export_dir, settings.limits.quota_time_zone)
    enabled = settings.admin or settings.admin_token_file is not None
    token = read_token(settings.admin_token_file)
    if enabled:  # the test kit: its journal and fault rules, kept in this process
        journal = Journal(settings.journal_size)
        services = replace(services, admin=AdminService(store, journal, FaultBook()))
    # --emulate-limits: SOAP's figures, and REST's (rest/app.py); a reset clears both.
    soap_limiter = Limiter(settings.limits, clock) if settings.emulate_limits else None
    rest_limiter = Limiter(rest_app.REST_LIMITS, clock) if settings.emulate_limits else None
    for limiter in (soap_limiter, rest_limiter):
        if limiter is not None:
            services.admin.on_reset.append(limiter.reset)
    own = instance_upstreams(store, settings.relay.processes)
    if own:  # instances with an upstream of their own (instances add NAME --upstream)
        services = InstanceRouter(store, services, own, clock, make_upstream).services()
    if resume_jobs and not settings.relay.upstream:
        services.imports.resume()
        services.exports.resume()
    dispatcher = Dispatcher(
        services,
        overlay(keys, store.account) if keys is not None else store.account,
        settings,
        clock,
        limiter=soap_limiter,
        observe=metrics.observe,
        annotate=_upstream_ids if upstream is not None or own else None,
    )
    rest = rest_routes(services, clock, limiter=rest_limiter, observe=metrics.observe)
    page = web_routes(services, clock)  # GET / and the /ui/ views
    routes = _routes(
        store, dispatcher, metrics, [*admin_routes(services, enabled, token), *rest, *page]
    )
    limit = settings.max_body_bytes

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not _SOAP_POST.fullmatch(scope["path"])
        ):
            await routes(scope, receive, send)
            return
        metrics.in_flight.inc()
        try:
            await soap_post(scope, receive, send)
        finally:
            metrics.in_flight.dec()

    async def soap_post(scope: Scope, receive: Receive, send: Send) -> None:
        too_large = dispatcher.fault(
            RequestTooLarge(f"Request not understood: body exceeds {limit} bytes")
        )
        refuse = [*_XML_HEADERS, (b"connection", b"close")]  # the rest stays unread
        if _declared_length(scope) > limit:
            await _send(send, too_large.status, refuse, too_large.body)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:  # a body longer than it said (or chunked): stop reading
                await _send(send, too_large.status, refuse, too_large.body)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        reply = await anyio.to_thread.run_sync(dispatcher.handle, b"".join(chunks))
        await _send(send, reply.status, _XML_HEADERS, reply.body)

    return app


def _upstream_ids(record: CallRecord) -> None:
    record.upstream = collected()


def _declared_length(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _routes(
    store: Store, dispatcher: Dispatcher, metrics: Metrics, rest: list[BaseRoute]
) -> Starlette:
    def fault(error: MktowsError, status: int = 500, **headers: str) -> Response:
        return Response(dispatcher.fault(error).body, status, headers, media_type=XML)

    async def endpoint(request: Request) -> Response:
        version = request.path_params["version"]
        if not _VERSION.fullmatch(version):
            return fault(
                RequestNotUnderstood(f"Request not understood: no API version {quoted(version)}"),
                404,
            )
        if request.method in ("GET", "HEAD"):
            if any(key.lower() == "wsdl" for key in request.query_params):
                address = str(request.url.replace(query="", fragment=""))
                return Response(render_wsdl(address, version), media_type=XML)
            return fault(
                RequestNotUnderstood("Request not understood: POST a SOAP request, or GET ?WSDL"),
                405,
                allow="GET, POST",
            )
        # Every POST to a version path is answered in front of the routes, in create_app.
        return fault(
            RequestNotUnderstood(f"Request not understood: method {request.method}"),
            405,
            allow="GET, POST",
        )

    async def not_found(request: Request) -> Response:
        return fault(
            RequestNotUnderstood(
                f"Request not understood: no endpoint at {request.url.path}; use /soap/mktows/2_2"
            ),
            404,
        )

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def prometheus(request: Request) -> Response:
        return Response(metrics.render(), media_type=METRICS_CONTENT_TYPE)

    async def readyz(request: Request) -> Response:
        try:
            await run_in_threadpool(store.ping)
        except Exception as exc:  # any failure to reach the store means not ready
            return JSONResponse({"status": "unavailable", "error": type(exc).__name__}, 503)
        return JSONResponse({"status": "ready"})

    methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
    return Starlette(
        routes=[
            Route("/soap/mktows/{version}", endpoint, methods=methods),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", prometheus, methods=["GET"]),
            *rest,
            Route("/{path:path}", not_found, methods=methods),
        ]
    )
