"""The protocol for encrypting personal fields at rest (implemented in bot.privacy)."""

from __future__ import annotations

from typing import Protocol


class FieldCipher(Protocol):
    """Encrypts and decrypts one text field; ``None`` stays ``None``."""

    def encrypt(self, value: str | None) -> str | None:
        """Ciphertext of ``value`` (a new random nonce each time)."""
        ...

    def decrypt(self, value: str | None) -> str | None:
        """Plain text of ``value``, with any key of the key ring."""
        ...

    def rotate(self, value: str | None) -> str | None:
        """``value`` re-encrypted with the current key."""
        ...


class PlainText:
    """No encryption: for tests of code that does not care about it."""

    def encrypt(self, value: str | None) -> str | None:
        return value

    def decrypt(self, value: str | None) -> str | None:
        return value

    def rotate(self, value: str | None) -> str | None:
        return value
