"""The static list operation: listOperation."""

from __future__ import annotations

from typing import Any

from leadsync.errors import LeadKeyRequired
from leadsync.service.keys import LeadKey
from leadsync.wire.ops.registry import Answer, Call, handles


@handles("listOperation")
def list_operation(call: Call) -> Answer:
    params = call.params
    list_key = params.get("listKey") or {}
    services = call.services.lists
    static_list = services.find(call.instance, list_key.get("keyType"), list_key.get("keyValue"))
    result = services.operate(
        call.instance,
        params.get("listOperation"),
        static_list,
        lead_keys((params.get("listMemberList") or {}).get("leadKey", [])),
        strict=bool(params.get("strict")),
        log=not params.get("skipActivityLog"),
        now_us=call.now_us,
    )
    call.record.records = len(result.statuses or ())
    statuses = None
    if result.statuses is not None:
        statuses = {
            "leadStatus": [
                {"leadKey": {"keyType": key.type, "keyValue": key.value}, "status": ok}
                for key, ok in result.statuses
            ]
        }
    return {"result": {"success": result.success, "statusList": statuses}}


def lead_keys(items: list[dict[str, Any] | None]) -> list[LeadKey]:
    """An ArrayOfLeadKey's keys; 20101 for one without keyType or keyValue."""
    keys = []
    for item in items:
        if not item or not item.get("keyType") or item.get("keyValue") is None:
            raise LeadKeyRequired("Lead key required: each leadKey needs keyType and keyValue")
        keys.append(LeadKey(item["keyType"], str(item["keyValue"])))
    return keys
