"""The lead operations: syncMultipleLeads, syncLead, getLead, getMultipleLeads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from leadsync.errors import (
    BadParameter,
    LeadDetailRequired,
    LeadKeyRequired,
    ParameterRequired,
)
from leadsync.fields import Catalog
from leadsync.model import Lead, SyncStatus, blank
from leadsync.service.reads import Selection
from leadsync.wire import decode, leads, render
from leadsync.wire.envelope import Envelope, children, local
from leadsync.wire.ops.registry import Answer, Call, handles
from leadsync.words import quoted


def lead_record(
    lead: Lead, catalog: Catalog, include: Collection[str] | None = None
) -> tuple[Any, ...]:
    """A LeadRecord as Marketo returns it: keys (nil when empty), then the attributes with
    their types, by name; empty strings are left out, as Marketo does."""
    attributes = [
        (name, catalog.type_of(name).value, value)
        for name, value in sorted(lead.attributes.items())
        if value != "" and (include is None or name in include)
    ]
    return (lead.id, lead.email, lead.foreign_sys_person_id, lead.foreign_sys_type, attributes)


def _status(status: SyncStatus) -> tuple[Any, ...]:
    return (status.lead_id, status.status, status.error)


@handles("syncMultipleLeads")
def sync_multiple_leads(call: Call) -> Answer:
    envelope, settings = call.envelope, call.settings
    records, dedup = leads.sync_multiple_leads(
        envelope, settings.max_batch, settings.max_attributes
    )
    call.record.records = len(records)
    statuses = call.services.leads.sync_multiple(call.instance, records, dedup)
    call.record.statuses = dict(Counter(status.status.value for status in statuses))
    return render.sync_multiple_leads(statuses)


@handles("syncLead")
def sync_lead(call: Call) -> Answer:
    _check_workspace(call.envelope)
    element = next((c for c in children(call.envelope.body) if local(c) == "leadRecord"), None)
    if element is None:
        raise LeadDetailRequired("Lead detail required: leadRecord is missing")
    params = call.params
    if "returnLead" not in params:
        raise ParameterRequired("Parameter required: returnLead")
    record = leads.lead_record(element, call.settings.max_attributes)
    record = record._replace(cookie=params.get("marketoCookie") or None)
    call.record.records = 1
    synced = call.services.leads.sync_one(call.instance, record)
    call.record.statuses = {synced.status.status.value: 1}
    returned = synced.lead if params["returnLead"] else None
    return {
        "result": {
            "leadId": synced.status.lead_id,
            "syncStatus": _status(synced.status),
            "leadRecord": None if returned is None else lead_record(returned, synced.catalog),
        }
    }


@handles("getLead")
def get_lead(call: Call) -> Answer:
    key = call.params.get("leadKey")
    if not key or not key.get("keyType") or key.get("keyValue") is None:
        raise LeadKeyRequired("Lead key required: leadKey needs keyType and keyValue")
    found = call.services.leads.get(call.instance, key["keyType"], key["keyValue"])
    call.record.records = len(found.leads)
    records = [lead_record(lead, found.catalog) for lead in found.leads]
    return {"result": {"count": len(records), "leadRecordList": records}}


def lead_selection(selector: dict[str, Any]) -> Selection:
    """A decoded leadSelector (LeadKeySelector, LastUpdateAtSelector, StaticListSelector)."""
    kind = selector.get(decode.TYPE_KEY)
    if kind == "LastUpdateAtSelector" and selector.get("oldestUpdatedAt") is None:
        raise ParameterRequired(
            "Parameter required: oldestUpdatedAt (a LastUpdateAtSelector needs it)"
        )
    if kind == "LeadKeySelector" and not selector.get("keyType"):
        raise LeadKeyRequired("Lead key required: LeadKeySelector needs keyType")
    return Selection(
        key_type=selector.get("keyType") if kind == "LeadKeySelector" else None,
        key_values=tuple(string_items(selector.get("keyValues"))),
        oldest=datetime_param("oldestUpdatedAt", selector.get("oldestUpdatedAt")),
        latest=datetime_param("latestUpdatedAt", selector.get("latestUpdatedAt")),
        static_list=(
            str(selector.get("staticListName") or "")
            if kind == "StaticListSelector" and selector.get("staticListId") is None
            else None
        ),
        static_list_id=selector.get("staticListId") if kind == "StaticListSelector" else None,
    )


@handles("getMultipleLeads")
def get_multiple_leads(call: Call) -> Answer:
    params = call.params
    selector = params.get("leadSelector") or {}
    selection = lead_selection(selector)
    if not selector.get(decode.TYPE_KEY) and selection.oldest is None:
        # the deprecated top-level lastUpdatedAt
        selection = replace(
            selection, oldest=datetime_param("lastUpdatedAt", params.get("lastUpdatedAt"))
        )
    selection = replace(
        selection,
        stream_position=params.get("streamPosition") or None,
        batch_size=params.get("batchSize"),
    )
    include = (params.get("includeAttributes") or {}).get("stringItem")
    wanted = None if include is None else {item for item in include if not blank(item)}
    found = call.services.leads.page(
        call.instance, selection, call.now_us, call.settings.max_update_window_days
    )
    page = found.page
    call.record.records = len(page.leads)
    return {
        "result": {
            "returnCount": len(page.leads),
            "remainingCount": page.remaining,
            "newStreamPosition": page.stream_position,
            "leadRecordList": render.lead_records(
                [lead_record(lead, found.catalog, wanted) for lead in page.leads]
            ),
        }
    }


def string_items(array: dict[str, Any] | None) -> Iterable[str]:
    """The non-blank stringItems of an ArrayOfString."""
    return (item for item in (array or {}).get("stringItem", []) if not blank(item))


def datetime_param(name: str, value: str | None) -> datetime | None:
    """The xs:dateTime element ``name``; one without an offset is taken as UTC. An empty
    one is absent."""
    if value is None or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadParameter(
            f"Bad parameter: {name} must be an xs:dateTime such as "
            f"2013-08-01T00:00:00-07:00, not {quoted(value)}"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _check_workspace(envelope: Envelope) -> None:
    """syncLead's optional MktowsContextHeader: leadsync has the one workspace, Default."""
    header = envelope.headers.get("MktowsContextHeader")
    if header is None:
        return
    workspace = decode.decode(header, "MktowsContextHeaderInfo").get("targetWorkspace")
    if workspace is not None and workspace.strip().lower() != "default":
        raise BadParameter(
            f"Bad parameter: targetWorkspace {quoted(workspace)} does not exist; leadsync has "
            "the Default workspace only"
        )
