"""The lead operations relayed: syncMultipleLeads and syncLead as REST Sync Leads calls,
getLead and getMultipleLeads (LeadKeySelector, StaticListSelector) as REST reads.

syncMultipleLeads' records are grouped by their key under SOAP's precedence: an Id is
``updateOnly`` by ``id``; a ForeignSysPersonId is ``createOrUpdate`` by the custom field
``--upstream-foreign-id-field`` (REST has no such key; without the option those records
fail); an Email is ``createOrUpdate`` by email (``createDuplicate`` when dedupEnabled is
false). Each group is one REST call; the statuses come back in input order, a skipped
record FAILED with the upstream's reason. An answer is sent only once every call has
answered: nothing is acknowledged that the upstream did not confirm.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import orjson

from leadsync.errors import (
    BadStreamPosition,
    LeadNotFound,
    UnknownLeadField,
    UnsupportedOperation,
)
from leadsync.fields import Catalog, FieldType
from leadsync.model import Lead, LeadRecord, SyncStatus, SyncStatusCode
from leadsync.relay.catalog import UpstreamCatalog
from leadsync.relay.upstream import Upstream
from leadsync.service.keys import LeadKey
from leadsync.service.leads import FoundLeads, LeadPage, LeadService, SyncedLead
from leadsync.service.mirror import mirror_leads
from leadsync.service.reads import DEFAULT_BATCH, Page, Selection
from leadsync.store.base import Store
from leadsync.words import quoted

_KEY_FILTERS = {"IDNUM": "id", "EMAIL": "email", "COOKIE": "cookies"}
MAX_PAGE = 300  # REST's page of leads


class RelayLeadService(LeadService):
    """LeadService's operations on the upstream instead of a store."""

    def __init__(
        self, upstream: Upstream, catalog: UpstreamCatalog, mirror: Store | None = None
    ) -> None:
        """``mirror``: the local store that --relay-mirror writes confirmed leads to."""
        self._upstream = upstream
        self._fields = catalog
        self._foreign = upstream.settings.upstream_foreign_id_field
        self._mirror = mirror

    @property
    def catalog(self) -> Catalog:
        return self._fields.catalog

    @property
    def upstream_fields(self) -> UpstreamCatalog:
        return self._fields

    # -- writes ----------------------------------------------------------------

    def sync_multiple(
        self, instance: str, records: Sequence[LeadRecord], dedup: bool
    ) -> list[SyncStatus]:
        statuses: list[SyncStatus | None] = [None] * len(records)
        groups: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}
        for index, record in enumerate(records):
            try:
                (action, lookup), item = self._rest_record(record, dedup)
            except _Refused as refused:
                statuses[index] = SyncStatus(0, SyncStatusCode.FAILED, str(refused))
                continue
            groups.setdefault((action, lookup), []).append((index, item))
        for (action, lookup), items in groups.items():
            answer = self._upstream.call(
                "POST",
                "/rest/v1/leads.json",
                body={"action": action, "lookupField": lookup, "input": [i for _, i in items]},
                idempotent=action != "createDuplicate",
            )
            results = answer.get("result", [])
            for (index, _), result in zip(items, results, strict=False):
                statuses[index] = _status(result)
        answered = [
            s if s is not None else SyncStatus(0, SyncStatusCode.FAILED, "no answer upstream")
            for s in statuses
        ]
        if self._mirror is not None:
            confirmed = [
                (s.lead_id, r)
                for s, r in zip(answered, records, strict=True)
                if s.status is not SyncStatusCode.FAILED
            ]
            mirror_leads(self._mirror, instance, confirmed)
        return answered

    def _rest_record(
        self, record: LeadRecord, dedup: bool
    ) -> tuple[tuple[str, str], dict[str, Any]]:
        if record.problem:
            raise _Refused(record.problem)
        item: dict[str, Any] = {}
        unknown = sorted(a.name for a in record.attributes if a.name not in self._fields.rest_of)
        if unknown:
            raise _Refused(f"unknown fields for import: {', '.join(unknown)}")
        for attribute in record.attributes:
            item[self._fields.rest_of[attribute.name]] = attribute.value
        if record.email:
            item["email"] = record.email
        if record.id is not None:
            item["id"] = record.id
            return ("updateOnly", "id"), item
        if record.foreign_sys_person_id:
            if not self._foreign:
                raise _Refused(
                    "ForeignSysPersonId has no REST equivalent: start the relay with"
                    " --upstream-foreign-id-field NAME (a custom field upstream)"
                )
            item[self._foreign] = record.foreign_sys_person_id
            return ("createOrUpdate", self._foreign), item
        if record.email:
            return ("createOrUpdate" if dedup else "createDuplicate", "email"), item
        raise _Refused("lead record has no key: give Id, ForeignSysPersonId or Email")

    def sync_one(self, instance: str, record: LeadRecord) -> SyncedLead:
        unknown = sorted(a.name for a in record.attributes if a.name not in self._fields.rest_of)
        if unknown:
            raise UnknownLeadField(
                f"syncLead operation failed: unknown fields for import: {', '.join(unknown)}"
            )
        [status] = self.sync_multiple(instance, [record], dedup=True)
        lead = None
        if status.status is not SyncStatusCode.FAILED:
            found = self._read("id", [str(status.lead_id)])
            lead = found[0] if found else None
        return SyncedLead(status, lead, self.catalog)

    # -- reads -----------------------------------------------------------------

    def resolve(self, keys: Sequence[LeadKey]) -> dict[LeadKey, int]:
        """The upstream lead id each key names (IDNUM, EMAIL, COOKIE), for those that
        name one; an email several leads hold names the most recently created."""
        by_type: dict[str, list[str]] = {}
        for key in keys:
            if key.type in _KEY_FILTERS and key.value.strip():
                by_type.setdefault(key.type, []).append(key.value.strip())
        found: dict[LeadKey, int] = {}
        for key_type, values in by_type.items():
            # A cookie is no field a lead answers with: one read per cookie.
            reads = [[v] for v in values] if key_type == "COOKIE" else [values]
            for chunk in reads:
                leads = self._read(_KEY_FILTERS[key_type], chunk, "id,email")
                for key in keys:
                    value = key.value.strip()
                    if key.type != key_type or (key_type == "COOKIE" and value != chunk[0]):
                        continue
                    matches = [
                        lead.id
                        for lead in leads
                        if key_type == "COOKIE"
                        or (key_type == "IDNUM" and str(lead.id) == value)
                        or (
                            key_type == "EMAIL"
                            and (lead.email or "").casefold() == value.casefold()
                        )
                    ]
                    if matches:
                        found[key] = max(matches)
        return found

    def _names(self) -> str:
        names = ["id", "email", "createdAt", "updatedAt", *self._fields.soap_of]
        if self._foreign:
            names.append(self._foreign)
        return ",".join(dict.fromkeys(names))

    def _read(self, filter_type: str, values: Sequence[str], names: str = "") -> list[Lead]:
        answer = self._upstream.call(
            "POST",
            "/rest/v1/leads.json",
            params={"_method": "GET"},
            form={
                "filterType": filter_type,
                "filterValues": ",".join(values),
                "fields": names or self._names(),
            },
        )
        return [self._lead(item) for item in answer.get("result", [])]

    def _lead(self, item: dict[str, Any]) -> Lead:
        attributes: dict[str, str] = {}
        for rest, value in item.items():
            soap = self._fields.soap_of.get(rest)
            if soap is None or soap == "Email" or value is None:
                continue
            attributes[soap] = _text(value, self.catalog.type_of(soap))
        foreign = item.get(self._foreign) if self._foreign else None
        return Lead(
            int(item["id"]),
            item.get("email"),
            None if foreign is None else str(foreign),
            "CUSTOM" if foreign is not None else None,
            attributes,
        )

    def get(self, instance: str, key_type: str, key_value: str) -> FoundLeads:
        filter_type = _KEY_FILTERS.get(key_type)
        if filter_type is None:
            raise UnsupportedOperation(
                f"Unsupported operation: the upstream's REST API has no lead key {key_type}"
            )
        leads = self._read(filter_type, [key_value.strip()])
        if not leads:
            raise LeadNotFound(f"No lead found with {key_type} = {key_value}")
        return FoundLeads(leads, self.catalog)

    def page(
        self, instance: str, selection: Selection, now_us: int, max_window_days: int
    ) -> LeadPage:
        if selection.key_type is None:
            raise UnsupportedOperation(
                "Unsupported operation: the relay reads leads by LeadKeySelector only (the"
                " upstream's REST API has no update-time filter for leads)"
            )
        filter_type = _KEY_FILTERS.get(selection.key_type)
        if filter_type is None:
            raise UnsupportedOperation(
                f"Unsupported operation: the upstream's REST API has no lead key"
                f" {selection.key_type}"
            )
        size = min(selection.batch_size or DEFAULT_BATCH, MAX_PAGE)
        start = 0
        if selection.stream_position:
            start = _unseal(selection.stream_position)
        values = list(selection.key_values)
        leads = [lead for lead in self._read(filter_type, values) if lead.id > start]
        page = leads[:size]
        remaining = len(leads) - len(page)
        position = _seal(page[-1].id) if remaining else ""
        return LeadPage(Page(page, remaining, position), self.catalog)


class _Refused(Exception):
    """A record the relay cannot send: FAILED with this text."""


def _status(result: dict[str, Any]) -> SyncStatus:
    status = result.get("status")
    if status == "created":
        return SyncStatus(int(result["id"]), SyncStatusCode.CREATED)
    if status == "updated":
        return SyncStatus(int(result["id"]), SyncStatusCode.UPDATED)
    reasons = result.get("reasons") or [{}]
    first = reasons[0] if reasons else {}
    return SyncStatus(
        0,
        SyncStatusCode.FAILED,
        f"upstream {first.get('code', '?')}: {first.get('message', 'skipped')}",
    )


def _text(value: object, kind: FieldType) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and kind is FieldType.INTEGER and value.is_integer():
        return str(int(value))
    return str(value)


def _seal(last_id: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"relay": last_id})).decode()


def _unseal(position: str) -> int:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(position.strip()))
        return int(data["relay"])
    except (ValueError, KeyError, TypeError):
        raise BadStreamPosition(
            f"Bad stream position: {quoted(position[:40])} is not one this relay issued"
        ) from None
