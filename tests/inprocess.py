"""leadsync's app in this process, behind an httpx transport: the Python clients' tests
talk to it as to a server, without a socket or a process (one e2e test per client keeps
the real socket)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from starlette.types import ASGIApp

ENDPOINT = "http://leadsync.test/soap/mktows/2_2"


class InProcess(httpx.BaseTransport):
    """A blocking transport over ``httpx.ASGITransport``, its event loop on a thread of
    its own (safe for the threaded Client's calls side by side)."""

    def __init__(self, app: ASGIApp) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._portal_cm: AbstractContextManager[BlockingPortal] | None = start_blocking_portal()
        self._portal = self._portal_cm.__enter__()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._portal.call(self._send, request)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        answer = await self._asgi.handle_async_request(request)
        content = await answer.aread()
        return httpx.Response(answer.status_code, headers=answer.headers, content=content)

    def close(self) -> None:
        """Nothing: each httpx.Client closes its transport, and several clients in a
        test share this one; ``in_process`` stops it."""

    def stop(self) -> None:
        """Stop the event loop's thread."""
        if self._portal_cm is not None:
            portal, self._portal_cm = self._portal_cm, None
            portal.__exit__(None, None, None)


@contextmanager
def in_process(app: ASGIApp) -> Iterator[InProcess]:
    transport = InProcess(app)
    try:
        yield transport
    finally:
        transport.stop()
