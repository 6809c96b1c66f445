"""The web page: this server's endpoints and how to call them, then what the store holds
per instance (leads and their activities, lists, campaigns) and the journal of recent
calls. Server-rendered HTML with one inline style block and one small inline script (the
journal's refresh); nothing is fetched from elsewhere, so it works offline.

A wire-level layer like rest/: it reads through the services (``services.browse``),
never the store. The page is read-only and asks for no credentials: it shows every
instance's leads to whoever reaches the server (which binds 127.0.0.1 by default).
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from leadsync.calls import Clock, utc_now
from leadsync.service import Services
from leadsync.web.journal import journal_of
from leadsync.web.routes import web_routes


def routes(services: Services, clock: Clock = utc_now) -> list[BaseRoute]:
    """The page's routes; with the journal's when the services keep one."""
    return web_routes(services.browse, journal_of(services), clock)


__all__ = ["routes", "web_routes"]
