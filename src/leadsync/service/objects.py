"""Marketo's objects and their metadata: listMObjects and describeMObject.

``LeadRecord`` is described from the store's field catalog. The other three are fixed:
``ActivityRecord`` as Marketo's describeMObject sample lists it (soap-api/describemobject.md),
``Opportunity`` and ``OpportunityPersonRole`` with the fields Marketo synced from a CRM
(leadsync's choice where Marketo published no describe answer: docs/compatibility.md).
Fixed metadata is dated when the store was made, as its standard lead fields are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from leadsync.errors import BadParameter, ParameterRequired
from leadsync.fields import STRING_MAX_CHARS, TEXT_MAX_BYTES, Catalog, FieldDef, FieldType
from leadsync.model import blank
from leadsync.store.base import Store

OBJECTS = ("ActivityRecord", "LeadRecord", "Opportunity", "OpportunityPersonRole")
ALIASES = {"OpportunityLeadRole": "OpportunityPersonRole"}  # the WSDL's MObjectTypeEnum name


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """One field of describeMObject's answer."""

    name: str
    data_type: str
    size: int | None = None
    description: str | None = None
    display_name: str | None = None
    source_object: str | None = None
    is_readonly: bool = False
    is_update_blocked: bool = False
    is_name: bool = False
    is_primary_key: bool = False
    is_custom: bool = False
    updated_at: int = 0  # microseconds since the epoch; 0: when the store was made


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """describeMObject's answer for one object."""

    name: str
    description: str | None
    is_virtual: bool
    fields: tuple[FieldInfo, ...]
    updated_at: int
    is_custom: bool = False


def _field(
    source: str,
    name: str,
    data_type: str,
    size: int | None,
    description: str | None = None,
    *,
    readonly: bool = False,
    is_name: bool = False,
    key: bool = False,
) -> FieldInfo:
    """A fixed field; read-only fields are update-blocked too, as in Marketo's sample."""
    return FieldInfo(
        name,
        data_type,
        size,
        description,
        display_name=None if description else name,
        source_object=source,
        is_readonly=readonly or key,
        is_update_blocked=readonly or key,
        is_name=is_name,
        is_primary_key=key,
    )


_FIXED_FIELDS: dict[str, tuple[FieldInfo, ...]] = {
    # As soap-api/describemobject.md's sample answer lists them.
    "ActivityRecord": (
        _field("Event", "id", "integer", 10, "Unique system id of Event", key=True),
        _field("Event", "activityDateTime", "dateTime", None, "Event timestamp", readonly=True),
        _field(
            "Event", "activityType", "string", 255, "Name of Event", readonly=True, is_name=True
        ),
        _field(
            "Event",
            "mktgAssetName",
            "string",
            255,
            "Name of email, landing page, or object field",
            readonly=True,
        ),
        _field(
            "Event",
            "activityAttributes",
            "Array",
            None,
            "Array of name / value pairs of dynamic event attributes",
            readonly=True,
        ),
        _field(
            "Campaign",
            "campaign",
            "string",
            255,
            "Name of Campaign that caused the Event",
            readonly=True,
        ),
        _field(
            "Lead", "personName", "string", 255, "Name of Lead that owns the Event", readonly=True
        ),
        _field("Lead", "mktPersonId", "integer", 10, "Unique system id of Lead", readonly=True),
        _field(
            "Lead", "foreignSysId", "string", 50, "Unique foreign system id of Lead", readonly=True
        ),
        _field(
            "Company",
            "orgName",
            "string",
            255,
            "Name of Company associated to the Lead",
            readonly=True,
        ),
        _field(
            "Company",
            "foreignSysOrgId",
            "string",
            50,
            "Unique foreign system id of Company",
            readonly=True,
        ),
    ),
    "Opportunity": tuple(
        _field(
            "Opportunity",
            name,
            data_type,
            size,
            readonly=readonly,
            is_name=name == "Name",
            key=name == "Id",
        )
        for name, data_type, size, readonly in (
            ("Id", "integer", 10, True),
            ("ExternalOpportunityId", "string", 50, False),
            ("Name", "string", STRING_MAX_CHARS, False),
            ("Description", "string", 2000, False),
            ("Type", "string", STRING_MAX_CHARS, False),
            ("Stage", "string", STRING_MAX_CHARS, False),
            ("Amount", "currency", None, False),
            ("ExpectedRevenue", "currency", None, False),
            ("Probability", "integer", 10, False),
            ("CloseDate", "date", None, False),
            ("IsClosed", "boolean", None, False),
            ("IsWon", "boolean", None, False),
            ("LeadSource", "string", STRING_MAX_CHARS, False),
            ("NextStep", "string", STRING_MAX_CHARS, False),
            ("ForecastCategoryName", "string", STRING_MAX_CHARS, False),
            ("FiscalQuarter", "integer", 10, False),
            ("FiscalYear", "integer", 10, False),
            ("CreatedAt", "dateTime", None, True),
            ("UpdatedAt", "dateTime", None, True),
        )
    ),
    "OpportunityPersonRole": tuple(
        _field(
            "OpportunityPersonRole", name, data_type, size, is_name=name == "Role", key=name == "Id"
        )
        for name, data_type, size in (
            ("Id", "integer", 10),
            ("OpportunityId", "integer", 10),
            ("PersonId", "integer", 10),
            ("Role", "string", STRING_MAX_CHARS),
            ("IsPrimary", "boolean", None),
            ("ExternalCreatedDate", "dateTime", None),
        )
    ),
    "Program": tuple(
        _field(
            "Program",
            name,
            data_type,
            size,
            readonly=True,
            is_name=name == "Name",
            key=name == "Id",
        )
        for name, data_type, size in (
            ("Id", "integer", 10),
            ("Name", "string", STRING_MAX_CHARS),
            ("Type", "string", STRING_MAX_CHARS),
        )
    ),
}
_DESCRIPTIONS = {
    "Program": "A program of leadsync programs add: its tags, costs and tokens as typeAttribs",
    "ActivityRecord": "Composite object composed of fields from Event, Campaign, Lead, and Company",
    "Opportunity": "A sales opportunity, with the leads who have a role in it",
    "OpportunityPersonRole": "The role a lead has in an opportunity",
}
_VIRTUAL = frozenset({"ActivityRecord", "LeadRecord"})

# describeMObject's dataType and size of each lead field type.
_LEAD_TYPES = {
    FieldType.STRING: ("string", STRING_MAX_CHARS),
    FieldType.TEXT: ("text", TEXT_MAX_BYTES),
    FieldType.INTEGER: ("integer", 10),
    FieldType.FLOAT: ("float", None),
    FieldType.BOOLEAN: ("boolean", None),
    FieldType.DATE: ("date", None),
    FieldType.DATETIME: ("dateTime", None),
}


def _lead_field(field: FieldDef) -> FieldInfo:
    data_type, size = _LEAD_TYPES[field.type]
    return FieldInfo(
        field.name,
        data_type,
        size,
        display_name=field.name,
        is_custom=field.custom,
        updated_at=field.added_at,
    )


class ObjectService:
    """The objects a client may describe, and their fields."""

    def __init__(self, store: Store, catalog_of: Callable[[str], Catalog] | None = None) -> None:
        """``catalog_of``: where an instance's fields come from (the store's catalog; the
        upstream's in relay mode)."""
        self._store = store
        self._catalog_of = catalog_of or store.catalog

    def names(self) -> tuple[str, ...]:
        """listMObjects: what describeMObject answers for."""
        return OBJECTS

    def describe(self, instance: str, name: str | None) -> ObjectInfo:
        """describeMObject in ``instance`` (its catalog): 20109 without a name, 20110 for
        one it does not know."""
        if name is None or blank(name):
            raise ParameterRequired("Parameter required: objectName")
        known = ALIASES.get(name, name)
        catalog = self._catalog_of(instance)
        if known == "LeadRecord":
            fields = tuple(_lead_field(field) for field in catalog.fields)
            latest = max(field.updated_at for field in fields)
            return ObjectInfo("LeadRecord", None, True, fields, latest)
        if known not in _FIXED_FIELDS:
            raise BadParameter(
                f"Bad parameter: objectName {name} is not an object describeMObject knows: "
                f"use {', '.join(OBJECTS)} or Program"
            )
        born = catalog.created_at
        fixed = tuple(replace(field, updated_at=born) for field in _FIXED_FIELDS[known])
        return ObjectInfo(known, _DESCRIPTIONS[known], known in _VIRTUAL, fixed, born)
