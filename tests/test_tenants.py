"""Instances (tenants): a user sees and changes only its own instance's leads."""

from __future__ import annotations

from lxml import etree
from starlette.testclient import TestClient

from leadsync.fields import FieldType
from leadsync.service.fields import add_custom_field
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


def test_each_instance_has_its_own_custom_fields(client: TestClient, store: Store) -> None:
    assert store.add_instance("acme") and store.add_instance("globex")
    store.add_user(*ACME, instance="acme")
    store.add_user(*GLOBEX, instance="globex")
    add_custom_field(store, "acme", "LoyaltyTier", FieldType.STRING, 1)

    assert call(client, ACME, [{"Email": "a@x.com", "attrs": {"LoyaltyTier": "gold"}}]) == [
        (1, "CREATED", None)
    ]
    # Globex's catalog has no such field: the record fails as Marketo failed it.
    assert call(client, GLOBEX, [{"Email": "g@x.com", "attrs": {"LoyaltyTier": "gold"}}]) == [
        (0, "FAILED", "unknown fields for import: LoyaltyTier")
    ]
    acme_fields = {f.name: f for f in store.catalog("acme").fields if f.custom}
    assert list(acme_fields) == ["LoyaltyTier"]
    assert (acme_fields["LoyaltyTier"].rest, acme_fields["LoyaltyTier"].display) == (
        "loyaltyTier",
        "Loyalty Tier",
    )
    assert [f for f in store.catalog("globex").fields if f.custom] == []
    # The same name may then be added to Globex, with names of its own.
    add_custom_field(store, "globex", "LoyaltyTier", FieldType.INTEGER, 2, "tier", "Tier")
    [globex_tier] = [f for f in store.catalog("globex").fields if f.custom]
    assert (globex_tier.type, globex_tier.rest, globex_tier.display) == (
        FieldType.INTEGER,
        "tier",
        "Tier",
    )
    assert store.catalog("acme").types["LoyaltyTier"] is FieldType.STRING


def test_describe_mobject_shows_only_the_callers_custom_fields(
    client: TestClient, store: Store
) -> None:
    assert store.add_instance("acme") and store.add_instance("globex")
    store.add_user(*ACME, instance="acme")
    store.add_user(*GLOBEX, instance="globex")
    add_custom_field(store, "acme", "LoyaltyTier", FieldType.STRING, 1)

    def names(who: tuple[str, str]) -> list[str]:
        body = envelope(
            "<ns1:paramsDescribeMObject><objectName>LeadRecord</objectName>"
            "</ns1:paramsDescribeMObject>",
            auth_header(user=who[0], secret=who[1]),
        )
        response = client.post("/soap/mktows/2_2", content=body)
        assert response.status_code == 200, response.text
        tree = etree.fromstring(response.content)
        return [e.text or "" for e in tree.iter("name")]

    acme, globex = names(ACME), names(GLOBEX)
    assert "LoyaltyTier" in acme
    assert "LoyaltyTier" not in globex
    assert set(acme) - set(globex) == {"LoyaltyTier"}
