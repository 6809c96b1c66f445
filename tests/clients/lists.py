"""The static list scenario: a real client syncs two leads, then calls listOperation.

The harness makes the list ``Newsletter`` first (``leadsync lists add``'s store call);
the client program gets the harness's environment variables and prints one JSON object
a line, statuses as [keyType, keyValue, status]:

 1. syncMultipleLeads of "<prefix>-a@example.com" and "<prefix>-b@example.com":
        {"step": "create", "ids": [1, 2]}
 2. ADDTOLIST Newsletter, IDNUM 1 and EMAIL of b, strict false:
        {"step": "add", "success": true, "statuses": null}
 3. ISMEMBEROFLIST with IDNUM 1 and IDNUM 999999:
        {"step": "is_member", "success": false, "statuses": [["IDNUM", "1", true], ...]}
 4. REMOVEFROMLIST IDNUM 1, then again:
        {"step": "remove", "success": true, "statuses": null}
        {"step": "remove_again", "success": false, "statuses": [["IDNUM", "1", false]]}
 5. ADDTOLIST to a list no one made, the fault's detail code:
        {"step": "unknown_list", "code": "20111"}
"""

from __future__ import annotations

from collections.abc import Sequence

from leadsync.store import Store
from tests.clients.harness import run_steps
from tests.server import ServerProcess


def run_lists(
    server: ServerProcess, store: Store, prefix: str, argv: Sequence[str], wsdl: str | None = None
) -> None:
    """Run one client program through the list scenario and assert every step."""
    list_id = store.add_list("default", "Newsletter", None, 1)
    steps, output = run_steps(server, prefix, argv, wsdl)
    assert steps == {
        "create": {"ids": [1, 2]},
        "add": {"success": True, "statuses": None},
        "is_member": {
            "success": False,
            "statuses": [["IDNUM", "1", True], ["IDNUM", "999999", False]],
        },
        "remove": {"success": True, "statuses": None},
        "remove_again": {"success": False, "statuses": [["IDNUM", "1", False]]},
        "unknown_list": {"code": "20111"},
    }, output
    assert store.members_of(list_id, [1, 2]) == {2}
    kinds = [(a.lead_id, a.activity_type) for a in _list_activities(store)]
    assert kinds == [(1, "Add to List"), (2, "Add to List"), (1, "Remove from List")]


class _Row:
    def __init__(self, lead_id: int, activity_type: str) -> None:
        self.lead_id, self.activity_type = lead_id, activity_type


def _list_activities(store: Store) -> list[_Row]:
    return [
        _Row(a.lead_id, a.kind_info.name)
        for a in store.iter_activities("default")
        if a.kind_info.name.endswith("List")
    ]
