"""Keyed hashes that stand for people and message ids, so raw ids stay out of the logs."""

from __future__ import annotations

import hashlib
import hmac


class Pseudonyms:
    """HMAC-SHA256 with a secret key: stable per person, useless without the key."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the pseudonym key must be at least 16 bytes")
        self._key = key

    def _digest(self, *parts: str) -> str:
        data = "\x1f".join(parts).encode("utf-8")
        return hmac.new(self._key, data, hashlib.sha256).hexdigest()

    def fingerprint(self) -> str:
        """A keyed hash of a fixed text: tells whether two workers share the key."""
        return self._digest("key check")

    def subject(self, channel: str, user_ref: str) -> str:
        """The pseudonymous id of a person on a channel."""
        return self._digest("subject", channel, user_ref)

    def message(self, channel: str, message_id: str) -> str:
        """The hashed id of a message the bot sent (statuses find it by this id alone)."""
        return self._digest("message", channel, message_id)[:48]

    def inbound(self, channel: str, user_ref: str, message_id: str) -> str:
        """The hashed id of a message received, used to drop redeliveries.

        Keyed by the sender too: a message id is only unique per sender on some channels
        (REST's ``message_id`` and ``Idempotency-Key`` are chosen by each client).
        """
        return self._digest("inbound", channel, user_ref, message_id)[:48]
