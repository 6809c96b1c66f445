"""The web page's routes: ``GET /`` and the ``/ui/`` views, each a plain function that
Starlette runs in its thread pool (the reads are blocking store calls).

Every view takes ``instance`` (the instance picker; the first instance by default); an
unknown instance, lead or list is a 404 page and a malformed number a 400 page, both
HTML. Only GET (and HEAD) are routes: any other method falls through to the app's SOAP
fault, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from leadsync.calls import Clock, utc_now
from leadsync.errors import BadParameter
from leadsync.service.browse import BrowseService
from leadsync.web.home import home
from leadsync.web.journal import Journal, journal_page
from leadsync.web.layout import Context, context, page, problem
from leadsync.web.leads import lead_page, leads_page
from leadsync.web.listings import campaigns_page, lists_page, members_page
from leadsync.words import quoted

_MAX_ID = 2**63 - 1


def _number(name: str, text: str | None) -> int | None:
    """A non-negative id from the query; None when absent or empty, 400 when not digits."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    if not (value.isascii() and value.isdigit()) or int(value) > _MAX_ID:
        raise BadParameter(f"Bad parameter: {name} must be an id (digits), not {quoted(text)}")
    return int(value)


def web_routes(
    browse: BrowseService, journal: Journal | None, clock: Clock = utc_now
) -> list[BaseRoute]:
    """The page's routes over ``browse``; ``journal``: the journal of calls, or None."""

    def view(build: Callable[[Request, Context], Response]) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            instances = browse.instances()
            where = context(request, instances)
            if where is None:
                asked = request.query_params.get("instance", "")
                return problem(request, instances, 404, f"No instance is named {quoted(asked)}.")
            try:
                return build(request, where)
            except BadParameter as bad:
                return problem(request, instances, 400, bad.message)

        return endpoint

    def index(request: Request, where: Context) -> Response:
        return page("This server's endpoints", where, home(request, where))

    def leads(request: Request, where: Context) -> Response:
        text = request.query_params.get("q", "")
        after = _number("page", request.query_params.get("page")) or 0
        return page(f"Leads of {where.instance}", where, leads_page(browse, where, text, after))

    def lead(request: Request, where: Context) -> Response:
        text = request.path_params["lead_id"]
        lead_id = int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None
        found = None if lead_id is None else browse.lead(where.instance, lead_id)
        if found is None:
            message = f"Instance {where.instance} has no lead {quoted(text)}."
            return problem(request, where.instances, 404, message)
        before = _number("before", request.query_params.get("before"))
        body = lead_page(browse, where, found, before)
        title = f"Lead {found.id}" + (f": {found.email}" if found.email else "")
        return page(title, where, body, section="/ui/leads")

    def lists(request: Request, where: Context) -> Response:
        list_id = _number("list", request.query_params.get("list"))
        if list_id is None:
            return page(f"Static lists of {where.instance}", where, lists_page(browse, where))
        chosen = [
            i.static_list for i in browse.lists(where.instance) if i.static_list.id == list_id
        ]
        if not chosen:
            message = f"Instance {where.instance} has no list {list_id}."
            return problem(request, where.instances, 404, message)
        after = _number("page", request.query_params.get("page")) or 0
        body = members_page(browse, where, chosen[0], after)
        return page(f"List {chosen[0].name}", where, body)

    def campaigns(request: Request, where: Context) -> Response:
        return page(f"Campaigns of {where.instance}", where, campaigns_page(browse, where))

    def calls(request: Request, where: Context) -> Response:
        now = clock().astimezone(UTC).strftime("%H:%M:%S UTC")
        body, script = journal_page(journal, where, now)
        return page(f"Journal of {where.instance}", where, body, script=script)

    return [
        Route("/", view(index), methods=["GET"]),
        Route("/ui/leads", view(leads), methods=["GET"]),
        Route("/ui/leads/{lead_id}", view(lead), methods=["GET"]),
        Route("/ui/lists", view(lists), methods=["GET"]),
        Route("/ui/campaigns", view(campaigns), methods=["GET"]),
        Route("/ui/journal", view(calls), methods=["GET"]),
    ]
