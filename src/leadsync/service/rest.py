"""What the REST API asks of the store beyond the services the SOAP operations share:
the upserts (service/upsert.py), Get Leads by Filter Type, Get Lead by Id, Delete Leads,
and the listings (lists and their members, campaigns, programs, custom object types)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from leadsync.activities import REST_API, Origin
from leadsync.campaigns import Campaign
from leadsync.custom_objects import ObjectType
from leadsync.errors import BadParameter, FieldNotSupported
from leadsync.fields import Catalog, FieldType
from leadsync.lists import Program, StaticList
from leadsync.model import Lead, email_key
from leadsync.service import upsert
from leadsync.service.sync import MAX_ATTEMPTS
from leadsync.store.base import LeadQuery, Store, TransientStoreError
from leadsync.words import quoted

MAX_FILTER_VALUES = 300
MAX_FILTER_MATCHES = 1000  # Marketo: "1003, Too many results match the filter"
MAX_DELETES = 300
_FILTER_TYPES = frozenset({FieldType.STRING, FieldType.INTEGER})


@dataclass(frozen=True, slots=True)
class Deleted:
    lead_id: int
    deleted: bool  # False: no such lead (1004)


class RestService:
    def __init__(self, store: Store) -> None:
        self._store = store

    def stream_key(self) -> bytes:
        """The key paging tokens are sealed with (every process on the store has it)."""
        return self._store.stream_key()

    def lists(self, instance: str) -> list[StaticList]:
        return sorted(self._store.list_lists(instance), key=lambda item: item.id)

    def list_leads(
        self, instance: str, list_id: int, after_id: int, limit: int
    ) -> tuple[list[Lead], int]:
        """A page of the list's members by id, and how many follow."""
        query = LeadQuery(max_id=2**63 - 1, list_id=list_id)
        return self._store.page_leads(instance, query, after_id, limit)

    def existing(self, instance: str, lead_ids: Sequence[int]) -> set[int]:
        """Which of these ids are the instance's leads."""
        return {lead.id for lead in self._store.read_leads(instance, ids=lead_ids)}

    def members(self, list_id: int, lead_ids: Sequence[int]) -> set[int]:
        return self._store.members_of(list_id, lead_ids)

    def campaigns(self, instance: str) -> list[Campaign]:
        return sorted(self._store.list_campaigns(instance), key=lambda c: c.id)

    def programs(self, instance: str) -> list[Program]:
        return sorted(self._store.list_programs(instance), key=lambda p: p.id)

    def object_types(self, instance: str) -> list[ObjectType]:
        return self._store.object_types(instance)

    def catalog(self, instance: str) -> Catalog:
        return self._store.catalog(instance)

    def upsert(
        self,
        instance: str,
        inputs: Sequence[object],
        action: upsert.Action,
        lookup_field: str,
        origin: Origin = REST_API,
    ) -> list[upsert.Outcome]:
        return upsert.upsert_leads(
            self._store, instance, inputs, action, lookup_field, origin=origin
        )

    def by_id(self, instance: str, lead_id: int) -> Lead | None:
        found = self._store.read_leads(instance, ids=[lead_id])
        return found[0] if found else None

    def by_filter(self, instance: str, filter_type: str, values: Sequence[str]) -> list[Lead]:
        """The leads whose ``filter_type`` field (id, email, cookies, or a custom string
        or integer field) holds one of ``values``, by id."""
        if not values:
            raise BadParameter("filterValues cannot be blank")
        if len(values) > MAX_FILTER_VALUES:
            raise BadParameter(
                f"Invalid value: {len(values)} filterValues; at most {MAX_FILTER_VALUES}"
            )
        folded = filter_type.casefold()
        if folded == "id":
            bad = [v for v in values if not v.isdigit()]
            if bad:
                raise BadParameter(f"Invalid value {quoted(bad[0])}. Required of type 'integer'")
            leads = self._store.read_leads(instance, ids=[int(v) for v in values])
        elif folded == "email":
            leads = self._store.read_leads(instance, email_keys=[email_key(v) for v in values])
        elif folded in ("cookie", "cookies"):
            leads = self._store.read_leads(instance, cookies=list(values))
        else:
            field = upsert.rest_fields(self.catalog(instance)).get(folded)
            if field is None or not field.custom or field.type not in _FILTER_TYPES:
                raise FieldNotSupported(f"Field {quoted(filter_type)} not supported")
            leads = self._store.read_by_field(instance, field.name, values)
        if len(leads) > MAX_FILTER_MATCHES:
            raise BadParameter("Too many results match the filter")
        return sorted(leads, key=lambda lead: lead.id)

    def delete(self, instance: str, lead_ids: Sequence[int]) -> list[Deleted]:
        """Delete the leads (and their memberships, history and objects) in one
        transaction; an id no lead has is reported, not an error."""
        if len(lead_ids) > MAX_DELETES:
            raise BadParameter(f"Invalid value: {len(lead_ids)} leads; at most {MAX_DELETES}")
        attempt = 1
        while True:
            try:
                with self._store.write(instance) as writer:
                    found = {lead.id for lead in writer.find_leads(lead_ids, (), ())}
                    writer.delete_leads(found)
                return [Deleted(i, i in found) for i in lead_ids]
            except TransientStoreError:
                if attempt == MAX_ATTEMPTS:
                    raise
                attempt += 1
