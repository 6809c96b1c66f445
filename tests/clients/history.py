"""The history scenario: a real client syncs a lead, updates it, then reads its history
with getLeadActivity and getLeadChanges, with filters, in each paging style clients use.

The client program gets the harness's environment variables (LEADSYNC_WSDL may name
another version's WSDL) and prints one JSON object a line:

 1. syncMultipleLeads of "<prefix>-h@example.com" with FirstName Ann and Company A:
        {"step": "create", "statuses": [...]}
 2. the same email with FirstName Ann (unchanged) and Company B:
        {"step": "update", "statuses": [...]}
 3. getLeadActivity by EMAIL, batchSize 2, sending back only the offset while
    remainingCount > 0 (Talend's way):
        {"step": "activity_by_offset", "pages": [[[id, activityType, mktgAssetName], ...], ...]}
 4. getLeadActivity by EMAIL, includeTypes ChangeDataValue, batchSize 3, sending back
    the whole newStartPosition until returnCount is 0 (chapter-three's way); each page:
        {"step": "activity_by_position", "pages": [[...], ..., []]}
 5. getLeadChanges from oldestCreatedAt an hour ago, LeadKeySelector EMAIL of that
    email, only Change Data Value (activityFilter, or activityNameFilter where the WSDL
    declares it), batchSize 3, the whole newStartPosition until returnCount is 0; each
    record [id, activityType, mktgAssetName, {attrName: attrValue}]:
        {"step": "changes", "pages": [[...], ..., []]}
 6. getLeadActivity of an email no lead has, the fault's detail code:
        {"step": "unknown_lead", "code": "20103"}
"""

from __future__ import annotations

from collections.abc import Sequence

from tests.clients.harness import run_steps
from tests.server import ServerProcess


def _change(name: str, old: str, new: str) -> dict[str, str]:
    return {
        "Attribute Name": name,
        "Old Value": old,
        "New Value": new,
        "Reason": "SOAP API",
        "Source": "Lead update",
        "Lead ID": "1",
    }


def run_history(
    server: ServerProcess, prefix: str, argv: Sequence[str], wsdl: str | None = None
) -> None:
    """Run one client program through the history scenario and assert every step."""
    steps, output = run_steps(server, prefix, argv, wsdl)
    assert sorted(steps) == sorted(
        ["create", "update", "activity_by_offset", "activity_by_position", "changes",
         "unknown_lead"]
    ), output  # fmt: skip
    assert [(s["leadId"], s["status"]) for s in steps["create"]["statuses"]] == [(1, "CREATED")]
    assert [(s["leadId"], s["status"]) for s in steps["update"]["statuses"]] == [(1, "UPDATED")]
    cdv = "Change Data Value"
    history = [
        [5, cdv, "Company Name"],
        [4, cdv, "Company Name"],
        [3, cdv, "First Name"],
        [2, cdv, "Email Address"],
        [1, "New Lead", None],
    ]
    assert steps["activity_by_offset"]["pages"] == [history[:2], history[2:4], history[4:]], output
    assert steps["activity_by_position"]["pages"] == [history[:3], history[3:4], []], output
    email = f"{prefix}-h@example.com"
    assert steps["changes"]["pages"] == [
        [
            [2, cdv, "Email Address", _change("Email Address", "", email)],
            [3, cdv, "First Name", _change("First Name", "", "Ann")],
            [4, cdv, "Company Name", _change("Company Name", "", "A")],
        ],
        [[5, cdv, "Company Name", _change("Company Name", "A", "B")]],
        [],
    ], output
    assert steps["unknown_lead"]["code"] == "20103", output
