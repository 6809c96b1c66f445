"""MObjects: Opportunities and the roles leads have in them, stored by leadsync, and
Programs (the programs of ``leadsync programs add``) seen as MObjects.

An Opportunity's attributes are those describeMObject lists (service/objects.py); its
external key is ``ExternalOpportunityId``. A role (``OpportunityPersonRole``, the WSDL's
``OpportunityLeadRole``) links a lead (``PersonId``) to an opportunity
(``OpportunityId``); a merge moves the losers' roles to the winner.
"""

from __future__ import annotations

from dataclasses import dataclass

OPPORTUNITY = "Opportunity"
ROLE = "OpportunityPersonRole"
PROGRAM = "Program"
TYPE_NAMES = {
    "opportunity": OPPORTUNITY,
    "opportunitypersonrole": ROLE,
    "opportunityleadrole": ROLE,
    "program": PROGRAM,
}
EXTERNAL_KEY = {OPPORTUNITY: "ExternalOpportunityId"}
MAX_OBJECTS = 100


@dataclass(frozen=True, slots=True)
class MObject:
    """A stored Opportunity or role. ``lead_id``/``parent_id``: a role's PersonId and
    OpportunityId (None for an Opportunity)."""

    id: int
    type: str
    external_key: str | None
    lead_id: int | None
    parent_id: int | None
    attributes: dict[str, str]
    created_at: int
    updated_at: int
