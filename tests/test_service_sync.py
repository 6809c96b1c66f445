"""Every syncMultipleLeads rule, at the service layer: records in, statuses and leads out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from leadsync.fields import FieldType
from leadsync.model import Attribute, Lead, LeadRecord
from leadsync.service.fields import add_custom_field
from leadsync.service.sync import sync_multiple_leads
from leadsync.store import LeadWriter, Store
from tests.soap import statuses_of


def rec(
    email: str | None = None,
    id: int | None = None,
    fid: str | None = None,
    ftype: str | None = None,
    problem: str | None = None,
    **attrs: str | None,
) -> LeadRecord:
    return LeadRecord(
        id=id,
        email=email,
        foreign_sys_person_id=fid,
        foreign_sys_type=ftype,
        attributes=tuple(Attribute(k, v) for k, v in attrs.items()),
        problem=problem,
    )


def sync(
    store: Store, *records: LeadRecord, dedup: bool = True, now: int | None = None
) -> list[tuple[int, str, str | None]]:
    return statuses_of(sync_multiple_leads(store, records, dedup, now))


def leads(store: Store) -> dict[int, Lead]:
    return {lead.id: lead for lead in store.iter_leads()}


def summary(store: Store) -> list[tuple[Any, ...]]:
    return [
        (lead.id, lead.email, lead.foreign_sys_person_id, lead.foreign_sys_type, lead.attributes)
        for lead in store.iter_leads()
    ]


def test_new_emails_create_leads_with_ids_from_one(store: Store) -> None:
    got = sync(store, rec("a@x.com", Company="A"), rec("b@x.com", Phone="650-555-1000"))
    assert got == [(1, "CREATED", None), (2, "CREATED", None)]
    assert summary(store) == [
        (1, "a@x.com", None, None, {"Company": "A"}),
        (2, "b@x.com", None, None, {"Phone": "650-555-1000"}),
    ]


def test_the_same_batch_twice_updates_the_same_ids_in_order(store: Store) -> None:
    batch = [rec("a@x.com", Company="A"), rec("b@x.com", Company="B")]
    assert sync(store, *batch) == [(1, "CREATED", None), (2, "CREATED", None)]
    before = summary(store)
    assert sync(store, *batch) == [(1, "UPDATED", None), (2, "UPDATED", None)]
    assert summary(store) == before


def test_id_wins_over_foreign_id_and_email_and_writes_the_foreign_id(store: Store) -> None:
    sync(store, rec("a@x.com"), rec("b@x.com"))
    got = sync(store, rec("b@x.com", id=1, fid="CRM-1", ftype="SFDC", Company="C"))
    assert got == [(1, "UPDATED", None)]
    # Rule 5: the Email key did not overwrite lead 1's email.
    assert summary(store)[0] == (1, "a@x.com", "CRM-1", "SFDC", {"Company": "C"})


def test_an_unknown_id_fails_that_record_only(store: Store) -> None:
    got = sync(store, rec(id=999, Company="X"), rec("a@x.com"))
    assert got == [(0, "FAILED", "lead not found: no lead has Id 999"), (1, "CREATED", None)]
    assert [lead.id for lead in store.iter_leads()] == [1]


def test_foreign_id_updates_its_lead_or_creates_one_without_email_dedup(
    store: Store,
) -> None:
    sync(store, rec("a@x.com"))
    # Same email but a new foreign id: no email dedup, a new lead carrying both.
    assert sync(store, rec("a@x.com", fid="F1", ftype="CUSTOM")) == [(2, "CREATED", None)]
    assert sync(store, rec("other@x.com", fid="F1", Company="Z")) == [(2, "UPDATED", None)]
    assert summary(store) == [
        (1, "a@x.com", None, None, {}),
        (2, "a@x.com", "F1", "CUSTOM", {"Company": "Z"}),
    ]


def test_email_key_is_written_only_when_also_an_attribute(store: Store) -> None:
    sync(store, rec("a@x.com", fid="F1"))
    sync(store, rec("new@x.com", fid="F1", Email="set@x.com"))
    assert summary(store)[0][1] == "set@x.com"
    sync(store, rec("ignored@x.com", id=1))
    assert summary(store)[0][1] == "set@x.com"


def test_email_dedup_is_case_insensitive_and_keeps_the_stored_email(store: Store) -> None:
    sync(store, rec("Mixed@Example.com"))
    assert sync(store, rec("mixed@example.COM", Company="Q")) == [(1, "UPDATED", None)]
    assert summary(store) == [(1, "Mixed@Example.com", None, None, {"Company": "Q"})]


def test_dedup_picks_the_most_recently_created_lead(store: Store) -> None:
    # marketo-objects.md: with duplicates Marketo "uses the most recently added object".
    sync(store, rec("d@x.com"), rec("d@x.com"), dedup=False, now=1_000)
    assert sync(store, rec("d@x.com", Company="newest"), now=2_000) == [(2, "UPDATED", None)]
    # Updating the older lead does not make it the one dedup picks.
    sync(store, rec(id=1, Company="touched"), now=3_000)
    assert sync(store, rec("d@x.com", Company="again"), now=4_000) == [(2, "UPDATED", None)]
    # Nor does an update that changes nothing.
    sync(store, rec(id=1), now=5_000)
    assert sync(store, rec("d@x.com"), now=6_000) == [(2, "UPDATED", None)]


def test_a_lead_created_earlier_in_the_call_wins_over_older_ones(store: Store) -> None:
    sync(store, rec("w@x.com"), now=1_000)
    got = sync(store, rec("w@x.com"), rec("w@x.com", Company="B"), dedup=False, now=2_000)
    assert got == [(2, "CREATED", None), (3, "CREATED", None)]
    assert sync(store, rec("W@x.com", Company="C"), now=3_000) == [(3, "UPDATED", None)]


def test_equal_creation_times_pick_the_highest_id(store: Store) -> None:
    sync(store, rec("t@x.com"), dedup=False, now=5_000)
    sync(store, rec("t@x.com"), dedup=False, now=5_000)
    assert sync(store, rec("t@x.com"), now=6_000) == [(2, "UPDATED", None)]


@pytest.mark.parametrize("blank", ["   ", "\t", " \n "])
def test_a_blank_email_is_no_key(store: Store, blank: str) -> None:
    no_key = "lead record has no key: give Id, ForeignSysPersonId or Email"
    assert sync(store, rec(blank, Company="A"), rec(blank, Company="B")) == [
        (0, "FAILED", no_key),
        (0, "FAILED", no_key),
    ]
    # With another key the record applies, and the blank Email is not stored.
    assert sync(store, rec(blank, fid="F1"), rec(blank, fid="F2")) == [
        (1, "CREATED", None),
        (2, "CREATED", None),
    ]
    assert [(lead.id, lead.email) for lead in store.iter_leads()] == [(1, None), (2, None)]


def test_a_blank_email_attribute_clears_the_email(store: Store) -> None:
    sync(store, rec("keep@x.com"))
    assert sync(store, rec(id=1, Email="  ")) == [(1, "UPDATED", None)]
    assert summary(store) == [(1, None, None, None, {})]
    # No lead now holds a blank email key that a later blank Email could match.
    assert sync(store, rec("   ", Company="X"))[0][1] == "FAILED"


def test_blank_foreign_ids_are_no_key(store: Store) -> None:
    assert sync(store, rec("a@x.com", fid="  "), rec("b@x.com", fid="  ")) == [
        (1, "CREATED", None),
        (2, "CREATED", None),
    ]
    assert [lead.foreign_sys_person_id for lead in store.iter_leads()] == [None, None]


def test_dedup_off_always_creates(store: Store) -> None:
    got = sync(store, rec("a@x.com"), rec("a@x.com"), dedup=False)
    assert got == [(1, "CREATED", None), (2, "CREATED", None)]
    assert sync(store, rec("a@x.com"), dedup=False) == [(3, "CREATED", None)]


def test_dedup_flag_does_not_affect_id_or_foreign_id(store: Store) -> None:
    sync(store, rec("a@x.com", fid="F"))
    got = sync(store, rec(id=1, Company="x"), rec(fid="F", Company="y"), dedup=False)
    assert got == [(1, "UPDATED", None), (1, "UPDATED", None)]


def test_a_record_without_any_key_fails(store: Store) -> None:
    got = sync(store, rec(Company="nobody"), rec(""))
    message = "lead record has no key: give Id, ForeignSysPersonId or Email"
    assert got == [(0, "FAILED", message), (0, "FAILED", message)]
    assert summary(store) == []


def test_records_apply_in_order_within_a_call(store: Store) -> None:
    got = sync(store, rec("n@x.com", Company="one"), rec("N@x.com", Phone="2"))
    assert got == [(1, "CREATED", None), (1, "UPDATED", None)]
    assert summary(store) == [(1, "n@x.com", None, None, {"Company": "one", "Phone": "2"})]


def test_an_email_set_by_an_attribute_is_found_by_a_later_record(store: Store) -> None:
    sync(store, rec("old@x.com", fid="F"))
    got = sync(store, rec(fid="F", Email="moved@x.com"), rec("moved@x.com", Company="c"))
    assert got == [(1, "UPDATED", None), (1, "UPDATED", None)]
    assert sync(store, rec("old@x.com")) == [(2, "CREATED", None)]


def test_unknown_attribute_names_fail_the_record_naming_them(store: Store) -> None:
    got = sync(store, rec("a@x.com", pants="x", company="lower", Company="ok"), rec("b@x.com"))
    assert got == [
        (0, "FAILED", "unknown fields for import: company, pants"),
        (1, "CREATED", None),
    ]


def test_bad_values_fail_the_record_naming_field_and_value(store: Store) -> None:
    got = sync(
        store,
        rec("a@x.com", NumberOfEmployees="many"),
        rec("b@x.com", DateofBirth="1990-02-30"),
        rec("c@x.com", Company="x" * 256),
        rec("d@x.com", DoNotCall="yes"),
    )
    assert got == [
        (0, "FAILED", "bad value for field NumberOfEmployees: 'many' is not a valid integer"),
        (0, "FAILED", "bad value for field DateofBirth: '1990-02-30' is not a valid date"),
        (
            0,
            "FAILED",
            f"bad value for field Company: '{'x' * 80}...' is longer than 255 characters",
        ),
        (0, "FAILED", "bad value for field DoNotCall: 'yes' is not a valid boolean"),
    ]
    assert summary(store) == []


def test_a_failed_record_changes_nothing_on_a_matched_lead(store: Store) -> None:
    sync(store, rec("a@x.com", Company="kept"))
    sync(store, rec("a@x.com", Company="changed", LeadScore="NaN"))
    assert summary(store) == [(1, "a@x.com", None, None, {"Company": "kept"})]


def test_nil_clears_and_values_round_trip_exactly(store: Store) -> None:
    tricky = "  \u00e9\u4e2d \U0001f600 <&>\"' \t\n x  "
    sync(store, rec("a@x.com", Company=tricky, Phone="1", NumberOfEmployees="007"))
    sync(store, rec("a@x.com", Phone=None, NumberOfEmployees=""))
    assert summary(store) == [(1, "a@x.com", None, None, {"Company": tricky})]


def test_custom_fields_are_accepted_once_added(store: Store) -> None:
    assert sync(store, rec("a@x.com", Tier="gold"))[0][1] == "FAILED"
    add_custom_field(store, "default", "Tier", FieldType.STRING, 0)
    add_custom_field(store, "default", "Visits", FieldType.INTEGER, 0)
    assert sync(store, rec("a@x.com", Tier="gold", Visits="3")) == [(1, "CREATED", None)]
    assert sync(store, rec("a@x.com", Visits="three"))[0] == (
        0,
        "FAILED",
        "bad value for field Visits: 'three' is not a valid integer",
    )


def test_decoder_problems_and_bad_keys_fail_their_record(store: Store) -> None:
    got = sync(
        store,
        rec(problem="Id must be an integer, not 'abc'"),
        rec("a@x.com", ftype="ORACLE", fid="F"),
        rec("x" * 256 + "@x.com"),
    )
    assert got == [
        (0, "FAILED", "Id must be an integer, not 'abc'"),
        (0, "FAILED", "bad ForeignSysType 'ORACLE': use CUSTOM, SFDC or NETSUITE"),
        (0, "FAILED", "Email is longer than 255 characters"),
    ]


def test_a_foreign_id_given_with_an_id_moves_from_its_old_lead(store: Store) -> None:
    sync(store, rec("a@x.com", fid="F1"), rec("b@x.com", fid="F2"))
    # Swap the two foreign ids in one call: the unique index never sees a clash.
    got = sync(store, rec(id=1, fid="F2"), rec(id=2, fid="F1"))
    assert got == [(1, "UPDATED", None), (2, "UPDATED", None)]
    assert [(lead.id, lead.foreign_sys_person_id) for lead in store.iter_leads()] == [
        (1, "F2"),
        (2, "F1"),
    ]


def test_a_moved_foreign_id_takes_its_type_from_the_old_holder(store: Store) -> None:
    sync(store, rec("a@x.com", fid="F1", ftype="SFDC"), rec("b@x.com"))
    assert sync(store, rec(id=2, fid="F1", ftype="NETSUITE")) == [(2, "UPDATED", None)]
    assert [
        (lead.id, lead.foreign_sys_person_id, lead.foreign_sys_type) for lead in store.iter_leads()
    ] == [(1, None, None), (2, "F1", "NETSUITE")]


def test_ids_are_never_reused_and_keep_growing(store: Store) -> None:
    sync(store, rec("a@x.com"), rec(""), rec("b@x.com"))
    assert sync(store, rec("c@x.com")) == [(3, "CREATED", None)]


class _Boom(Exception):
    pass


class _FailingWriter:
    """A real writer whose last statement of the call fails."""

    def __init__(self, inner: LeadWriter) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def update_leads(self, *args: object) -> None:
        raise _Boom


class _FailingStore:
    """A real store whose write transactions fail at their last statement."""

    def __init__(self, inner: Store) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @contextmanager
    def write(self, instance: str = "default") -> Iterator[Any]:
        with self._inner.write(instance) as writer:
            yield _FailingWriter(writer)


def test_a_whole_call_is_one_transaction(store: Store) -> None:
    records = [rec("a@x.com"), rec("b@x.com")]
    with pytest.raises(_Boom):
        sync_multiple_leads(_FailingStore(store), records)
    assert summary(store) == []
    # (A PostgreSQL sequence does not roll back: the ids may skip, never repeat.)
    again = sync(store, *records)
    assert [status for _, status, _ in again] == ["CREATED", "CREATED"]
    assert [lead.id for lead in store.iter_leads()] == [again[0][0], again[1][0]]


def test_timestamps_are_kept_per_lead(store: Store) -> None:
    sync(store, rec("a@x.com"), now=10_000_000)
    sync(store, rec("a@x.com", Company="x"), now=20_000_000)
    lead = leads(store)[1]
    assert (lead.created_at, lead.updated_at) == (10_000_000, 20_000_000)
