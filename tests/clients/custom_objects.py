"""The custom object scenario: a real client syncs a lead, then its custom objects.

The harness defines the type ``RoadShow`` (key ``rid``; fields ``city``, ``zip``) first;
the client program prints one JSON object a line, statuses as [status, error]:

 1. syncMultipleLeads of "<prefix>-o@example.com":     {"step": "create", "ids": [1]}
 2. syncCustomObjects UPSERT of rid r1 (city San Mateo) and rid r2 with an unknown
    attribute ``nameasdf``:
        {"step": "sync", "statuses": [["CREATED", null], ["FAILED", "Unknown name ..."]]}
 3. getCustomObjects by MKTOID 1: {"step": "get", "objects": [{"MKTOID": "1", ...}]}
 4. deleteCustomObjects of r1:   {"step": "delete", "statuses": [["DELETED", null]]}
 5. syncCustomObjects of a type no one made, the fault's detail code:
        {"step": "unknown_type", "code": "20110"}
"""

from __future__ import annotations

from collections.abc import Sequence

from leadsync.custom_objects import ObjectType
from leadsync.fields import FieldType
from leadsync.store import Store
from tests.clients.harness import run_steps
from tests.server import ServerProcess

ROADSHOW = ObjectType(
    0, "RoadShow", ("rid",), (("rid", FieldType.STRING), ("city", FieldType.STRING),
                              ("zip", FieldType.STRING)),
)  # fmt: skip


def run_custom_objects(
    server: ServerProcess, store: Store, prefix: str, argv: Sequence[str], wsdl: str | None = None
) -> None:
    """Run one client program through the custom object scenario and assert every step."""
    store.add_object_type("default", ROADSHOW, 1)
    steps, output = run_steps(server, prefix, argv, wsdl)
    assert steps == {
        "create": {"ids": [1]},
        "sync": {
            "statuses": [["CREATED", None], ["FAILED", "Unknown name attribute list: nameasdf"]]
        },
        "get": {"objects": [{"MKTOID": "1", "rid": "r1", "city": "San Mateo"}]},
        "delete": {"statuses": [["DELETED", None]]},
        "unknown_type": {"code": "20110"},
    }, output
