"""listOperation: add leads to a static list, remove them, ask whether they are members.

Lead keys resolve as getLead's (IDNUM, EMAIL, COOKIE; an email shared by several leads
names the most recently created, as syncMultipleLeads' dedup picks); a key of a type
leadsync does not hold (SFDCLEADID, ...) or that no lead has is status false, never a
fault. With ``strict`` a call with any false status changes nothing. Membership changes
write Add to List / Remove from List activities in the same transaction, unless the
caller asks to skip the activity log.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from leadsync.activities import ADD_TO_LIST, REMOVE_FROM_LIST, Activity
from leadsync.errors import BadParameter, ListNotFound, ParameterRequired
from leadsync.lists import LIST_NAME_KEY, MAX_MEMBERS, ListOperation, StaticList, find_list
from leadsync.model import Lead, blank, creation_order, email_key
from leadsync.store.base import LeadWriter, Store, TransientStoreError, run_params

MAX_ATTEMPTS = 3
_ID_MAX = 2**31 - 1
# (instance, ids, email keys, cookies) -> the leads with any of them
Finder = Callable[[str, Sequence[int], Sequence[str], Sequence[str]], list[Lead]]
_LIST_KEY_TYPES = (LIST_NAME_KEY, "MKTOSALESUSERID", "SFDCLEADOWNERID")


@dataclass(frozen=True, slots=True)
class LeadKey:
    type: str
    value: str


@dataclass(frozen=True, slots=True)
class ListResult:
    """``statuses`` (one per key, in order) is None when every key succeeded on an
    ADDTOLIST or REMOVEFROMLIST, as Marketo answers."""

    success: bool
    statuses: list[tuple[LeadKey, bool]] | None


class ListService:
    def __init__(self, store: Store) -> None:
        self._store = store

    def find(self, instance: str, key_type: str | None, key_value: str | None) -> StaticList:
        """The list a listKey names; 20110 for a key type leadsync has no lists of, 20111
        for a name no list has."""
        if not key_type or blank(key_value):
            raise ParameterRequired("Parameter required: listKey needs keyType and keyValue")
        if key_type != LIST_NAME_KEY:
            raise BadParameter(
                f"Bad parameter: listKey keyType {key_type} is not supported: use {LIST_NAME_KEY}"
                if key_type in _LIST_KEY_TYPES
                else f"Bad parameter: listKey keyType {key_type} is not one of"
                f" {', '.join(_LIST_KEY_TYPES)}"
            )
        assert key_value is not None
        found = find_list(self._store.list_lists(instance), key_value.strip())
        if found is None:
            raise ListNotFound(f"List not found: no list named {key_value}")
        return found

    def operate(
        self,
        instance: str,
        operation: str | None,
        static_list: StaticList,
        keys: Sequence[LeadKey],
        strict: bool = False,
        log: bool = True,
        now_us: int | None = None,
    ) -> ListResult:
        if not operation:
            raise ParameterRequired("Parameter required: listOperation")
        try:
            kind = ListOperation(operation)
        except ValueError:
            raise BadParameter(
                f"Bad parameter: listOperation {operation} is not one of"
                f" {', '.join(op.value for op in ListOperation)}"
            ) from None
        if not keys:
            raise ParameterRequired("Parameter required: listMemberList needs a leadKey")
        if len(keys) > MAX_MEMBERS:
            raise BadParameter(
                f"Bad parameter: listMemberList has {len(keys)} lead keys; the limit is"
                f" {MAX_MEMBERS}"
            )
        if kind is ListOperation.IS_MEMBER:
            leads = _resolve(self._store.read_leads, instance, keys)
            ids = [lead.id for lead in leads.values()]
            members = self._store.members_of(static_list.id, ids)
            statuses = [(key, key in leads and leads[key].id in members) for key in keys]
            return ListResult(all(ok for _, ok in statuses), statuses)
        stamp = time.time_ns() // 1000 if now_us is None else now_us
        attempt = 1
        while True:
            try:
                with self._store.write(instance) as writer:
                    return _change(writer, instance, kind, static_list, keys, strict, log, stamp)
            except TransientStoreError:
                if attempt == MAX_ATTEMPTS:
                    raise
                attempt += 1


def _change(
    writer: LeadWriter,
    instance: str,
    kind: ListOperation,
    static_list: StaticList,
    keys: Sequence[LeadKey],
    strict: bool,
    log: bool,
    stamp: int,
) -> ListResult:
    def find(
        _instance: str, ids: Sequence[int], email_keys: Sequence[str], cookies: Sequence[str]
    ) -> list[Lead]:
        return writer.find_leads(ids, (), email_keys, cookies)

    leads = _resolve(find, instance, keys)
    ids = sorted({lead.id for lead in leads.values()})
    if kind is ListOperation.ADD:
        statuses = [(key, key in leads) for key in keys]
    else:
        members = writer.members(static_list.id, ids)
        statuses = [(key, key in leads and leads[key].id in members) for key in keys]
    success = all(ok for _, ok in statuses)
    if strict and not success:
        return ListResult(False, statuses)  # nothing changed
    if kind is ListOperation.ADD:
        changed = writer.add_members(static_list.id, ids, stamp)
        activity = ADD_TO_LIST
    else:
        changed = writer.remove_members(static_list.id, ids)
        activity = REMOVE_FROM_LIST
    if log and changed:
        values = (str(static_list.id),)
        writer.insert_activities(
            [
                run_params(
                    instance, [Activity(0, lead_id, activity.id, stamp, static_list.name, values)]
                )
                for lead_id in changed
            ]
        )
    return ListResult(success, None if success else statuses)


def _lead_id(value: str) -> int | None:
    return int(value) if value.isdigit() and int(value) <= _ID_MAX else None


def _resolve(find: Finder, instance: str, keys: Sequence[LeadKey]) -> dict[LeadKey, Lead]:
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
