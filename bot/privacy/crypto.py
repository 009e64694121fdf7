"""Encryption of personal fields at rest, with a key ring so keys can be rotated.

The ring is a list of Fernet keys, newest first (``bot privacy new-key``). Values are
sealed with AES-256-GCM under a key derived (HKDF-SHA256) from the newest one, which is
an order of magnitude cheaper per value than a Fernet token; a sealed value names the
key that sealed it. Fernet tokens written before are still read, and rotation rewrites
them in the new form.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SEALED = "g1."  # prefix of a value sealed with AES-GCM (anything else is a Fernet token)
_INFO = b"tremplin field encryption v1"
_KEY_ID, _NONCE = 4, 12  # bytes


class KeyRingError(Exception):
    """The configured keys cannot be used (or cannot read what is stored)."""


def _sealing_key(fernet_key: str) -> tuple[bytes, AESGCM]:
    """The AES-GCM key derived from a Fernet key, and its short id."""
    raw = base64.urlsafe_b64decode(fernet_key.strip().encode("ascii"))
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(raw)
    return hashlib.sha256(derived).digest()[:_KEY_ID], AESGCM(derived)


class FernetCipher:
    """Seals with the first key of the ring; opens with any key of the ring."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise KeyRingError("at least one encryption key is needed")
        try:
            self._fernet = MultiFernet([Fernet(k.strip().encode("ascii")) for k in keys])
            sealing = [_sealing_key(k) for k in keys]
        except (ValueError, UnicodeEncodeError, binascii.Error) as exc:
            raise KeyRingError(
                "an encryption key is not a valid Fernet key (32 url-safe base64 bytes)"
            ) from exc
        self._current_id, self._current = sealing[0]
        self._by_id = dict(reversed(sealing))  # the newest wins a (vanishing) id clash

    @staticmethod
    def new_key() -> str:
        """A fresh random key."""
        return Fernet.generate_key().decode("ascii")

    def encrypt(self, value: str | None) -> str | None:
        """``value`` sealed with the current key (a fresh random nonce each time)."""
        if value is None:
            return None
        nonce = os.urandom(_NONCE)
        sealed = self._current.encrypt(nonce, value.encode("utf-8"), self._current_id)
        packed = base64.urlsafe_b64encode(self._current_id + nonce + sealed)
        return SEALED + packed.decode("ascii")

    def decrypt(self, value: str | None) -> str | None:
        """Plain text of ``value``; raises :class:`KeyRingError` if no key opens it."""
        if value is None:
            return None
        try:
            if not value.startswith(SEALED):
                return self._fernet.decrypt(value.encode("ascii")).decode("utf-8")
            raw = base64.urlsafe_b64decode(value[len(SEALED) :].encode("ascii"))
            key_id, nonce, sealed = raw[:_KEY_ID], raw[_KEY_ID : _KEY_ID + _NONCE], raw[16:]
            key = self._by_id.get(key_id)
            if key is None:
                raise KeyRingError("no configured key can read this value")
            return key.decrypt(nonce, sealed, key_id).decode("utf-8")
        except (InvalidToken, InvalidTag, ValueError, binascii.Error) as exc:
            raise KeyRingError("no configured key can read this value") from exc

    def rotate(self, value: str | None) -> str | None:
        """``value`` sealed again with the current (first) key."""
        return self.encrypt(self.decrypt(value))
