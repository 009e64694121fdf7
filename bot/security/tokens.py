"""Signed, expiring tokens (HMAC-SHA256): relays' links today, any web credential later."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

Clock = Callable[[], datetime]
Claims = Mapping[str, str | int]
EXPIRES = "exp"
_MIN_KEY = 16


class BadTokenError(Exception):
    """Not a token we signed for this purpose (altered, truncated, another key, another use)."""


class ExpiredTokenError(BadTokenError):
    """A token we signed, past its expiry; ``claims`` are authentic, for a kind answer."""

    def __init__(self, claims: dict[str, Any]) -> None:
        super().__init__("expired")
        self.claims = claims


def derive_key(master: bytes, purpose: str) -> bytes:
    """A key for one use, derived from a master secret (HMAC-SHA256, a one-step KDF).

    Each use gets its own key, so a token or a digest made for one can never pass for
    another, and the master secret itself never signs anything.
    """
    if len(master) < _MIN_KEY:
        raise ValueError("the master secret is too short")
    return hmac.new(master, b"tremplin/" + purpose.encode("utf-8"), hashlib.sha256).digest()


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise BadTokenError("not base64") from None


class TokenSigner:
    """Signs claims into a URL-safe token, ``<payload>.<mac>``, and checks them back.

    The payload is the claims as compact JSON (readable by anyone: claims are not
    secret, only unforgeable) with their expiry, ``exp``, in Unix seconds. The MAC
    covers the purpose too, so a token made for one use (a relay's link) is refused
    for another (a form) even under the same key. ``keys`` are newest first: tokens
    are signed with the first and accepted under any, so a key can be rotated without
    voiding the tokens already out.
    """

    def __init__(
        self, keys: Sequence[bytes], purpose: str, *, clock: Clock = lambda: datetime.now(UTC)
    ) -> None:
        if not keys or any(len(key) < _MIN_KEY for key in keys):
            raise ValueError("signing needs at least one key of 16 bytes or more")
        self._keys = tuple(keys)
        self._purpose = purpose.encode("utf-8")
        self.clock = clock

    def _mac(self, key: bytes, payload: str) -> bytes:
        return hmac.new(key, self._purpose + b"\x00" + payload.encode("ascii"), "sha256").digest()

    def sign(self, claims: Claims, expires_at: datetime) -> str:
        """A token carrying ``claims`` until ``expires_at``."""
        if EXPIRES in claims:
            raise ValueError(f"'{EXPIRES}' is the token's own claim")
        body = {**claims, EXPIRES: int(expires_at.timestamp())}
        payload = _encode(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
        return f"{payload}.{_encode(self._mac(self._keys[0], payload))}"

    def verify(self, token: str) -> dict[str, Any]:
        """The claims of ``token`` (without ``exp``).

        Raises :class:`BadTokenError` when it is not ours, :class:`ExpiredTokenError`
        when it is ours but too old. The MAC is checked first, in constant time.
        """
        payload, dot, mac = token.partition(".")
        if not dot or not payload or not mac or not payload.isascii():
            raise BadTokenError("not a token")
        given = _decode(mac)
        if not any(hmac.compare_digest(given, self._mac(key, payload)) for key in self._keys):
            raise BadTokenError("bad signature")
        try:
            claims = json.loads(_decode(payload))
        except ValueError:
            raise BadTokenError("bad payload") from None
        expires = claims.pop(EXPIRES, None) if isinstance(claims, dict) else None
        if not isinstance(expires, int):
            raise BadTokenError("bad payload")
        if self.clock().timestamp() >= expires:
            raise ExpiredTokenError(claims)
        verified: dict[str, Any] = claims
        return verified
