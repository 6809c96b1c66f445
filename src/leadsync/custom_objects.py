"""Custom objects: types a user defines per instance, and their objects, each linked to
a lead.

``leadsync objects add NAME --key FIELD ... --field NAME:TYPE ...`` defines a type: its
fields (types as ``fields add``) and its keys (fields that, with the lead link
``MKTOID``, identify an object). syncCustomObjects, getCustomObjects and
deleteCustomObjects work on its objects; a merge moves the losers' objects to the
winner.
"""

from __future__ import annotations

from dataclasses import dataclass

from leadsync.fields import FieldType

LEAD_LINK = "MKTOID"  # the key naming the object's lead by id
MAX_OBJECTS = 100  # objects a sync or delete call, and a page of getCustomObjects


@dataclass(frozen=True, slots=True)
class ObjectType:
    id: int
    name: str
    keys: tuple[str, ...]  # besides MKTOID, in order
    fields: tuple[tuple[str, FieldType], ...]  # every field, keys included, in order

    def field_type(self, name: str) -> FieldType | None:
        return next((kind for field, kind in self.fields if field == name), None)


@dataclass(frozen=True, slots=True)
class CustomObject:
    id: int
    lead_id: int
    keys: tuple[str, ...]  # the values of ObjectType.keys, in order
    attributes: dict[str, str]  # the other fields' values, by name
    created_at: int
    updated_at: int
