"""node-marketo-rest (npm), a real third-party REST client, against a real ``leadsync
serve``: tests/clients/node/rest_client.js runs the flows of test_rest_python.py that the
library has calls for (it has none to delete leads or describe them with describe2) and
prints each answer; every one is compared exactly here."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest

from leadsync.campaigns import RunKind
from leadsync.model import DEFAULT_INSTANCE
from leadsync.store import SqliteStore
from tests.clients.test_node import NODE, require_node_modules
from tests.clients.test_rest_python import (
    assert_described,
    changed,
    lead_change,
    leadsync,
    made_id,
    new_lead,
    skipped,
    with_ids,
)
from tests.rest import CLIENT_ID, CLIENT_SECRET, add_client
from tests.server import ServerProcess

pytestmark = pytest.mark.clients


@pytest.fixture
def node_steps(sqlite_store: SqliteStore, db_path: str) -> dict[str, dict[str, Any]]:
    """rest_client.js run once against a server on a fresh SQLite store with a REST
    client, an empty list and a requestable campaign: its steps by name."""
    require_node_modules()
    add_client(sqlite_store)
    list_id = made_id(leadsync(db_path, "lists", "add", "Newsletter"))
    leadsync(db_path, "programs", "add", "Onboarding", "--token", "{{my.greeting}}=Hello")
    campaign_id = made_id(
        leadsync(db_path, "campaigns", "add", "Welcome", "--program", "Onboarding")
    )
    server = ServerProcess(db_path).start()
    try:
        done = subprocess.run(
            ["node", str(NODE / "rest_client.js")],
            cwd=NODE,
            env={
                **os.environ,
                "LEADSYNC_BASE_URL": server.base_url,
                "LEADSYNC_CLIENT_ID": CLIENT_ID,
                "LEADSYNC_CLIENT_SECRET": CLIENT_SECRET,
                "LEADSYNC_LIST_ID": str(list_id),
                "LEADSYNC_CAMPAIGN_ID": str(campaign_id),
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.stop()
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    steps: dict[str, dict[str, Any]] = {}
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            item = json.loads(line)
            steps[item.pop("step")] = item
    return steps


class Steps:
    """The script's steps; ``answer`` fails with the library's error when it had one."""

    def __init__(self, steps: dict[str, dict[str, Any]]) -> None:
        self.steps = steps

    def answer(self, name: str) -> Any:
        assert name in self.steps, f"no step {name!r}: {sorted(self.steps)}"
        found = self.steps[name]
        assert "error" not in found, f"{name}: {found}"
        return found["answer"]

    def result(self, name: str) -> Any:
        """A one-page answer's ``result`` (``success`` true asserted)."""
        answer = self.answer(name)
        assert answer["success"] is True, answer
        return answer["result"]

    def pages(self, name: str) -> list[Any]:
        """A paged answer's results, page by page; every page but the last carries a
        nextPageToken (leads) or moreResult true (activities)."""
        answers = self.answer(name)
        for number, page in enumerate(answers):
            assert page["success"] is True, page
            last = number == len(answers) - 1
            if "moreResult" in page:
                assert page["moreResult"] is not last, answers
                assert isinstance(page["nextPageToken"], str) and page["nextPageToken"]
            else:
                assert ("nextPageToken" in page) is not last, answers
        return [page["result"] for page in answers]


def test_node_marketo_rest(
    node_steps: dict[str, dict[str, Any]], sqlite_store: SqliteStore
) -> None:
    steps = Steps(node_steps)
    assert steps.answer("token") == {
        "token_type": "bearer",
        "expires_in": 3599,
        "scope": "tests@leadsync",
        "access_token_shape": True,
    }

    assert steps.result("create") == [
        {"id": 1, "status": "created"},
        {"id": 2, "status": "created"},
        {"id": 3, "status": "created"},
    ]
    assert steps.result("update") == [
        {"id": 1, "status": "updated"},
        {"status": "skipped", "reasons": [{"code": "1006", "message": "Field 'noSuch' not found"}]},
    ]
    assert steps.result("create_only") == [
        {"status": "skipped", "reasons": [{"code": "1005", "message": "Lead already exists"}]}
    ]
    assert steps.pages("find_email") == [
        [
            {
                "id": 1,
                "email": "ann@x.test",
                "firstName": "Anna",
                "lastName": "Lee",
                "leadScore": None,
            },
            {"id": 2, "email": "bo@x.test", "firstName": "Bo", "lastName": None, "leadScore": None},
        ],
        [{"id": 3, "email": "cy@x.test", "firstName": "Cy", "lastName": None, "leadScore": 7}],
    ]
    assert steps.pages("find_id") == [
        [{"email": "ann@x.test"}],
        [{"email": "bo@x.test"}],
        [{"email": "cy@x.test"}],
    ]
    [ann] = steps.result("by_id")
    assert list(ann) == ["id", "updatedAt", "lastName", "email", "createdAt", "firstName"]
    assert ann == {
        "id": 1,
        "updatedAt": ann["updatedAt"],
        "lastName": "Lee",
        "email": "ann@x.test",
        "createdAt": ann["createdAt"],
        "firstName": "Anna",
    }
    assert steps.result("by_id_fields") == [{"firstName": "Cy", "leadScore": 7}]
    assert steps.result("by_id_missing") == []
    assert_described(steps.result("describe"))

    times = {t["id"]: (t["createdAt"], t["updatedAt"]) for t in steps.result("times")}
    assert times[1] == (ann["createdAt"], ann["updatedAt"])
    (ann_created, ann_updated), (bo_created, _), (cy_created, _) = times[1], times[2], times[3]
    assert steps.answer("paging_token") == {"token": True}
    # leadIds 1,2: lead 3's activities (ids 8 to 11) are not among them.
    activity_pages = steps.pages("activities")
    assert [len(page) for page in activity_pages] == [2, 2, 2, 2]
    activities = [record for page in activity_pages for record in page]
    assert activities == with_ids(
        [1, 2, 3, 4, 5, 6, 7, 12],
        [
            new_lead(1, ann_created),
            changed(1, ann_created, "Email Address", "ann@x.test", None),
            changed(1, ann_created, "First Name", "Ann", None),
            changed(1, ann_created, "Last Name", "Lee", None),
            new_lead(2, bo_created),
            changed(2, bo_created, "Email Address", "bo@x.test", None),
            changed(2, bo_created, "First Name", "Bo", None),
            changed(1, ann_updated, "First Name", "Anna", "Ann"),
        ],
    )
    [lead3_new, lead3_first_name] = with_ids(
        [8, 10],
        [new_lead(3, cy_created), changed(3, cy_created, "First Name", "Cy", None)],
    )
    assert steps.pages("changes") == [
        [
            lead_change(activities[0]),
            lead_change(activities[2], ("Ann", None)),
            lead_change(activities[4]),
            lead_change(activities[6], ("Bo", None)),
            lead_change(lead3_new),
            lead_change(lead3_first_name, ("Cy", None)),
            lead_change(activities[7], ("Anna", "Ann")),
        ]
    ]

    assert steps.result("list_add") == [
        {"id": 1, "status": "added"},
        {"id": 2, "status": "added"},
        skipped(999, "1004", "Lead not found"),
    ]
    assert steps.pages("list_leads") == [
        [{"id": 1, "email": "ann@x.test", "firstName": "Anna"}],
        [{"id": 2, "email": "bo@x.test", "firstName": "Bo"}],
    ]
    assert steps.result("list_remove_2") == [{"id": 2, "status": "removed"}]
    assert steps.result("list_remove_3") == [skipped(3, "1015", "Lead not in list")]
    assert steps.pages("list_leads_after") == [[{"email": "ann@x.test"}]]
    assert steps.result("is_member_1") == [{"id": 1, "status": "memberof"}]
    assert steps.result("is_member_2") == [{"id": 2, "status": "notmemberof"}]
    assert steps.result("is_member_999") == [skipped(999, "1004", "Lead not found")]

    assert steps.result("campaign") == [{"id": 1}]
    assert steps.result("campaign_tokens") == [{"id": 1}]
    assert node_steps["campaign_missing"] == {
        "error": {
            "status": 200,
            "errors": [{"code": "1013", "message": "Object not found: no campaign has id 999"}],
        }
    }
    runs = [
        (r.campaign, r.kind, r.lead_ids, r.tokens, r.run_at)
        for r in sqlite_store.campaign_runs(DEFAULT_INSTANCE)
    ]
    assert runs == [
        ("Onboarding.Welcome", RunKind.REQUESTED, (1,), (), None),
        ("Onboarding.Welcome", RunKind.REQUESTED, (1, 2), (("{{my.greeting}}", "Hi"),), None),
    ]

    assert steps.result("merge_create") == [
        {"id": 4, "status": "created"},
        {"id": 5, "status": "created"},
    ]
    assert steps.answer("merge") == {"success": True}
    assert steps.result("merged_winner") == [
        {"email": "win@x.test", "firstName": "Wu", "city": "Kyiv"}
    ]
    assert steps.result("merged_loser") == []
