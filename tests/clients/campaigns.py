"""The campaign scenario: a real client syncs a lead, lists the requestable campaigns,
requests one by id and one by name with tokens, and schedules a batch one.

The harness makes the program ``Onboarding`` with the requestable campaign ``Welcome``
(id 1) and the batch campaign ``Monthly`` (id 2) first; the client program prints one
JSON object a line:

 1. syncMultipleLeads of "<prefix>-c@example.com":      {"step": "create", "ids": [1]}
 2. getCampaignsForSource MKTOWS:
        {"step": "for_source", "campaigns": [[1, "Onboarding.Welcome", "Say hello"]]}
 3. requestCampaign campaignId 1, that lead by EMAIL:   {"step": "by_id", "success": true}
 4. requestCampaign Onboarding / Welcome with the token {{my.greeting}} = Hi:
        {"step": "by_name", "success": true}
 5. scheduleCampaign Onboarding / Monthly at 2030-01-01T00:00:00Z:
        {"step": "schedule", "success": true}
 6. requestCampaign campaignId 2 (a batch campaign), the fault's detail code:
        {"step": "not_requestable", "code": "20113"}
"""

from __future__ import annotations

from collections.abc import Sequence

from leadsync.campaigns import RunKind
from leadsync.store import Store
from tests.clients.harness import run_steps
from tests.server import ServerProcess

JAN_2030_US = 1_893_456_000_000_000


def run_campaigns(
    server: ServerProcess, store: Store, prefix: str, argv: Sequence[str], wsdl: str | None = None
) -> None:
    """Run one client program through the campaign scenario and assert every step."""
    store.add_program("default", "Onboarding", None, (), 1)
    assert store.add_campaign("default", "Welcome", "Onboarding", "Say hello", True, 1) == 1
    assert store.add_campaign("default", "Monthly", "Onboarding", "", False, 1) == 2
    steps, output = run_steps(server, prefix, argv, wsdl)
    assert steps == {
        "create": {"ids": [1]},
        "for_source": {"campaigns": [[1, "Onboarding.Welcome", "Say hello"]]},
        "by_id": {"success": True},
        "by_name": {"success": True},
        "schedule": {"success": True},
        "not_requestable": {"code": "20113"},
    }, output
    runs = [
        (r.campaign, r.kind, r.lead_ids, r.tokens, r.run_at) for r in store.campaign_runs("default")
    ]
    assert runs == [
        ("Onboarding.Welcome", RunKind.REQUESTED, (1,), (), None),
        ("Onboarding.Welcome", RunKind.REQUESTED, (1,), (("{{my.greeting}}", "Hi"),), None),
        ("Onboarding.Monthly", RunKind.SCHEDULED, (), (), JAN_2030_US),
    ], output
