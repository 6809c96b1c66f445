"""HTML from templates where every value is escaped: lead values are user data.

A template is ``string.Template`` text (``$name``); each value goes in escaped (``&``,
``<``, ``>`` and both quotes), unless it is ``Html`` already: a fragment this package
built the same way. No other way to put text in a page exists here, so a value cannot
reach the page unescaped by forgetting to escape it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from string import Template
from urllib.parse import urlencode


class Html(str):
    """Text that is HTML already: inserted as it is."""

    __slots__ = ()


def escape(value: object) -> Html:
    """``value`` as HTML text (None as nothing); ``Html`` as it is."""
    if isinstance(value, Html):
        return value
    if value is None:
        return Html("")
    return Html(html.escape(str(value), quote=True))


def fill(template: str, **values: object) -> Html:
    """``template`` with each ``$name`` replaced by its value, escaped."""
    return Html(Template(template).substitute({k: escape(v) for k, v in values.items()}))


def join(parts: Iterable[object], separator: str = "") -> Html:
    """The parts escaped and joined (``separator`` is HTML)."""
    return Html(separator.join(escape(part) for part in parts))


def table(headings: Sequence[str], rows: Iterable[Iterable[object]], empty: str) -> Html:
    """A table, or ``empty`` as a paragraph when there are no rows. Each cell carries
    its column's heading (``data-label``), so that on a narrow screen the style can show
    a row as a card of labelled lines; the table sits in a box that scrolls sideways
    rather than widening the page."""
    body = join(
        fill(
            "<tr>$cells</tr>",
            cells=join(
                fill('<td data-label="$label"><span>$value</span></td>', label=label, value=value)
                for label, value in zip(headings, row, strict=True)
            ),
        )
        for row in rows
    )
    if not body:
        return fill('<p class="empty">$empty</p>', empty=empty)
    return fill(
        '<div class="scroll"><table><thead><tr>$head</tr></thead><tbody>$body</tbody>'
        "</table></div>",
        head=join(fill("<th>$h</th>", h=heading) for heading in headings),
        body=body,
    )


def link(href: str, text: object) -> Html:
    return fill('<a href="$href">$text</a>', href=href, text=text)


def url(path: str, **query: object) -> str:
    """``path`` with the query parameters that have a value (None and "" left out)."""
    present = {k: str(v) for k, v in query.items() if v is not None and v != ""}
    return f"{path}?{urlencode(present)}" if present else path
