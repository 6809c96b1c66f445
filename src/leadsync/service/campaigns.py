"""getCampaignsForSource, requestCampaign and scheduleCampaign; getChannels and getTags
(the channels and program tags campaigns' programs are made with).

leadsync runs no campaign flows: a request or a schedule is checked as Marketo checked
it and recorded as a run (``leadsync campaigns runs``); a request also writes one
``Request Campaign`` activity per lead, in the same transaction.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from leadsync.activities import REQUEST_CAMPAIGN, Activity
from leadsync.campaigns import MAX_REQUEST_LEADS, SOURCES, Campaign, RunKind
from leadsync.errors import BadParameter, CampaignNotFound, LeadNotFound, ParameterRequired
from leadsync.lists import Channel
from leadsync.model import blank
from leadsync.service.keys import LeadKey, resolve_keys, writer_finder
from leadsync.store.base import ActivityRow, Store, TransientStoreError, run_params

MAX_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Tag:
    type: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CampaignRequest:
    """requestCampaign's parameters: ``campaign_id`` alone, or ``campaign_name`` and
    ``program_name`` (with ``tokens`` or not)."""

    source: str | None
    campaign_id: int | None
    campaign_name: str | None
    program_name: str | None
    tokens: tuple[tuple[str, str], ...] | None
    keys: tuple[LeadKey, ...]


def _source(source: str | None) -> str:
    if not source:
        raise ParameterRequired("Parameter required: source (MKTOWS or SALES)")
    if source not in SOURCES:
        raise BadParameter(f"Bad parameter: source {source} is not MKTOWS or SALES")
    return source


class CampaignService:
    def __init__(self, store: Store) -> None:
        self._store = store

    def channels(self, instance: str, names: Sequence[str]) -> list[Channel]:
        """getChannels: the channels named (all when none is), by id; a name no channel
        has is left out."""
        found = self._store.list_channels(instance)
        return [c for c in found if c.name in names] if names else found

    def tags(self, instance: str, wanted: Sequence[tuple[str, Sequence[str]]]) -> list[Tag]:
        """getTags: each tag type the programs use, with its values in the order first
        used; ``wanted`` (type, values) narrows to those types (and values, when given)."""
        values: dict[str, list[str]] = {}
        for program in self._store.list_programs(instance):
            for tag_type, value in program.tags:
                seen = values.setdefault(tag_type, [])
                if value not in seen:
                    seen.append(value)
        if not wanted:
            return [Tag(t, tuple(v)) for t, v in values.items()]
        found = []
        for tag_type, named in wanted:
            if tag_type in values:
                kept = [v for v in values[tag_type] if not named or v in named]
                found.append(Tag(tag_type, tuple(kept)))
        return found

    def for_source(
        self, instance: str, source: str | None, name: str | None, exact: bool
    ) -> list[Campaign]:
        """The requestable campaigns, by PROGRAM.NAME; ``name`` filters: the whole name
        or the campaign's own (``exact``), else a part of PROGRAM.NAME (any case)."""
        _source(source)
        found = [c for c in self._store.list_campaigns(instance) if c.requestable]
        if name is not None and name.strip():
            wanted = name.strip()
            if exact:
                found = [c for c in found if wanted in (c.name, c.full_name)]
            else:
                folded = wanted.casefold()
                found = [c for c in found if folded in c.full_name.casefold()]
        return sorted(found, key=lambda c: (c.full_name.casefold(), c.id))

    def _find(
        self, instance: str, campaign_id: int | None, program: str | None, name: str | None
    ) -> Campaign:
        for campaign in self._store.list_campaigns(instance):
            if campaign_id is not None and campaign.id == campaign_id:
                return campaign
            if campaign_id is None and (campaign.program, campaign.name) == (program, name):
                return campaign
        if campaign_id is not None:
            raise CampaignNotFound(f"Campaign not found: no campaign has id {campaign_id}")
        raise CampaignNotFound(f"Campaign not found: no campaign {name} in program {program}")

    def request(self, instance: str, request: CampaignRequest, now_us: int | None = None) -> int:
        """Check and record the request; the run's id. 20110 for any combination but
        campaignId alone or campaignName with programName; 20113 for a campaign that
        does not exist or is not requestable; 20103 when no lead key names a lead."""
        source = _source(request.source)
        by_id = request.campaign_id is not None
        by_name = not blank(request.campaign_name) or not blank(request.program_name)
        if by_id and (by_name or request.tokens is not None):
            raise BadParameter(
                "Bad parameter: give campaignId alone, or campaignName and programName"
                " (with programTokenList)"
            )
        if not by_id and (blank(request.campaign_name) or blank(request.program_name)):
            raise BadParameter(
                "Bad parameter: give campaignId, or campaignName and programName together"
            )
        if not request.keys:
            raise ParameterRequired("Parameter required: leadList needs a leadKey")
        campaign = self._find(
            instance,
            request.campaign_id,
            (request.program_name or "").strip(),
            (request.campaign_name or "").strip(),
        )
        if not campaign.requestable:
            raise CampaignNotFound(
                f"Campaign not found: {campaign.full_name} cannot be requested (it has no"
                " Campaign is Requested trigger)"
            )
        keys = request.keys[:MAX_REQUEST_LEADS]
        stamp = time.time_ns() // 1000 if now_us is None else now_us
        attempt = 1
        while True:
            try:
                with self._store.write(instance) as writer:
                    leads = resolve_keys(writer_finder(writer), instance, keys)
                    lead_ids = list(dict.fromkeys(leads[key].id for key in keys if key in leads))
                    if not lead_ids:
                        raise LeadNotFound("Lead not found: no lead key of leadList names a lead")
                    run_id = writer.add_run(
                        instance,
                        campaign.id,
                        RunKind.REQUESTED,
                        stamp,
                        None,
                        lead_ids,
                        request.tokens or (),
                        None,
                    )
                    writer.insert_activities(
                        _requested(instance, campaign, lead_ids, source, stamp)
                    )
                    return run_id
            except TransientStoreError:
                if attempt == MAX_ATTEMPTS:
                    raise
                attempt += 1

    def schedule(
        self,
        instance: str,
        program: str | None,
        name: str | None,
        run_at: int | None,
        tokens: Sequence[tuple[str, str]],
        clone_to: str | None,
        now_us: int | None = None,
    ) -> int:
        """Record a scheduled run of the campaign; its id."""
        if blank(program) or blank(name):
            raise ParameterRequired("Parameter required: programName and campaignName")
        assert program is not None and name is not None
        campaign = self._find(instance, None, program.strip(), name.strip())
        stamp = time.time_ns() // 1000 if now_us is None else now_us
        with self._store.write(instance) as writer:
            return writer.add_run(
                instance,
                campaign.id,
                RunKind.SCHEDULED,
                stamp,
                run_at,
                (),
                tokens,
                None if blank(clone_to) else clone_to,
            )


def _requested(
    instance: str, campaign: Campaign, lead_ids: Sequence[int], source: str, stamp: int
) -> list[ActivityRow]:
    """One Request Campaign activity per lead (each its own run)."""
    values = (str(campaign.id), "Web Service API" if source == "MKTOWS" else "Sales")
    return [
        run_params(
            instance,
            [Activity(0, lead, REQUEST_CAMPAIGN.id, stamp, campaign.name, values, campaign.name)],
        )
        for lead in lead_ids
    ]
