"""Lead keys (LeadKey: keyType and keyValue) as the list and campaign operations take
them, resolved to leads as getLead resolves them: IDNUM, EMAIL, COOKIE; an email shared
by several leads names the most recently created, as syncMultipleLeads' dedup picks. A
key of a type leadsync does not hold (SFDCLEADID, ...) or that no lead has names none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from leadsync.model import Lead, creation_order, email_key
from leadsync.store.base import LeadWriter


@dataclass(frozen=True, slots=True)
class LeadKey:
    type: str
    value: str


_ID_MAX = 2**31 - 1
# (instance, ids, email keys, cookies) -> the leads with any of them
Finder = Callable[[str, Sequence[int], Sequence[str], Sequence[str]], list[Lead]]


def writer_finder(writer: LeadWriter) -> Finder:
    """A Finder inside a write transaction: the leads found are locked until it ends."""

    def find(
        _instance: str, ids: Sequence[int], email_keys: Sequence[str], cookies: Sequence[str]
    ) -> list[Lead]:
        return writer.find_leads(ids, (), email_keys, cookies)

    return find


def _lead_id(value: str) -> int | None:
    return int(value) if value.isdigit() and int(value) <= _ID_MAX else None


def resolve_keys(find: Finder, instance: str, keys: Sequence[LeadKey]) -> dict[LeadKey, Lead]:
    """The lead each key names, for the keys that name one."""
    ids: list[int] = []
    emails: list[str] = []
    cookies: list[str] = []
    for key in keys:
        value = key.value.strip()
        if key.type == "IDNUM" and (lead_id := _lead_id(value)) is not None:
            ids.append(lead_id)
        elif key.type == "EMAIL" and value:
            emails.append(email_key(value))
        elif key.type == "COOKIE" and value:
            cookies.append(value)
    found = find(instance, ids, emails, cookies) if ids or emails or cookies else []
    by_id = {lead.id: lead for lead in found}
    by_email: dict[str, Lead] = {}
    for holder in sorted(found, key=creation_order):
        if holder.email:
            by_email[email_key(holder.email)] = holder  # the most recently created wins
    by_cookie = {lead.cookie: lead for lead in found if lead.cookie}
    resolved: dict[LeadKey, Lead] = {}
    for key in keys:
        value = key.value.strip()
        lead: Lead | None = None
        if key.type == "IDNUM" and (lead_id := _lead_id(value)) is not None:
            lead = by_id.get(lead_id)
        elif key.type == "EMAIL":
            lead = by_email.get(email_key(value))
        elif key.type == "COOKIE":
            lead = by_cookie.get(value)
        if lead is not None:
            resolved[key] = lead
    return resolved
