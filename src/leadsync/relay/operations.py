"""listOperation, the campaign operations and mergeLeads relayed, each to its REST call:
Add to List / Remove from List / Member of List, Get Campaigns, Request Campaign
(trigger.json), Schedule Campaign, Merge Leads. Lead keys resolve through the upstream's
Get Leads by Filter Type (relay/leads.py)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from leadsync.campaigns import Campaign
from leadsync.errors import (
    BadParameter,
    CampaignNotFound,
    LeadNotFound,
    ListNotFound,
    ParameterRequired,
    UnsupportedOperation,
)
from leadsync.lists import MAX_MEMBERS, Channel, ListOperation, StaticList
from leadsync.model import blank
from leadsync.relay.leads import RelayLeadService
from leadsync.relay.upstream import Upstream
from leadsync.service.campaigns import CampaignRequest, CampaignService, Tag
from leadsync.service.keys import LeadKey
from leadsync.service.lists import ListResult, ListService, list_name
from leadsync.service.merge import MergeResult, MergeService


class RelayListService(ListService):
    def __init__(self, upstream: Upstream, leads: RelayLeadService) -> None:
        self._upstream = upstream
        self._leads = leads

    def find(self, instance: str, key_type: str | None, key_value: str | None) -> StaticList:
        name = list_name(key_type, key_value)
        program, _, own = name.rpartition(".")
        params = {"name": own, **({"programName": program} if program else {})}
        found = self._upstream.call("GET", "/rest/v1/lists.json", params=params).get("result")
        if not found:
            found = self._upstream.call("GET", "/rest/v1/lists.json", params={"name": name}).get(
                "result"
            )
        if not found:
            raise ListNotFound(f"List not found: no list named {key_value} upstream")
        item = found[0]
        return StaticList(int(item["id"]), str(item["name"]), item.get("programName"))

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
        try:
            kind = ListOperation(operation or "")
        except ValueError:
            raise BadParameter(f"Bad parameter: listOperation {operation}") from None
        if not keys:
            raise ParameterRequired("Parameter required: listMemberList needs a leadKey")
        if len(keys) > MAX_MEMBERS:
            raise BadParameter(f"Bad parameter: {len(keys)} lead keys; the limit is {MAX_MEMBERS}")
        ids = self._leads.resolve(keys)
        path = f"/rest/v1/lists/{static_list.id}/leads"
        wanted = sorted(set(ids.values()))
        outcome: dict[int, str] = {}
        for start in range(0, len(wanted), 300):
            chunk = ",".join(map(str, wanted[start : start + 300]))
            if kind is ListOperation.IS_MEMBER:
                answer = self._upstream.call("GET", f"{path}/ismember.json", params={"id": chunk})
            elif strict and len(ids) < len(keys):
                break  # strict: a key names no lead, nothing changes
            else:
                method = "POST" if kind is ListOperation.ADD else "DELETE"
                answer = self._upstream.call(method, f"{path}.json", params={"id": chunk})
            for item in answer.get("result", []):
                outcome[int(item["id"])] = str(item.get("status"))
        good = {"added", "removed", "memberof"}
        statuses = [(key, key in ids and outcome.get(ids[key]) in good) for key in keys]
        success = all(ok for _, ok in statuses)
        if kind is ListOperation.IS_MEMBER:
            return ListResult(success, statuses)
        return ListResult(success, None if success else statuses)


class RelayCampaignService(CampaignService):
    def __init__(self, upstream: Upstream, leads: RelayLeadService) -> None:
        self._upstream = upstream
        self._leads = leads

    def channels(self, instance: str, names: Sequence[str]) -> list[Channel]:
        raise UnsupportedOperation(
            "Unsupported operation: the relay does not carry getChannels (the upstream's"
            " channels are asset API calls)"
        )

    def tags(self, instance: str, wanted: Sequence[tuple[str, Sequence[str]]]) -> list[Tag]:
        raise UnsupportedOperation(
            "Unsupported operation: the relay does not carry getTags (the upstream's tags"
            " are asset API calls)"
        )

    def _campaigns(self, **params: Any) -> list[Campaign]:
        found = self._upstream.call("GET", "/rest/v1/campaigns.json", params=params)
        return [
            Campaign(
                int(c["id"]),
                str(c["name"]),
                str(c.get("programName") or ""),
                str(c.get("description") or ""),
                c.get("type") == "trigger",
            )
            for c in found.get("result", [])
        ]

    def for_source(
        self, instance: str, source: str | None, name: str | None, exact: bool
    ) -> list[Campaign]:
        if not source:
            raise ParameterRequired("Parameter required: source (MKTOWS or SALES)")
        found = [c for c in self._campaigns() if c.requestable]
        if name and name.strip():
            wanted = name.strip()
            if exact:
                found = [c for c in found if wanted in (c.name, c.full_name)]
            else:
                found = [c for c in found if wanted.casefold() in c.full_name.casefold()]
        return found

    def _upstream_campaign(self, campaign_id: int | None, program: str, name: str) -> Campaign:
        if campaign_id is not None:
            found = self._campaigns(id=campaign_id)
        else:
            found = [c for c in self._campaigns(name=name) if c.program == program]
        if not found:
            shown = campaign_id if campaign_id is not None else f"{program}.{name}"
            raise CampaignNotFound(f"Campaign not found: no campaign {shown} upstream")
        return found[0]

    def request(self, instance: str, request: CampaignRequest, now_us: int | None = None) -> int:
        campaign = self._upstream_campaign(
            request.campaign_id,
            (request.program_name or "").strip(),
            (request.campaign_name or "").strip(),
        )
        ids = self._leads.resolve(request.keys)
        if not ids:
            raise LeadNotFound("Lead not found: no lead key of leadList names a lead upstream")
        body: dict[str, Any] = {
            "input": {"leads": [{"id": i} for i in dict.fromkeys(ids.values())][:100]}
        }
        if request.tokens:
            body["input"]["tokens"] = [{"name": n, "value": v} for n, v in request.tokens]
        self._upstream.call("POST", f"/rest/v1/campaigns/{campaign.id}/trigger.json", body=body)
        return campaign.id

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
        if blank(program) or blank(name):
            raise ParameterRequired("Parameter required: programName and campaignName")
        assert program is not None and name is not None
        campaign = self._upstream_campaign(None, program.strip(), name.strip())
        given: dict[str, Any] = {}
        if run_at is not None:
            moment = time.gmtime(run_at // 1_000_000)
            given["runAt"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", moment)
        if tokens:
            given["tokens"] = [{"name": n, "value": v} for n, v in tokens]
        if clone_to:
            given["cloneToProgramName"] = clone_to
        self._upstream.call(
            "POST", f"/rest/v1/campaigns/{campaign.id}/schedule.json", body={"input": given}
        )
        return campaign.id


class RelayMergeService(MergeService):
    def __init__(self, upstream: Upstream, leads: RelayLeadService) -> None:
        self._upstream = upstream
        self._leads = leads

    def merge(
        self,
        instance: str,
        winner: Sequence[LeadKey],
        losers: Sequence[Sequence[LeadKey]],
        now_us: int | None = None,
    ) -> MergeResult:
        if not winner or not losers or not all(losers):
            raise ParameterRequired("Parameter required: the winning and losing lead keys")
        ids = self._leads.resolve([*winner, *(k for keys in losers for k in keys)])
        won = {ids[k] for k in winner if k in ids}
        if len(won) != 1:
            return MergeResult(None, (), "FAILED", "lead not found: the winning lead upstream")
        winner_id = won.pop()
        lost: list[int] = []
        for index, keys in enumerate(losers):
            named = {ids[k] for k in keys if k in ids}
            if len(named) != 1:
                return MergeResult(
                    winner_id, (), "FAILED", f"lead not found: losing lead {index + 1} upstream"
                )
            lost.append(named.pop())
        if winner_id in lost:
            return MergeResult(winner_id, (), "FAILED", "a lead cannot be merged into itself")
        self._upstream.call(
            "POST",
            f"/rest/v1/leads/{winner_id}/merge.json",
            params={"leadIds": ",".join(map(str, lost))},
            idempotent=False,
        )
        return MergeResult(winner_id, tuple(lost), "MERGED")
