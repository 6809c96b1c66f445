"""Smart campaigns, and the runs requestCampaign and scheduleCampaign ask for.

A campaign belongs to a program (``leadsync campaigns add NAME --program PROGRAM``).
A requestable one (Marketo: a "Campaign is Requested" trigger with Web Service API as
its source) is what getCampaignsForSource lists and requestCampaign may run; any
campaign can be scheduled, as Marketo's batch campaigns are. leadsync runs no flows: a
run is recorded (``leadsync campaigns runs``), with its leads and tokens, so a test can
assert what its integration asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MAX_REQUEST_LEADS = 100  # requestCampaign's leadKeys; more are ignored, as Marketo did
SOURCES = ("MKTOWS", "SALES")  # the WSDL's ReqCampSourceType


@dataclass(frozen=True, slots=True)
class Campaign:
    id: int
    name: str
    program: str
    description: str
    requestable: bool

    @property
    def full_name(self) -> str:
        """PROGRAM.NAME, as getCampaignsForSource's records name campaigns."""
        return f"{self.program}.{self.name}"


class RunKind(StrEnum):
    REQUESTED = "requested"
    SCHEDULED = "scheduled"


@dataclass(frozen=True, slots=True)
class CampaignRun:
    id: int
    campaign: str  # PROGRAM.NAME
    kind: RunKind
    asked_at: int  # microseconds
    run_at: int | None  # a scheduled run's campaignRunAt (None: now)
    lead_ids: tuple[int, ...]
    tokens: tuple[tuple[str, str], ...]
    clone_to: str | None  # scheduleCampaign's cloneToProgramName
