"""Signed tokens: only ours pass, for their purpose, until they expire; keys can rotate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.security.tokens import BadTokenError, ExpiredTokenError, TokenSigner, derive_key

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEY = derive_key(b"a master secret of the tests, 32+", "links")
LATER = NOW + timedelta(days=7)


def signer(key: bytes = KEY, purpose: str = "links", now: datetime = NOW) -> TokenSigner:
    return TokenSigner([key], purpose, clock=lambda: now)


def test_a_token_carries_its_claims_until_it_expires() -> None:
    token = signer().sign({"h": "abc", "n": 3}, LATER)
    assert signer().verify(token) == {"h": "abc", "n": 3}
    assert "/" not in token and "+" not in token and "=" not in token  # URL-safe
    with pytest.raises(ExpiredTokenError) as expired:
        signer(now=LATER).verify(token)
    assert expired.value.claims == {"h": "abc", "n": 3}


def test_a_token_is_refused_for_another_purpose_or_under_another_key() -> None:
    token = signer().sign({"h": "abc"}, LATER)
    with pytest.raises(BadTokenError):
        signer(purpose="forms").verify(token)
    with pytest.raises(BadTokenError):
        signer(key=derive_key(b"a master secret of the tests, 32+", "forms")).verify(token)


def test_every_altered_character_is_noticed() -> None:
    token = signer().sign({"h": "abc"}, LATER)
    for index in range(len(token)):
        for replacement in "A_.":
            altered = token[:index] + replacement + token[index + 1 :]
            if altered != token:
                with pytest.raises(BadTokenError):
                    signer().verify(altered)


def test_an_old_key_still_verifies_after_a_rotation() -> None:
    new = derive_key(b"the next master secret, 32 bytes!", "links")
    old_token = signer().sign({"h": "abc"}, LATER)
    rotated = TokenSigner([new, KEY], "links", clock=lambda: NOW)
    assert rotated.verify(old_token) == {"h": "abc"}
    new_token = rotated.sign({"h": "abc"}, LATER)
    with pytest.raises(BadTokenError):
        signer().verify(new_token)  # signed with the new key only


def test_short_keys_and_the_expiry_claim_are_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        TokenSigner([b"short"], "links")
    with pytest.raises(ValueError, match="too short"):
        derive_key(b"short", "links")
    with pytest.raises(ValueError, match="exp"):
        signer().sign({"exp": 1}, LATER)


@given(st.text(max_size=200))
def test_any_string_is_refused_cleanly(text: str) -> None:
    with pytest.raises(BadTokenError):
        signer().verify(text)
