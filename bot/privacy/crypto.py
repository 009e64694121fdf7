"""Fernet encryption of contact fields, with a key ring so keys can be rotated."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class KeyRingError(Exception):
    """The configured keys cannot be used (or cannot read what is stored)."""


class FernetCipher:
    """Encrypts with the first key; decrypts with any key of the ring."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise KeyRingError("at least one encryption key is needed")
        try:
            self._ring = MultiFernet([Fernet(k.strip().encode("ascii")) for k in keys])
        except (ValueError, UnicodeEncodeError) as exc:
            raise KeyRingError(
                "an encryption key is not a valid Fernet key (32 url-safe base64 bytes)"
            ) from exc

    @staticmethod
    def new_key() -> str:
        """A fresh random key."""
        return Fernet.generate_key().decode("ascii")

    def encrypt(self, value: str | None) -> str | None:
        """Ciphertext of ``value`` with the current key."""
        if value is None:
            return None
        return self._ring.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, value: str | None) -> str | None:
        """Plain text of ``value``; raises :class:`KeyRingError` if no key opens it."""
        if value is None:
            return None
        try:
            return self._ring.decrypt(value.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise KeyRingError("no configured key can read this value") from exc

    def rotate(self, value: str | None) -> str | None:
        """``value`` re-encrypted with the current (first) key."""
        if value is None:
            return None
        try:
            return self._ring.rotate(value.encode("ascii")).decode("ascii")
        except InvalidToken as exc:
            raise KeyRingError("no configured key can read this value") from exc
