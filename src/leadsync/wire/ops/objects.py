"""The object operations: listMObjects, describeMObject (more with the objects issue)."""

from __future__ import annotations

from leadsync.service.objects import FieldInfo, ObjectInfo
from leadsync.wire.ops.registry import Answer, Call, handles


@handles("listMObjects")
def list_mobjects(call: Call) -> Answer:
    return {"result": {"objects": list(call.services.objects.names())}}


@handles("describeMObject")
def describe_mobject(call: Call) -> Answer:
    described = call.services.objects.describe(call.instance, call.params.get("objectName"))
    return {"result": {"metadata": _metadata(described)}}


def _metadata(described: ObjectInfo) -> dict[str, object]:
    return {
        "name": described.name,
        "description": described.description,
        "isCustom": described.is_custom,
        "isVirtual": described.is_virtual,
        "fieldList": [_field(field) for field in described.fields],
        "updatedAt": described.updated_at,
    }


def _field(field: FieldInfo) -> tuple[object, ...]:
    """An MObjFieldMetadata, in the schema's element order."""
    return (
        field.name,
        field.description,
        field.display_name,
        field.source_object,
        field.data_type,
        field.size,
        field.is_readonly,
        field.is_update_blocked,
        field.is_name,
        field.is_primary_key,
        field.is_custom,
        False,  # isDynamic
        None,  # dynamicFieldRef
        field.updated_at,
    )
