"""Run the ASGI app under uvicorn on a socket we bind ourselves.

Binding first lets ``--port 0`` work (the OS picks a free port and we print it) and keeps
the printed endpoint URL true.
"""

from __future__ import annotations

import socket

import uvicorn

from leadsync.app import create_app
from leadsync.config import Settings
from leadsync.store import Store


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(
    store: Store,
    settings: Settings,
    sock: socket.socket,
    log_level: str,
    tls: tuple[str, str] | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM; ``tls`` is (certificate file, key file) for HTTPS."""
    cert, key = tls if tls else (None, None)
    config = uvicorn.Config(
        create_app(store, settings),
        log_level=log_level,
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
        timeout_graceful_shutdown=30,
        server_header=False,
        ssl_certfile=cert,
        ssl_keyfile=key,
    )
    uvicorn.Server(config).run(sockets=[sock])
