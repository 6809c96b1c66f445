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
from collections.abc import Sequence
from dataclasses import dataclass

from leadsync.activities import ADD_TO_LIST, REMOVE_FROM_LIST, Activity
from leadsync.errors import BadParameter, ListNotFound, ParameterRequired
from leadsync.lists import LIST_NAME_KEY, MAX_MEMBERS, ListOperation, StaticList, find_list
from leadsync.model import blank
from leadsync.service.keys import LeadKey, resolve_keys, writer_finder
from leadsync.store.base import LeadWriter, Store, TransientStoreError, run_params

MAX_ATTEMPTS = 3
_LIST_KEY_TYPES = (LIST_NAME_KEY, "MKTOSALESUSERID", "SFDCLEADOWNERID")


@dataclass(frozen=True, slots=True)
class ListResult:
    """``statuses`` (one per key, in order) is None when every key succeeded on an
    ADDTOLIST or REMOVEFROMLIST, as Marketo answers."""

    success: bool
    statuses: list[tuple[LeadKey, bool]] | None


def list_name(key_type: str | None, key_value: str | None) -> str:
    """The list name a listKey gives (MKTOLISTNAME); 20109 without one, 20110 for a key
    type leadsync has no lists of."""
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
    return key_value.strip()


class ListService:
    def __init__(self, store: Store) -> None:
        self._store = store

    def find(self, instance: str, key_type: str | None, key_value: str | None) -> StaticList:
        """The list a listKey names; 20110 for a key type leadsync has no lists of, 20111
        for a name no list has."""
        found = find_list(self._store.list_lists(instance), list_name(key_type, key_value))
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
            leads = resolve_keys(self._store.read_leads, instance, keys)
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
    leads = resolve_keys(writer_finder(writer), instance, keys)
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
