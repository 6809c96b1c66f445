from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from leadsync.auth import authenticate, parse_timestamp, sign
from leadsync.errors import AuthenticationFailed, MktowsError, RequestExpired
from leadsync.model import Account, Credentials


@pytest.mark.parametrize(
    ("user", "secret", "timestamp", "signature"),
    [
        (
            "demo17_1_809934544BFABAE58E5D27",
            "27272727aa",
            "2013-08-01T18:22:30-07:00",
            "b5e21953ae9f1b263e644da5eccce9ff33802513",
        ),
        (
            "demo17_1_809934544BFABAE58E5D27",
            "27272727aa",
            "2013-08-02T15:47:06-07:00",
            "146ec93f4f1e2a45f7a545f7e42e2d053c0457e7",
        ),
        (
            "bigcorp1_461839624B16E06BA2D663",
            "899756834129871744AAEE88DDCC77CDEEDEC1AAAD66",
            "2010-04-09T14:04:54-07:00",
            "ffbff4d4bef354807481e66dc7540f7890523a87",
        ),
    ],
)
def test_signature_matches_the_documented_vectors(
    user: str, secret: str, timestamp: str, signature: str
) -> None:
    assert sign(secret, timestamp, user) == signature


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2013-08-01T18:22:30-07:00", datetime(2013, 8, 2, 1, 22, 30, tzinfo=UTC)),
        ("2013-08-02T01:22:30Z", datetime(2013, 8, 2, 1, 22, 30, tzinfo=UTC)),
        ("2013-08-02T01:22:30.250Z", datetime(2013, 8, 2, 1, 22, 30, 250000, tzinfo=UTC)),
        ("2013-08-02T03:22:30.5+02:00", datetime(2013, 8, 2, 1, 22, 30, 500000, tzinfo=UTC)),
        ("2015-07-06 13:43:43 +0900", datetime(2015, 7, 6, 4, 43, 43, tzinfo=UTC)),
    ],
)
def test_timestamps_in_every_client_form_parse(text: str, expected: datetime) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    "text", ["2013-08-01T18:22:30", "2013-08-01", "yesterday", "", "2013-13-01T00:00:00Z"]
)
def test_timestamps_without_offset_or_malformed_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(text)


USER, SECRET = "user_1", "s3cret"
NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)


def _credentials(timestamp: str, secret: str = SECRET, user: str = USER) -> Credentials:
    return Credentials(user, sign(secret, timestamp, user), timestamp)


def _secrets(user_id: str) -> Account | None:
    return Account(USER, SECRET, "acme") if user_id == USER else None


def _code(credentials: Credentials | None, skew: int = 900) -> int:
    with pytest.raises(MktowsError) as caught:
        authenticate(credentials, _secrets, NOW, skew)
    return caught.value.code


def test_a_good_signature_proves_the_user() -> None:
    ts = NOW.astimezone(timezone(timedelta(hours=-8))).isoformat()
    assert authenticate(_credentials(ts), _secrets, NOW, 900) == Account(USER, SECRET, "acme")


def test_upper_case_hex_signatures_are_accepted() -> None:
    ts = "2026-11-28T12:00:00Z"
    good = _credentials(ts)
    upper = Credentials(good.user_id, good.signature.upper(), good.timestamp)
    assert authenticate(upper, _secrets, NOW, 900) == Account(USER, SECRET, "acme")


def test_missing_header_unknown_user_and_bad_signature_are_20014() -> None:
    ts = "2026-11-28T12:00:00Z"
    assert _code(None) == 20014
    assert _code(_credentials(ts, user="nobody")) == 20014
    assert _code(_credentials(ts, secret="wrong")) == 20014
    assert _code(Credentials(USER, "", ts)) == 20014
    assert _code(Credentials(USER, "zz\u00e9", ts)) == 20014


def test_a_signed_but_unparseable_timestamp_is_20014() -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        authenticate(_credentials("not a time"), _secrets, NOW, 900)
    assert caught.value.message == "Authentication failed: bad requestTimestamp"


def test_timestamp_outside_the_skew_window_is_20016_inside_is_accepted() -> None:
    assert _code(_credentials("2026-11-28T11:44:59Z")) == 20016
    assert _code(_credentials("2026-11-28T12:15:01Z")) == 20016
    assert authenticate(_credentials("2026-11-28T11:45:00Z"), _secrets, NOW, 900) == Account(
        USER, SECRET, "acme"
    )
    with pytest.raises(RequestExpired):
        authenticate(_credentials("2013-08-01T18:22:30-07:00"), _secrets, NOW, 900)


def test_skew_zero_turns_the_window_off() -> None:
    creds = _credentials("2013-08-01T18:22:30-07:00")
    assert authenticate(creds, _secrets, NOW, 0) == Account(USER, SECRET, "acme")


def test_error_texts_never_carry_the_secret_or_signature() -> None:
    creds = _credentials("2026-11-28T12:00:00Z", secret="wrong")
    with pytest.raises(AuthenticationFailed) as caught:
        authenticate(creds, _secrets, NOW, 900)
    assert SECRET not in str(caught.value)
    assert creds.signature not in str(caught.value)
