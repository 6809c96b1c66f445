"""Instances (tenants): a user sees and changes only its own instance's leads."""

from __future__ import annotations

from starlette.testclient import TestClient

from leadsync.store import Store
from tests.soap import auth_header, envelope, read_statuses, sync_body

ACME, GLOBEX = ("acme_user", "acme-key"), ("globex_user", "globex-key")


def call(
    client: TestClient, who: tuple[str, str], records: list[dict[str, object]]
) -> list[tuple[int, str, str | None]]:
    body = envelope(sync_body(records), auth_header(user=who[0], secret=who[1]))
    response = client.post("/soap/mktows/2_2", content=body)
    assert response.status_code == 200, response.text
    return read_statuses(response.content)


def test_interleaved_calls_with_the_same_keys_never_cross_instances(
    client: TestClient, store: Store
) -> None:
    assert store.add_instance("acme") and store.add_instance("globex")
    assert not store.add_instance("acme")
    store.add_user(*ACME, instance="acme")
    store.add_user(*GLOBEX, instance="globex")

    [(acme_id, status, _)] = call(
        client,
        ACME,
        [{"Email": "shared@x.com", "ForeignSysPersonId": "F1", "attrs": {"Company": "Acme"}}],
    )
    assert status == "CREATED"
    # The same email and foreign id in the other instance: a lead of its own.
    [(globex_email_id, status, _)] = call(
        client, GLOBEX, [{"Email": "shared@x.com", "attrs": {"Company": "Globex"}}]
    )
    assert status == "CREATED" and globex_email_id != acme_id
    [(globex_fid_id, status, _)] = call(client, GLOBEX, [{"ForeignSysPersonId": "F1"}])
    assert status == "CREATED" and globex_fid_id not in (acme_id, globex_email_id)
    # Acme's lead id is "not found" for Globex: never updated across the line.
    assert call(client, GLOBEX, [{"Id": acme_id, "attrs": {"Company": "Stolen"}}]) == [
        (0, "FAILED", f"lead not found: no lead has Id {acme_id}")
    ]
    # Interleave more: each instance updates its own.
    assert call(client, ACME, [{"Email": "SHARED@x.com", "attrs": {"Phone": "1"}}]) == [
        (acme_id, "UPDATED", None)
    ]
    assert call(client, GLOBEX, [{"Email": "shared@x.com", "attrs": {"Phone": "2"}}]) == [
        (globex_email_id, "UPDATED", None)
    ]
    assert call(client, ACME, [{"ForeignSysPersonId": "F1", "attrs": {"Title": "t"}}]) == [
        (acme_id, "UPDATED", None)
    ]

    acme = {lead.id: lead for lead in store.iter_leads("acme")}
    globex = {lead.id: lead for lead in store.iter_leads("globex")}
    assert list(acme) == [acme_id]
    assert acme[acme_id].attributes == {"Company": "Acme", "Phone": "1", "Title": "t"}
    assert acme[acme_id].foreign_sys_person_id == "F1"
    assert sorted(globex) == sorted([globex_email_id, globex_fid_id])
    assert globex[globex_email_id].attributes == {"Company": "Globex", "Phone": "2"}
    assert globex[globex_fid_id].foreign_sys_person_id == "F1"
    assert list(store.iter_leads("default")) == []


def test_a_user_of_a_missing_instance_cannot_be_added(store: Store) -> None:
    try:
        store.add_user("u", "k", instance="nowhere")
    except ValueError as error:
        assert str(error) == "no instance 'nowhere'"
    else:
        raise AssertionError("added a user to a missing instance")
    assert store.list_users() == [("demo17_1_809934544BFABAE58E5D27", "default")]
