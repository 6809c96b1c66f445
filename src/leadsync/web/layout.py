"""The page every view is written into: one inline style block (readable on a phone), the
navigation, the instance picker, and the headers that keep the page to its own origin.

The Content-Security-Policy allows nothing from elsewhere: the style block and a page's
one script by their SHA-256 (so a value that escaped escaping still could not run),
fetches and forms to this server only, no frames; the icon is an empty ``data:`` one, so
a browser asks for no favicon. The page works offline.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import HTMLResponse

from leadsync import __version__
from leadsync.model import DEFAULT_INSTANCE
from leadsync.web.markup import Html, fill, join, url

CSS = """
:root{color-scheme:light dark;--fg:#1d2430;--bg:#fff;--muted:#5b6472;--line:#d8dde5;
--head:#f2f4f7;--accent:#0b5fcc}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ef;--bg:#14171c;--muted:#a3acb9;
--line:#343b46;--head:#1d222a;--accent:#6aa8ff}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:var(--fg);background:var(--bg)}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;padding:.6rem 1rem;
border-bottom:1px solid var(--line);background:var(--head)}
header .brand{font-weight:700;color:var(--fg);text-decoration:none}
nav{display:flex;flex-wrap:wrap;gap:.25rem .9rem}
nav a[aria-current]{font-weight:700;text-decoration:none;color:var(--fg)}
header form{margin-left:auto}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.2rem 0 1rem;overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
a{color:var(--accent)}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.5rem 0}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:.35rem .6rem;border-bottom:1px solid var(--line);
overflow-wrap:break-word;max-width:28rem}
th{background:var(--head);font-weight:600;white-space:nowrap}
pre{overflow-x:auto;padding:.6rem .8rem;background:var(--head);border:1px solid var(--line);
border-radius:4px;font-size:.85rem}
code{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:.9em}
form.search{display:flex;flex-wrap:wrap;gap:.5rem;margin:.5rem 0 1rem}
input,select,button{font:inherit;padding:.3rem .5rem;max-width:100%}
input[type=search]{flex:1 1 16rem}
.empty,.muted,footer{color:var(--muted)}
.pages{display:flex;flex-wrap:wrap;gap:1rem;margin:.75rem 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}
dd{margin:0}dd,p{overflow-wrap:anywhere}
footer{max-width:72rem;margin:0 auto;padding:1rem;font-size:.85rem}
@media (max-width:40rem){header form{margin-left:0}dl{grid-template-columns:1fr}
dt{font-weight:600}thead{position:absolute;left:-9999px}table,tbody,tr,td{display:block}
tr{border-bottom:1px solid var(--line);padding:.4rem 0}
td{display:grid;grid-template-columns:7rem 1fr;gap:.5rem;border:0;padding:.1rem 0;
max-width:none;overflow-wrap:anywhere}
td::before{content:attr(data-label);color:var(--muted)}td:has(span:empty){display:none}}
"""
_SECTIONS = (
    ("/", "Endpoints"),
    ("/ui/leads", "Leads"),
    ("/ui/lists", "Lists"),
    ("/ui/campaigns", "Campaigns"),
    ("/ui/journal", "Journal"),
)


@dataclass(frozen=True, slots=True)
class Context:
    """The instance a page shows, every instance (for the picker), and the page's path."""

    instance: str
    instances: list[str]
    path: str


def context(request: Request, instances: list[str]) -> Context | None:
    """The instance the query names, or the first (``default`` before the others);
    None when it names one that does not exist."""
    asked = request.query_params.get("instance", "").strip()
    if not asked:
        return Context(instances[0] if instances else DEFAULT_INSTANCE, instances, request.url.path)
    if asked not in instances:
        return None
    return Context(asked, instances, request.url.path)


def page(
    title: str,
    where: Context,
    body: Html,
    *,
    status: int = 200,
    script: str | None = None,
    section: str | None = None,
) -> HTMLResponse:
    """The whole page. ``section``: the navigation entry to mark (the path's own, by
    default); ``script``: the page's one inline script."""
    current = section or where.path
    nav = join(
        fill(
            '<a href="$href"$mark>$text</a>',
            href=url(path, instance=where.instance),
            mark=Html(' aria-current="page"' if path == current else ""),
            text=text,
        )
        for path, text in _SECTIONS
    )
    options = join(
        fill(
            '<option value="$name"$selected>$name</option>',
            name=name,
            selected=Html(" selected" if name == where.instance else ""),
        )
        for name in where.instances or [where.instance]
    )
    document = fill(
        """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title · leadsync</title><link rel="icon" href="data:,"><style>$css</style></head>
<body><header><a class="brand" href="$home">leadsync</a><nav>$nav</nav>
<form method="get" action="$path"><label>instance <select name="instance">$options</select>
</label> <button type="submit">Show</button></form></header>
<main><h1>$title</h1>
$body</main>
<footer>leadsync $version · a read-only view of this server's store</footer>$script</body></html>
""",
        title=title,
        css=Html(CSS),
        home=url("/", instance=where.instance),
        nav=nav,
        path=where.path,
        options=options,
        body=body,
        version=__version__,
        script=Html(f"<script>{script}</script>" if script else ""),
    )
    return HTMLResponse(document, status, headers=_headers(script))


def problem(request: Request, instances: list[str], status: int, message: str) -> HTMLResponse:
    """An error page (a missing instance or lead, a bad parameter)."""
    where = Context(
        DEFAULT_INSTANCE if DEFAULT_INSTANCE in instances or not instances else instances[0],
        instances,
        request.url.path,
    )
    body = fill('<p>$message</p><p><a href="/">Back to the endpoints</a></p>', message=message)
    return page("Not found" if status == 404 else "Bad request", where, body, status=status)


def when(microseconds: int | None) -> str:
    """A stored time (microseconds since the epoch) as UTC text, to the second."""
    if microseconds is None:
        return ""
    moment = datetime.fromtimestamp(microseconds / 1_000_000, UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def _headers(script: str | None) -> dict[str, str]:
    scripts = _digest(script) if script else "'none'"
    policy = (
        f"default-src 'none'; style-src {_digest(CSS)}; script-src {scripts}; "
        "connect-src 'self'; img-src data:; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    )
    return {
        "content-security-policy": policy,
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "cache-control": "no-store",
    }
