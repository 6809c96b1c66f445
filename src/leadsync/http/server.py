"""Run the ASGI app under uvicorn, in one process or ``workers`` processes on one socket.

The socket is bound here, before any worker starts: ``--port 0`` works (the OS picks a
free port, and the banner prints the real one). With several workers the parent accepts
and deals connections round-robin (``balancer.py``). Each worker builds its own app and
store from the settings, passed in the environment (workers are spawned, not forked,
so no store connection crosses a process boundary).
"""

from __future__ import annotations

import gc
import json
import logging
import os
import signal
import socket
import sys
import tempfile
from types import FrameType

import uvicorn
from starlette.types import ASGIApp

from leadsync.config import Settings
from leadsync.http.app import create_app
from leadsync.http.balancer import Balancer
from leadsync.http.metrics import MULTIPROCESS_ENV
from leadsync.service.retention import Pruner
from leadsync.store import open_store

SETTINGS_ENV = "LEADSYNC_SERVE_SETTINGS"
LOG_LEVEL_ENV = "LEADSYNC_SERVE_LOG_LEVEL"


def configure_logging(level: str) -> None:
    """The call log (``leadsync.calls``, one JSON line a call) and the rest, on stderr, in
    this process: the parent and every worker each configure their own."""
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def app_from_environment() -> ASGIApp:
    """uvicorn's app factory, called once in each worker process."""
    settings = Settings.from_json(json.loads(os.environ[SETTINGS_ENV]))
    configure_logging(os.environ.get(LOG_LEVEL_ENV, "info"))
    store = open_store(settings.db, settings.pool_size)
    if settings.activity_retention_days:
        Pruner(store, settings.activity_retention_days)  # a daemon thread, for the process's life
    app = create_app(store, settings, resume_jobs=True)
    tune_gc()
    return app


def tune_gc() -> None:
    """Keep the cyclic garbage collector off the request path.

    A call allocates tens of thousands of short-lived, acyclic objects (lxml proxies,
    records, tuples); with the default thresholds the collector ran every few hundred
    allocations and regularly walked the whole heap in the middle of a call. Objects
    alive after start-up are frozen (never scanned again) and collections come 70 times
    less often. Measured (1,000,000 leads, 1 client, median of 3 runs): p50 22.9 -> 14.9
    ms, p99 53.6 -> 22.7 ms (docs/performance.md)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def serve(
    settings: Settings,
    sock: socket.socket,
    log_level: str,
    tls: tuple[str, str] | None = None,
    workers: int = 1,
) -> None:
    """Serve until SIGINT or SIGTERM; ``tls`` is (certificate file, key file) for HTTPS."""
    os.environ[SETTINGS_ENV] = json.dumps(settings.to_json())
    os.environ[LOG_LEVEL_ENV] = log_level
    configure_logging(log_level)
    cert, key = tls if tls else (None, None)
    config = uvicorn.Config(
        "leadsync.http.server:app_from_environment",
        factory=True,
        workers=workers,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
        timeout_graceful_shutdown=30,
        server_header=False,
        ssl_certfile=cert,
        ssl_keyfile=key,
    )
    # uvicorn shuts down gracefully on SIGTERM (in-flight calls finish, the socket stops
    # accepting), then raises the signal again under the handler it found: make that
    # handler a clean exit, so a stopped server exits 0.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    if workers > 1:
        # One metrics directory for all workers: /metrics then sums over them.
        with tempfile.TemporaryDirectory(prefix="leadsync-metrics-") as shards:
            os.environ[MULTIPROCESS_ENV] = shards
            Balancer(config, sock, workers).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)
