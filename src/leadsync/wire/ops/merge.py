"""mergeLeads."""

from __future__ import annotations

from typing import Any

from leadsync.errors import LeadKeyRequired
from leadsync.service.keys import LeadKey
from leadsync.wire.ops.registry import Answer, Call, handles


@handles("mergeLeads")
def merge_leads(call: Call) -> Answer:
    params = call.params
    losers = (params.get("losingLeadKeyLists") or {}).get("keyList", [])
    result = call.services.merge.merge(
        call.instance,
        _keys(params.get("winningLeadKeyList")),
        [_keys(key_list) for key_list in losers],
        now_us=call.now_us,
    )
    call.record.records = len(result.loser_ids)
    return {
        "result": {
            "mergeStatus": {
                "winningLeadId": result.winner_id,
                "losingLeadIdList": {"integerItem": list(result.loser_ids)},
                "status": result.status,
                "error": result.error,
            }
        }
    }


def _keys(array: dict[str, Any] | None) -> list[LeadKey]:
    """A key list (ArrayOfAttribute: attrName the key type, attrValue its value)."""
    keys = []
    for item in (array or {}).get("attribute", []):
        if not item or not item.get("attrName") or item.get("attrValue") is None:
            raise LeadKeyRequired("Lead key required: each key needs attrName and attrValue")
        keys.append(LeadKey(str(item["attrName"]).strip(), str(item["attrValue"])))
    return keys
