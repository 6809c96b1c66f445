"""Invariants, checked over generated inputs (hypothesis)."""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from leadsync.config import Settings
from leadsync.http.app import create_app
from leadsync.model import Attribute, LeadRecord, email_key
from leadsync.service.sync import sync_multiple_leads
from leadsync.store import SqliteStore
from tests.examples import cases
from tests.soap import DEMO_SECRET, DEMO_USER, read_statuses, sync_request

# Any text XML 1.0 can carry: no control characters but tab, newline; no surrogates.
# (A bare carriage return would be normalised to a newline by any XML parser.)
xml_text = st.text(
    st.characters(codec="utf-8", exclude_characters="\r\ufffe\uffff", min_codepoint=0x9).filter(
        lambda c: c in "\t\n" or ord(c) >= 0x20
    ),
    max_size=40,
)
emails = st.sampled_from(["a@x.com", "A@x.com", "b@x.com", "c@y.org", " c@y.org"])
foreign_ids = st.sampled_from(["F1", "F2", "F3"])
records = st.builds(
    LeadRecord,
    id=st.none() | st.integers(1, 6),
    email=st.none() | emails,
    foreign_sys_person_id=st.none() | foreign_ids,
    attributes=st.lists(
        st.builds(Attribute, st.sampled_from(["Company", "Phone", "Title"]), xml_text),
        max_size=3,
    ).map(tuple),
)
batches = st.lists(records, min_size=1, max_size=12)
SLOW = cases(60)


@contextmanager
def fresh_store() -> Iterator[SqliteStore]:
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(str(Path(tmp) / "p.db"))
        try:
            yield store
        finally:
            store.close()


@SLOW
@given(st.lists(batches, min_size=1, max_size=4))
def test_with_dedup_no_email_ever_has_two_leads(calls: list[list[LeadRecord]]) -> None:
    with fresh_store() as store:
        for call in calls:
            # Email-only records: the only path that may create by email.
            only_email = [LeadRecord(email=r.email, attributes=r.attributes) for r in call]
            sync_multiple_leads(store, only_email, dedup=True)
        per_email = Counter(email_key(lead.email) for lead in store.iter_leads() if lead.email)
        assert all(count == 1 for count in per_email.values()), per_email


@SLOW
@given(batches)
def test_syncing_the_same_batch_twice_changes_nothing_the_second_time(
    batch: list[LeadRecord],
) -> None:
    with fresh_store() as store:
        # Each record keyed by one kind: email alone or foreign id alone. (Ids may not
        # exist yet; and an email record may legitimately dedup onto a lead that a
        # foreign-id record of the same batch created, since that one is newer.)
        keyed = [
            LeadRecord(email=r.email, attributes=r.attributes)
            if r.foreign_sys_person_id is None
            else LeadRecord(foreign_sys_person_id=r.foreign_sys_person_id, attributes=r.attributes)
            for r in batch
        ]
        first = sync_multiple_leads(store, keyed)
        before = [
            (x.id, x.email, x.foreign_sys_person_id, x.attributes) for x in store.iter_leads()
        ]
        second = sync_multiple_leads(store, keyed)
        after = [(x.id, x.email, x.foreign_sys_person_id, x.attributes) for x in store.iter_leads()]
        assert after == before
        assert [s.lead_id for s in second] == [s.lead_id for s in first]
        assert {s.status.value for s in second} <= {"UPDATED", "FAILED"}


@SLOW
@given(st.lists(xml_text, min_size=1, max_size=5))
def test_a_value_survives_wire_to_store_unchanged(values: list[str]) -> None:
    with fresh_store() as store:
        store.add_user(DEMO_USER, DEMO_SECRET)
        app = create_app(store, Settings(db=store.location))
        request = sync_request(
            [{"Email": f"v{i}@x.com", "attrs": {"Title": v}} for i, v in enumerate(values)],
            dedup="false",
        )
        with TestClient(app) as client:
            response = client.post("/soap/mktows/2_2", content=request)
        assert [s[1] for s in read_statuses(response.content)] == ["CREATED"] * len(values)
        stored = [lead.attributes.get("Title", "") for lead in store.iter_leads()]
        assert stored == values
