"""The static list operations: listOperation, importToList, getImportToListStatus."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from leadsync.errors import LeadKeyRequired
from leadsync.imports import ImportStatus
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


@handles("importToList")
def import_to_list(call: Call) -> Answer:
    params = call.params
    rows = [row for row in (params.get("importFileRows") or {}).get("stringItem", []) if row]
    job = call.services.imports.start(
        call.instance,
        params.get("programName"),
        params.get("listName"),
        params.get("importFileHeader"),
        rows,
        params.get("importListMode"),
        bool(params.get("clearList")),
        params.get("campaignName"),
    )
    call.record.records = len(job.rows)
    return {"result": {"importStatus": job.status.value}}


@handles("getImportToListStatus")
def get_import_to_list_status(call: Call) -> Answer:
    params = call.params
    imports = call.services.imports
    job = imports.status(call.instance, params.get("programName"), params.get("listName"))
    if job.status is ImportStatus.PROCESSING:
        imports.resume()  # a job a dead process left goes on
    return {
        "result": {
            "status": job.status.value,
            "startedTime": _when(job.started_at),
            "endedTime": None if job.ended_at is None else _when(job.ended_at),
            "estimatedTime": None,
            "estimatedRows": len(job.rows),
            "rowsImported": job.imported,
            "rowsFailed": job.failed,
            "rowsIgnored": job.ignored,
            "importSummary": job.summary,
        }
    }


def _when(microseconds: int) -> datetime:
    return datetime.fromtimestamp(microseconds / 1_000_000, tz=UTC)
