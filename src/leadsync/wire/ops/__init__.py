"""The operation handlers, grouped by family (leads, objects, ...); importing this
package registers every one of them in ``HANDLERS``."""

from __future__ import annotations

from leadsync.wire.ops import campaigns, custom_objects, history, leads, lists, merge, objects
from leadsync.wire.ops.registry import HANDLERS, Answer, Call, Handler, handles

__all__ = [
    "HANDLERS",
    "Answer",
    "Call",
    "Handler",
    "campaigns",
    "custom_objects",
    "handles",
    "history",
    "leads",
    "lists",
    "merge",
    "objects",
]
