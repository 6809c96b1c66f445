"""A lead's history: the activities every write appends, and the names they go by.

An activity has a kind (Marketo's activity type: its REST id, the SOAP ActivityType
name, the display name records show), a time, an asset name and the values of the
kind's attributes, in the kind's order; the ``Lead ID`` attribute is the lead's own id
and is added when a record is shown, not stored. A new kind (Add to List, Merge Leads,
Request Campaign, ...) is one more ``Kind`` and a writer that appends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class Kind:
    """One activity type: ``id`` as Marketo's REST API numbers it, ``soap`` its name in
    the WSDL's ActivityType enumeration, ``name`` what records show."""

    id: int
    soap: str
    name: str
    attributes: tuple[str, ...]  # the stored values' names, in order (Lead ID follows)


NEW_LEAD = Kind(12, "NewLead", "New Lead", ("Source Type", "Source Info", "Created Date"))
CHANGE_DATA_VALUE = Kind(
    13,
    "ChangeDataValue",
    "Change Data Value",
    ("Attribute Name", "Old Value", "New Value", "Reason", "Source"),
)
ADD_TO_LIST = Kind(24, "AddToList", "Add to List", ("List ID",))
REMOVE_FROM_LIST = Kind(25, "RemoveFromList", "Remove from List", ("List ID",))
MERGE_LEADS = Kind(32, "MergeLeads", "Merge Leads", ("Merge IDs", "Merged in Sales"))
REQUEST_CAMPAIGN = Kind(47, "RequestCampaign", "Request Campaign", ("Campaign ID", "Source"))
KINDS: dict[int, Kind] = {
    kind.id: kind
    for kind in (
        NEW_LEAD,
        CHANGE_DATA_VALUE,
        ADD_TO_LIST,
        REMOVE_FROM_LIST,
        MERGE_LEADS,
        REQUEST_CAMPAIGN,
    )
}

# The WSDL's ActivityType enumeration, in its order: the n-th name is Marketo's activity
# type id n where Marketo numbered them so (VisitWebpage 1 ... RequestCampaign 47); the
# names past it have no id leadsync knows. A filter may name any of them; only the kinds
# leadsync writes ever match.
SOAP_TYPES: tuple[str, ...] = (
    "VisitWebpage", "FillOutForm", "ClickLink", "SendEmail", "EmailDelivered",
    "EmailBounced", "UnsubscribeEmail", "OpenEmail", "ClickEmail", "NewLead",
    "ChangeDataValue", "LeadAssigned", "NewSFDCOpprtnty", "Wait", "RunSubflow",
    "RemoveFromFlow", "PushLeadToSales", "CreateTask", "ConvertLead", "ChangeScore",
    "ChangeOwner", "AddToList", "RemoveFromList", "SFDCActivity", "EmailBouncedSoft",
    "PushLeadUpdatesToSales", "DeleteLeadFromSales", "SFDCActivityUpdated",
    "SFDCMergeLeads", "MergeLeads", "ResolveConflicts", "AssocWithOpprtntyInSales",
    "DissocFromOpprtntyInSales", "UpdateOpprtntyInSales", "DeleteLead", "SendAlert",
    "SendSalesEmail", "OpenSalesEmail", "ClickSalesEmail", "AddtoSFDCCampaign",
    "RemoveFromSFDCCampaign", "ChangeStatusInSFDCCampaign", "ReceiveSalesEmail",
    "InterestingMoment", "RequestCampaign", "SalesEmailBounced", "ChangeLeadPartition",
    "ChangeRevenueStage", "ChangeRevenueStageManually", "ComputeDataValue",
    "ChangeStatusInProgression", "ChangeFieldInProgram", "EnrichWithDatacom",
    "ChangeSegment", "ResolveRuleset", "SmartCampaignTest", "SmartCampaignTestTrigger",
    "CUSTOM",
)  # fmt: skip
_BY_SOAP = {kind.soap: kind for kind in KINDS.values()}
_BY_NAME = {kind.name.casefold(): kind for kind in KINDS.values()}


def kind_ids_of_soap(names: tuple[str, ...]) -> frozenset[int]:
    """The ids of the kinds that ActivityType ``names`` name; names of the enumeration
    leadsync never writes name none. The caller has checked them against SOAP_TYPES."""
    return frozenset(_BY_SOAP[name].id for name in names if name in _BY_SOAP)


def kind_ids_of_names(names: tuple[str, ...]) -> frozenset[int]:
    """The ids of the kinds whose display names (any case) are among ``names``."""
    return frozenset(
        _BY_NAME[name.strip().casefold()].id
        for name in names
        if name.strip().casefold() in _BY_NAME
    )


class Activity(NamedTuple):
    """One stored activity. ``created_at`` in microseconds since the epoch, UTC."""

    id: int
    lead_id: int
    kind: int
    created_at: int
    asset: str | None
    values: tuple[str | None, ...]
    campaign: str | None = None

    @property
    def kind_info(self) -> Kind:
        return KINDS[self.kind]

    def attributes(self) -> list[tuple[str, str | None]]:
        """(name, value) of every attribute, ``Lead ID`` last, as records show them."""
        names = self.kind_info.attributes
        pairs = list(zip(names, self.values, strict=False))
        pairs.append(("Lead ID", str(self.lead_id)))
        return pairs


@dataclass(frozen=True, slots=True)
class Origin:
    """Who wrote: the ``Reason`` and ``Source`` of the Change Data Value activities and
    the ``Source Type``/``Source Info`` of New Lead ones."""

    reason: str
    source: str
    source_type: str


SOAP_API = Origin("SOAP API", "Lead update", "Web service API")
REST_API = Origin("Web service API", "Web service API", "Web service API")
