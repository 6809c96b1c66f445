"""mergeLeads: losing leads folded into the winning one, in one write transaction.

The winner keeps its values, except where it has none and a loser has one (losers in
the order given; the first with a value wins), for attributes and for its Email,
ForeignSysPersonId and Munchkin cookie. The losers' list memberships and activities
move to the winner; the losers are gone (getLead by a loser's id is 20103). The winner
gets one ``Merge Leads`` activity, and a ``Change Data Value`` for each field the merge
filled.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from leadsync.activities import CHANGE_DATA_VALUE, MERGE_LEADS, Activity
from leadsync.errors import BadParameter, ParameterRequired
from leadsync.model import Lead
from leadsync.service.keys import LeadKey, resolve_keys, writer_finder
from leadsync.store.base import LeadWriter, Store, TransientStoreError, run_params

MAX_LOSERS = 100
MAX_ATTEMPTS = 3
_REASON, _SOURCE = "SOAP API", "Merge Leads"


@dataclass(frozen=True, slots=True)
class MergeResult:
    """``status`` MERGED or FAILED (with ``error``, and nothing changed)."""

    winner_id: int | None
    loser_ids: tuple[int, ...]
    status: str
    error: str | None = None


class MergeService:
    def __init__(self, store: Store) -> None:
        self._store = store

    def merge(
        self,
        instance: str,
        winner: Sequence[LeadKey],
        losers: Sequence[Sequence[LeadKey]],
        now_us: int | None = None,
    ) -> MergeResult:
        if not winner:
            raise ParameterRequired("Parameter required: winningLeadKeyList needs a key")
        if not losers or not all(losers):
            raise ParameterRequired(
                "Parameter required: each losingLeadKeyLists keyList needs a key"
            )
        if len(losers) > MAX_LOSERS:
            raise BadParameter(
                f"Bad parameter: {len(losers)} losing leads; at most {MAX_LOSERS} a call"
            )
        stamp = time.time_ns() // 1000 if now_us is None else now_us
        displays = self._store.catalog(instance).displays
        attempt = 1
        while True:
            try:
                with self._store.write(instance) as writer:
                    return _merge(writer, instance, winner, losers, stamp, displays)
            except TransientStoreError:
                if attempt == MAX_ATTEMPTS:
                    raise
                attempt += 1


def _one(leads: dict[LeadKey, Lead], keys: Sequence[LeadKey], what: str) -> Lead | str:
    """The lead the keys of one key list name, or why they name none."""
    found = {leads[key].id: leads[key] for key in keys if key in leads}
    if not found:
        shown = ", ".join(f"{k.type} {k.value}" for k in keys)
        return f"lead not found: no lead has {shown} ({what})"
    if len(found) > 1:
        return f"the keys of the {what} name {len(found)} different leads"
    return next(iter(found.values()))


def _merge(
    writer: LeadWriter,
    instance: str,
    winner_keys: Sequence[LeadKey],
    loser_keys: Sequence[Sequence[LeadKey]],
    stamp: int,
    displays: Mapping[str, str],
) -> MergeResult:
    every = [*winner_keys, *(key for keys in loser_keys for key in keys)]
    leads = resolve_keys(writer_finder(writer), instance, every)
    winner = _one(leads, winner_keys, "winning lead")
    if isinstance(winner, str):
        return MergeResult(None, (), "FAILED", winner)
    losers: dict[int, Lead] = {}
    for index, keys in enumerate(loser_keys):
        loser = _one(leads, keys, f"losing lead {index + 1}")
        if isinstance(loser, str):
            return MergeResult(winner.id, (), "FAILED", loser)
        if loser.id == winner.id:
            return MergeResult(winner.id, (), "FAILED", "a lead cannot be merged into itself")
        losers.setdefault(loser.id, loser)
    changes: list[tuple[str, str | None, str]] = []  # (field, old, new)
    rekeyed = False
    for loser in losers.values():
        for name, value in sorted(loser.attributes.items()):  # the same order on both stores
            if value and not winner.attributes.get(name):
                changes.append((name, winner.attributes.get(name), value))
                winner.attributes[name] = value
        if not winner.email and loser.email:
            changes.append(("Email", winner.email, loser.email))
            winner.email, rekeyed = loser.email, True
        if winner.foreign_sys_person_id is None and loser.foreign_sys_person_id is not None:
            winner.foreign_sys_person_id = loser.foreign_sys_person_id
            winner.foreign_sys_type = loser.foreign_sys_type
            rekeyed = True
        if winner.cookie is None and loser.cookie is not None:
            winner.cookie, rekeyed = loser.cookie, True
    winner.updated_at = stamp
    ids = tuple(losers)
    writer.merge_into(winner.id, ids)  # the losers go first: their keys are free then
    writer.update_leads([winner], (), {winner.id} if rekeyed else set())
    activities = [
        Activity(0, winner.id, MERGE_LEADS.id, stamp, None, (",".join(map(str, ids)), "false"))
    ]
    if changes:
        activities += [
            Activity(
                0,
                winner.id,
                CHANGE_DATA_VALUE.id,
                stamp,
                displays.get(name, name),
                (displays.get(name, name), old, new, _REASON, _SOURCE),
            )
            for name, old, new in changes
        ]
    runs = [activities[:1], activities[1:]] if changes else [activities]
    writer.insert_activities([run_params(instance, run) for run in runs])
    return MergeResult(winner.id, ids, "MERGED")
