"""The history operations: getLeadActivity and getLeadChanges."""

from __future__ import annotations

from typing import Any

from leadsync.activities import Activity
from leadsync.errors import LeadKeyRequired
from leadsync.service.history import StartPosition, TypeFilter
from leadsync.wire import decode, render
from leadsync.wire.envelope import children, local
from leadsync.wire.ops.leads import datetime_param, lead_selection, string_items
from leadsync.wire.ops.registry import Answer, Call, handles


@handles("getLeadActivity")
def get_lead_activity(call: Call) -> Answer:
    params = call.params
    key = params.get("leadKey")
    if not key or not key.get("keyType") or key.get("keyValue") is None:
        raise LeadKeyRequired("Lead key required: leadKey needs keyType and keyValue")
    page = call.services.history.lead_activity(
        call.instance,
        key["keyType"],
        key["keyValue"],
        _types(params),
        _start(params.get("startPosition")) or StartPosition(),
        params.get("batchSize"),
    )
    call.record.records = len(page.activities)
    return {
        "leadActivityList": {
            "returnCount": len(page.activities),
            "remainingCount": page.remaining,
            "newStartPosition": _position(page.position),
            "activityRecordList": render.activity_records(page.activities, changes=False),
        }
    }


@handles("getLeadChanges")
def get_lead_changes(call: Call) -> Answer:
    params = call.params
    selector = params.get("leadSelector")
    page = call.services.history.lead_changes(
        call.instance,
        _start(params.get("startPosition")),
        _types(params, _name_filter(call)),
        None if not selector else lead_selection(selector),
        params.get("batchSize"),
    )
    call.record.records = len(page.activities)
    return {
        "result": {
            "returnCount": len(page.activities),
            "remainingCount": page.remaining,
            "newStartPosition": _position(page.position),
            "leadChangeRecordList": render.activity_records(page.activities, changes=True),
        }
    }


def _name_filter(call: Call) -> tuple[str, ...] | None:
    """activityNameFilter, which 2_2's schema lacks (2_3 added it): read on every path."""
    for child in children(call.envelope.body):
        if local(child) == "activityNameFilter" and not decode.is_nil(child):
            names = tuple(string_items(decode.decode(child, "ArrayOfString")))
            return names or None
    return None


def _types(params: dict[str, Any], names: tuple[str, ...] | None = None) -> TypeFilter:
    given = params.get("activityFilter") or {}

    def listed(name: str) -> tuple[str, ...] | None:
        values = tuple(
            v.strip() for v in (given.get(name) or {}).get("activityType", []) if v and v.strip()
        )
        return values or None

    return TypeFilter(listed("includeTypes"), listed("excludeTypes"), names)


def _start(position: dict[str, Any] | None) -> StartPosition | None:
    """A StreamPosition as sent; empty elements are absent, as Marketo's samples send them."""
    if position is None:
        return None
    offset = position.get("offset")
    return StartPosition(
        latest=datetime_param("latestCreatedAt", position.get("latestCreatedAt")),
        oldest=datetime_param("oldestCreatedAt", position.get("oldestCreatedAt")),
        activity_created=datetime_param("activityCreatedAt", position.get("activityCreatedAt")),
        offset=offset.strip() if offset and offset.strip() else None,
    )


def _position(position: StartPosition) -> tuple[Any, ...]:
    return (position.latest, position.oldest, position.activity_created, position.offset)


def _attributes(activity: Activity) -> list[tuple[str, None, str]]:
    """activityAttributes: attrType nil, an empty value as an empty element."""
    return [(name, None, value or "") for name, value in activity.attributes()]


def activity_record(activity: Activity) -> tuple[Any, ...]:
    """An ActivityRecord in the schema's shape: what render.activity_records writes fast."""
    return (
        activity.id,
        activity.created_at,
        activity.kind_info.name,
        activity.asset,
        _attributes(activity),
        activity.campaign or "",
        None,  # personName
        str(activity.lead_id),
        None,  # foreignSysId
        None,  # orgName
        None,  # foreignSysOrgId
    )


def change_record(activity: Activity) -> tuple[Any, ...]:
    """A LeadChangeRecord in the schema's shape (render.activity_records writes it fast)."""
    return (
        activity.id,
        activity.created_at,
        activity.kind_info.name,
        activity.asset,
        _attributes(activity),
        activity.campaign,
        str(activity.lead_id),
    )
