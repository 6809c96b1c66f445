"""An instance's static lists (with their members, a page at a time) and its smart
campaigns."""

from __future__ import annotations

from leadsync.lists import StaticList
from leadsync.service.browse import BrowseService
from leadsync.web.layout import Context
from leadsync.web.leads import PAGE_SIZE, lead_url
from leadsync.web.markup import Html, fill, join, link, table, url


def lists_page(browse: BrowseService, where: Context) -> Html:
    instance = where.instance
    rows = [
        (
            info.static_list.id,
            link(
                url("/ui/lists", instance=instance, list=info.static_list.id), info.static_list.name
            ),
            info.static_list.program or "",
            info.members,
        )
        for info in browse.lists(instance)
    ]
    return fill(
        "<p>Lists are made with <code>leadsync lists add</code>; listOperation and REST's "
        "list endpoints change their members.</p>$table",
        table=table(
            ("Id", "Name", "Program", "Members"), rows, f"Instance {instance} has no lists."
        ),
    )


def members_page(
    browse: BrowseService, where: Context, static_list: StaticList, after_id: int
) -> Html:
    """A page of the list's members by id after ``after_id``."""
    instance = where.instance
    page = browse.members(instance, static_list.id, after_id, PAGE_SIZE)
    rows = [(link(lead_url(instance, lead.id), lead.id), lead.email or "") for lead in page.leads]
    here = url("/ui/lists", instance=instance, list=static_list.id)
    pager = []
    if after_id > 0:
        pager.append(link(here, "First page"))
    if page.more and page.leads:
        nxt = url("/ui/lists", instance=instance, list=static_list.id, page=page.leads[-1].id)
        pager.append(link(nxt, f"Next {min(PAGE_SIZE, page.more)} →"))
    return fill(
        """<p>$back</p><h2>Members of $name$program</h2>$table<div class="pages">$pager</div>""",
        back=link(url("/ui/lists", instance=instance), "← All lists"),
        name=static_list.name,
        program=f" (program {static_list.program})" if static_list.program else "",
        table=table(("Lead id", "Email"), rows, "The list has no members."),
        pager=join(pager),
    )


def campaigns_page(browse: BrowseService, where: Context) -> Html:
    rows = [
        (
            campaign.id,
            campaign.name,
            campaign.program,
            campaign.description,
            "yes" if campaign.requestable else "no",
        )
        for campaign in browse.campaigns(where.instance)
    ]
    return fill(
        "<p>Smart campaigns are made with <code>leadsync campaigns add</code>. "
        "getCampaignsForSource lists the requestable ones, which requestCampaign may run; "
        "scheduleCampaign may run any. leadsync runs no flows: it records each run "
        "(<code>leadsync campaigns runs</code>).</p>$table",
        table=table(
            ("Id", "Name", "Program", "Description", "Requestable"),
            rows,
            f"Instance {where.instance} has no campaigns.",
        ),
    )
