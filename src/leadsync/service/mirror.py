"""Relay mode's ``--relay-mirror``: what the upstream confirmed, written to the local
store under the upstream's lead ids, so a team can inspect what passed.

A mirror write is best effort: the upstream has confirmed the records already, so a
failure here is logged and never fails the SOAP call. Mirrored leads carry their values
and keys, not history (the upstream keeps that).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from leadsync.model import Lead, LeadRecord
from leadsync.store.base import Store

log = logging.getLogger("leadsync.relay")


def mirror_leads(store: Store, instance: str, confirmed: Sequence[tuple[int, LeadRecord]]) -> None:
    """Create or update each lead (upstream id, the record as sent) in the local store."""
    if not confirmed:
        return
    now = time.time_ns() // 1000
    try:
        with store.write(instance) as writer:
            found = {lead.id: lead for lead in writer.find_leads([i for i, _ in confirmed], (), ())}
            created: dict[int, Lead] = {}
            updated: dict[int, Lead] = {}
            for lead_id, record in confirmed:
                lead = found.get(lead_id)
                if lead is None:
                    lead = Lead(lead_id, None, None, None, {}, now, now, None, instance)
                    found[lead_id] = created[lead_id] = lead
                elif lead_id not in created:
                    updated[lead_id] = lead
                for attribute in record.attributes:
                    if attribute.name == "Email":
                        lead.email = attribute.value or None
                    elif attribute.value is None:
                        lead.attributes.pop(attribute.name, None)
                    else:
                        lead.attributes[attribute.name] = attribute.value
                if record.email:
                    lead.email = record.email
                if record.foreign_sys_person_id:
                    lead.foreign_sys_person_id = record.foreign_sys_person_id
                    lead.foreign_sys_type = record.foreign_sys_type or lead.foreign_sys_type
                lead.updated_at = now
            writer.insert_leads(list(created.values()))
            writer.update_leads(list(updated.values()), (), set(updated))
    except Exception:  # the upstream confirmed them: the SOAP call stands
        log.exception("mirroring %d confirmed leads to the local store failed", len(confirmed))
