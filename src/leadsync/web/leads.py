"""The leads of an instance: a page of them by id, or those an email or id finds; and one
lead: its fields under their SOAP and REST names, and its activities, newest first.

Paging is by id, as the REST listings page (``page`` is the id a page starts after), so
a lead created while someone pages shifts no page."""

from __future__ import annotations

from collections.abc import Sequence

from leadsync.fields import Catalog, FieldDef
from leadsync.model import Lead
from leadsync.service.browse import BrowseService
from leadsync.web.layout import Context, when
from leadsync.web.markup import Html, fill, join, link, table, url

PAGE_SIZE = 50
ACTIVITY_PAGE = 100
_LISTED = ("Id", "Email", "First name", "Last name", "Company", "Updated")
_NO_NAME = "—"


def lead_url(instance: str, lead_id: int, before: int | None = None) -> str:
    return url(f"/ui/leads/{lead_id}", instance=instance, before=before)


def _rows(instance: str, leads: Sequence[Lead]) -> list[tuple[object, ...]]:
    return [
        (
            link(lead_url(instance, lead.id), lead.id),
            link(lead_url(instance, lead.id), lead.email) if lead.email else "",
            lead.attributes.get("FirstName", ""),
            lead.attributes.get("LastName", ""),
            lead.attributes.get("Company", ""),
            when(lead.updated_at),
        )
        for lead in leads
    ]


def _search_form(where: Context, text: str) -> Html:
    return fill(
        """<form class="search" method="get" action="/ui/leads" role="search">
<input type="hidden" name="instance" value="$instance">
<input type="search" name="q" value="$q" placeholder="an email, or a lead id"
 aria-label="email or lead id"><button type="submit">Find</button></form>""",
        instance=where.instance,
        q=text,
    )


def leads_page(browse: BrowseService, where: Context, text: str, after_id: int) -> Html:
    """A page of leads by id after ``after_id``, or those ``text`` finds."""
    instance = where.instance
    form = _search_form(where, text)
    if text.strip():
        found = browse.find(instance, text)
        summary = fill(
            "<p>$count for <code>$q</code> (an exact email, any case, or an id). $all</p>",
            count=f"{len(found)} lead{'' if len(found) == 1 else 's'}",
            q=text.strip(),
            all=link(url("/ui/leads", instance=instance), "All leads"),
        )
        rows = _rows(instance, found)
        return Html(form + summary + table(_LISTED, rows, "No lead has that email or id."))
    page = browse.leads(instance, after_id, PAGE_SIZE)
    pager = []
    if after_id > 0:
        pager.append(link(url("/ui/leads", instance=instance), "First page"))
    if page.more and page.leads:
        pager.append(
            link(
                url("/ui/leads", instance=instance, page=page.leads[-1].id),
                f"Next {min(PAGE_SIZE, page.more)} →",
            )
        )
    summary = fill(
        '<p class="muted">$shown by id$after$more.</p>',
        shown=f"{len(page.leads)} lead{'' if len(page.leads) == 1 else 's'}",
        after=f" after id {after_id}" if after_id else "",
        more=f"; {page.more} more" if page.more else "",
    )
    return Html(
        form
        + summary
        + table(_LISTED, _rows(instance, page.leads), f"Instance {instance} has no leads yet.")
        + fill('<div class="pages">$links</div>', links=join(pager))
    )


def _field_rows(lead: Lead, catalog: Catalog) -> list[tuple[object, ...]]:
    """Every field the lead holds a value of: its display, SOAP and REST names, type."""

    def row(field: FieldDef, value: str) -> tuple[object, ...]:
        code = fill("<code>$n</code>", n=field.name)
        rest = fill("<code>$n</code>", n=field.rest) if field.rest else _NO_NAME
        return (field.display or field.name, code, rest, field.type.value, value)

    rows: list[tuple[object, ...]] = []
    known = {field.name: field for field in catalog.fields}
    if lead.email is not None:
        rows.append(row(known["Email"], lead.email))
    for field in catalog.fields:
        if field.name != "Email" and field.name in lead.attributes:
            rows.append(row(field, lead.attributes[field.name]))
    for name in sorted(set(lead.attributes) - set(known)):  # a field since removed
        rows.append((name, fill("<code>$n</code>", n=name), _NO_NAME, "", lead.attributes[name]))
    return rows


def _details(pairs: Sequence[tuple[str, str | None]]) -> Html:
    return join((fill("$n: $v", n=name, v=value) for name, value in pairs), "<br>")


def lead_page(browse: BrowseService, where: Context, lead: Lead, before: int | None) -> Html:
    """The lead's keys, its fields, and a page of its activities below ``before``."""
    instance = where.instance
    catalog = browse.catalog(instance)
    keys = [
        ("Id (SOAP Id, REST id)", lead.id),
        ("Email", lead.email),
        ("Created (REST createdAt)", when(lead.created_at)),
        ("Updated (REST updatedAt)", when(lead.updated_at)),
        ("ForeignSysPersonId", lead.foreign_sys_person_id),
        ("ForeignSysType", lead.foreign_sys_type),
        ("Cookie", lead.cookie),
    ]
    summary = join(fill("<dt>$k</dt><dd>$v</dd>", k=name, v=value) for name, value in keys if value)
    timeline = browse.timeline(instance, lead.id, before, ACTIVITY_PAGE)
    activities = [
        (
            activity.id,
            when(activity.created_at),
            activity.kind_info.name,
            activity.asset or "",
            _details(activity.attributes()[:-1]),  # Lead ID is the lead's own
            activity.campaign or "",
        )
        for activity in timeline.activities
    ]
    pager = []
    if before is not None:
        pager.append(link(lead_url(instance, lead.id), "Newest activities"))
    if timeline.older and timeline.activities:
        older = lead_url(instance, lead.id, timeline.activities[-1].id)
        pager.append(link(older, f"{timeline.older} older →"))
    return fill(
        """<p>$back</p><dl>$summary</dl>
<h2>Fields</h2>$fields
<h2>Activities, newest first</h2>$activities<div class="pages">$pager</div>""",
        back=link(url("/ui/leads", instance=instance), "← All leads"),
        summary=summary,
        fields=table(
            ("Field", "SOAP name", "REST name", "type", "value"),
            _field_rows(lead, catalog),
            "No field holds a value.",
        ),
        activities=table(
            ("Id", "Time", "Activity", "Asset", "Details", "Campaign"),
            activities,
            "No activities.",
        ),
        pager=join(pager),
    )
