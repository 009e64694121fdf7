"""The key ring: values sealed with the newest key, older keys and Fernet tokens still read."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from bot.privacy.crypto import SEALED, FernetCipher, KeyRingError

PHONE = "06 12 34 56 78"


def test_a_value_is_sealed_differently_each_time_and_opens_again() -> None:
    ring = FernetCipher([FernetCipher.new_key()])
    first, second = ring.encrypt(PHONE), ring.encrypt(PHONE)
    assert first != second and PHONE not in (first or "")
    assert ring.decrypt(first) == ring.decrypt(second) == PHONE
    assert ring.encrypt(None) is None and ring.decrypt(None) is None


def test_values_written_as_fernet_tokens_are_read_and_rotated_to_the_new_form() -> None:
    key = FernetCipher.new_key()
    token = Fernet(key.encode()).encrypt(PHONE.encode()).decode()  # an older row
    ring = FernetCipher([key])
    assert ring.decrypt(token) == PHONE
    rotated = ring.rotate(token)
    assert rotated is not None and rotated.startswith(SEALED)
    assert ring.decrypt(rotated) == PHONE


def test_after_a_new_key_old_values_open_and_rotation_moves_them_to_it() -> None:
    old, new = FernetCipher.new_key(), FernetCipher.new_key()
    stored = FernetCipher([old]).encrypt(PHONE)
    ring = FernetCipher([new, old])
    assert ring.decrypt(stored) == PHONE
    rotated = ring.rotate(stored)
    assert FernetCipher([new]).decrypt(rotated) == PHONE
    with pytest.raises(KeyRingError):
        FernetCipher([old]).decrypt(rotated)  # the old key is no longer needed


def test_a_foreign_or_tampered_value_is_refused() -> None:
    ring = FernetCipher([FernetCipher.new_key()])
    stored = ring.encrypt(PHONE)
    assert stored is not None
    with pytest.raises(KeyRingError):
        FernetCipher([FernetCipher.new_key()]).decrypt(stored)
    flipped = stored[:-4] + ("AAAA" if not stored.endswith("AAAA") else "BBBB")
    for bad in (flipped, SEALED + "not base64!", "garbage"):
        with pytest.raises(KeyRingError):
            ring.decrypt(bad)


def test_a_key_that_is_not_a_fernet_key_is_refused_at_start() -> None:
    with pytest.raises(KeyRingError):
        FernetCipher(["not-a-key"])
    with pytest.raises(KeyRingError):
        FernetCipher([])
