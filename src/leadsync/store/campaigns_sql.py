"""Campaigns and their runs, in SQL both stores run (store/tables.py):
``CampaignTables`` the store's part, ``RunTables`` the write transaction's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from leadsync.campaigns import Campaign, CampaignRun, RunKind
from leadsync.store.tables import Tables, WriterTables

_CAMPAIGNS = (
    "SELECT c.id, c.name, p.name, c.description, c.requestable FROM campaigns AS c"
    " JOIN programs AS p ON p.id = c.program_id WHERE c.instance = ?"
)
_RUNS = (
    "SELECT r.id, p.name || '.' || c.name, r.kind, r.asked_at, r.run_at, r.lead_ids, r.tokens,"
    " r.clone_to FROM campaign_runs AS r JOIN campaigns AS c ON c.id = r.campaign_id"
    " JOIN programs AS p ON p.id = c.program_id WHERE r.instance = ?"
)


def _run(row: Sequence[Any]) -> CampaignRun:
    return CampaignRun(
        int(row[0]),
        row[1],
        RunKind(row[2]),
        int(row[3]),
        None if row[4] is None else int(row[4]),
        tuple(orjson.loads(row[5])),
        tuple((name, value) for name, value in orjson.loads(row[6])),
        row[7],
    )


class CampaignTables(Tables):
    """The CampaignStore methods of a store."""

    def add_campaign(
        self,
        instance: str,
        name: str,
        program: str,
        description: str,
        requestable: bool,
        now_us: int,
    ) -> int:
        found = self._query(
            "SELECT id FROM programs WHERE instance = ? AND name = ?", (instance, program)
        )
        if not found:
            raise ValueError(f"no program {program}: add it with leadsync programs add")
        return self._insert(
            "campaigns",
            "campaign",
            name,
            "INSERT INTO campaigns (instance, name, program_id, description, requestable,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (instance, name, found[0][0], description, requestable, now_us),
        )

    def list_campaigns(self, instance: str) -> list[Campaign]:
        rows = self._query(_CAMPAIGNS + " ORDER BY c.id", (instance,))
        return [Campaign(row[0], row[1], row[2], row[3], bool(row[4])) for row in rows]

    def campaign_runs(self, instance: str, campaign_id: int | None = None) -> list[CampaignRun]:
        if campaign_id is None:
            rows = self._query(_RUNS + " ORDER BY r.id", (instance,))
        else:
            rows = self._query(_RUNS + " AND c.id = ? ORDER BY r.id", (instance, campaign_id))
        return [_run(row) for row in rows]


class RunTables(WriterTables):
    """A write transaction's campaign runs."""

    def add_run(
        self,
        instance: str,
        campaign_id: int,
        kind: RunKind,
        asked_at: int,
        run_at: int | None,
        lead_ids: Sequence[int],
        tokens: Sequence[tuple[str, str]],
        clone_to: str | None,
    ) -> int:
        [(run_id,)] = self._run(
            "INSERT INTO campaign_runs (instance, campaign_id, kind, asked_at, run_at, lead_ids,"
            " tokens, clone_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                instance,
                campaign_id,
                kind.value,
                asked_at,
                run_at,
                orjson.dumps(list(lead_ids)).decode(),
                orjson.dumps([list(t) for t in tokens]).decode(),
                clone_to,
            ),
        )
        return int(run_id)
