from __future__ import annotations

import pytest

from leadsync.fields import (
    STANDARD,
    STANDARD_FIELDS,
    Catalog,
    FieldType,
    check_custom_field,
    check_value,
    display_name,
    rest_name,
)


@pytest.mark.parametrize(
    ("field_type", "good", "bad"),
    [
        (FieldType.INTEGER, ["0", "-12", "+7", "2147483647"], ["1.5", "abc", "", "2147483648"]),
        (FieldType.FLOAT, ["1.5", "-2", ".5", "1e3", "12000000.75"], ["abc", "1,5", "nan"]),
        (FieldType.BOOLEAN, ["true", "false", "1", "0", "True", "FALSE"], ["yes", "2", ""]),
        (FieldType.DATE, ["2024-02-29", "1970-01-01"], ["2023-02-29", "2024-2-1", "01/02/2024"]),
        (
            FieldType.DATETIME,
            ["2024-02-29T10:00:00Z", "2024-02-29T10:00:00-07:00", "2024-02-29T10:00:00"],
            ["2024-02-29", "tomorrow", "2024-02-30T10:00:00Z"],
        ),
        (FieldType.STRING, ["", "x" * 255, "\u00e9\u4e2d\U0001f600" * 85], ["x" * 256]),
        (FieldType.TEXT, ["x" * 30_000, "\u00e9" * 15_000], ["x" * 30_001, "\u00e9" * 15_001]),
    ],
)
def test_values_are_checked_against_their_field_type(
    field_type: FieldType, good: list[str], bad: list[str]
) -> None:
    assert [check_value(field_type, v) for v in good] == [None] * len(good)
    assert all(check_value(field_type, v) for v in bad), [check_value(field_type, v) for v in bad]


def test_the_catalog_has_marketos_soap_names_with_their_odd_casing() -> None:
    assert {"Company", "Phone", "Email", "DateofBirth", "SICCode"} <= set(STANDARD_FIELDS)
    assert STANDARD_FIELDS["NumberOfEmployees"] is FieldType.INTEGER
    assert "DateOfBirth" not in STANDARD_FIELDS


@pytest.mark.parametrize("name", ["company", "EMAIL", "Id", "1abc", "has space", "x" * 101, ""])
def test_custom_fields_may_not_clash_or_be_malformed(name: str) -> None:
    with pytest.raises(ValueError):
        check_custom_field(name)


def test_a_fresh_custom_field_name_is_accepted() -> None:
    check_custom_field("LoyaltyTier_2")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("company", "company is a standard field or lead key of Marketo's"),
        ("Tier", "the custom field Tier exists already"),
        ("TIER", "TIER differs from the custom field Tier only in case"),
    ],
)
def test_a_custom_field_that_exists_says_so(name: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        check_custom_field(name, ["Tier"])
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("name", "rest", "display"),
    [
        ("LoyaltyTier", "loyaltyTier", "Loyalty Tier"),
        ("URLField", "urlField", "URL Field"),
        ("NPS_score", "nps_score", "NPS score"),
        ("Tier2", "tier2", "Tier 2"),
        ("tier", "tier", "tier"),
        ("ABC", "abc", "ABC"),
    ],
)
def test_a_custom_fields_rest_and_display_names_derive_from_its_soap_name(
    name: str, rest: str, display: str
) -> None:
    assert (rest_name(name), display_name(name)) == (rest, display)


def test_every_standard_field_has_three_distinct_names() -> None:
    assert len(STANDARD) == len(STANDARD_FIELDS) == 43
    for names in (
        [soap for soap, _, _, _ in STANDARD],
        [rest for _, rest, _, _ in STANDARD],
        [display for _, _, display, _ in STANDARD],
    ):
        assert len(set(names)) == len(names)
    catalog = Catalog()
    assert (catalog.display_of("FirstName"), catalog.display_of("Email")) == (
        "First Name",
        "Email Address",
    )
    assert catalog.display_of("Gone") == "Gone"  # a removed field shows its SOAP name
