"""Each instance's custom lead fields: added with their three names, removed with (or
refused for) the values leads hold."""

from __future__ import annotations

import re

from leadsync.fields import (
    STANDARD,
    FieldDef,
    FieldType,
    check_custom_field,
    display_name,
    rest_name,
)
from leadsync.store.base import Store

_REST_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,99}")
# REST names Marketo's own lead fields have beyond the SOAP ones (list-of-standard-fields.md).
_REST_ONLY = (
    "createdAt", "updatedAt", "emailInvalid", "emailInvalidCause", "inferredCity",
    "inferredMetropolitanArea", "inferredPhoneAreaCode", "inferredPostalCode",
    "inferredStateRegion", "isAnonymous", "priority", "relativeScore", "urgency", "id",
)  # fmt: skip


def add_custom_field(
    store: Store,
    instance: str,
    name: str,
    field_type: FieldType,
    added_at: int,
    rest: str | None = None,
    display: str | None = None,
) -> FieldDef:
    """Add the custom field ``name`` to ``instance``: its REST and display names given,
    or derived (``LoyaltyTier``: ``loyaltyTier``, ``Loyalty Tier``). ValueError says why
    a name cannot be."""
    catalog = store.catalog(instance)
    fields = catalog.fields
    check_custom_field(name, [f.name for f in fields if f.custom])
    rest = rest or rest_name(name)
    display = (display or display_name(name)).strip()
    if not _REST_RE.fullmatch(rest):
        raise ValueError(
            f"REST name {rest} must start with a letter and hold only letters, digits and "
            "underscores (at most 100)"
        )
    taken = {f.rest.casefold(): f.rest for f in fields} | {n.casefold(): n for n in _REST_ONLY}
    if rest.casefold() in taken:
        raise ValueError(f"the REST name {rest} is taken (by {taken[rest.casefold()]})")
    if not display or len(display) > 255:
        raise ValueError("a display name holds 1 to 255 characters")
    shown = {f.display.casefold() for f in fields} | {d.casefold() for _, _, d, _ in STANDARD}
    if display.casefold() in shown:
        raise ValueError(f"the display name {display} is taken")
    field = FieldDef(name, field_type, True, added_at, rest, display)
    store.add_field(instance, field)
    return field


def remove_custom_field(store: Store, instance: str, name: str, force: bool) -> int:
    """Remove the custom field ``name`` of ``instance``; how many leads held a value of it
    (removed with it). ValueError when there is no such field, or when leads hold values
    and ``force`` is not given."""
    if not any(f.custom and f.name == name for f in store.catalog(instance).fields):
        raise ValueError(f"no custom field {name} in the instance {instance}")
    holders = store.field_use(instance, name)
    if holders and not force:
        noun = "lead holds" if holders == 1 else "leads hold"
        raise ValueError(
            f"{holders:,} {noun} a value of {name}; remove the field and those values with --force"
        )
    store.remove_field(instance, name)
    return holders
