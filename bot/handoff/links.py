"""Relays' access to a case on the web: signed, expiring links, and webhooks' case reference."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.security.tokens import BadTokenError, Clock, ExpiredTokenError, TokenSigner, derive_key

LINK_PATH = "/relais/cas/"


@dataclass(frozen=True, slots=True)
class CaseAccess:
    """What a valid link opens: one hand-off, for the relay it was offered to."""

    handoff_id: str
    relay_id: str


class ExpiredLinkError(Exception):
    """A link we signed, now too old; ``access`` says which case it was for."""

    def __init__(self, access: CaseAccess) -> None:
        super().__init__("expired link")
        self.access = access


class CaseLinks:
    """Signs and reads the links relays get by e-mail; derives the reference webhooks carry.

    A link holds a token signed over (hand-off id, relay id, expiry), with a key derived
    from ``master``: the case id alone opens nothing, a link cannot be altered to open
    another case, and it stops working after ``valid_for``. The webhooks' reference is
    a keyed digest of (relay, lead): stable across a case's events for that relay,
    meaningless to anyone else, and no credential for any page.
    """

    def __init__(
        self,
        master: bytes,
        *,
        valid_for: timedelta = timedelta(days=7),
        clock: Clock = lambda: datetime.now(UTC),
    ) -> None:
        self.valid_for = valid_for
        self.clock = clock
        self._signer = TokenSigner([derive_key(master, "relay-link")], "relay-link", clock=clock)
        self._reference_key = derive_key(master, "case-reference")

    def token(self, handoff_id: str, relay_id: str) -> str:
        """The token of a new link to ``handoff_id`` for ``relay_id``."""
        claims = {"h": handoff_id, "r": relay_id}
        return self._signer.sign(claims, self.expiry())

    def expiry(self) -> datetime:
        """When a link made now stops working."""
        return self.clock() + self.valid_for

    def url(self, public_url: str, handoff_id: str, relay_id: str) -> str:
        """The full link, under the server's public URL."""
        return f"{public_url.rstrip('/')}{LINK_PATH}{self.token(handoff_id, relay_id)}"

    def read(self, token: str) -> CaseAccess:
        """The case a link's token opens.

        Raises :class:`ExpiredLinkError` for one of ours that is too old, and
        ``BadTokenError`` for anything else.
        """
        try:
            claims = self._signer.verify(token)
        except ExpiredTokenError as expired:
            raise ExpiredLinkError(_access(expired.claims)) from None
        return _access(claims)

    def case_ref(self, lead_id: str, relay_id: str) -> str:
        """The opaque reference of a case in the events sent to ``relay_id``'s system."""
        message = f"{relay_id}\x00{lead_id}".encode()
        return hmac.new(self._reference_key, message, hashlib.sha256).hexdigest()[:24]


def _access(claims: dict[str, object]) -> CaseAccess:
    handoff_id, relay_id = claims.get("h"), claims.get("r")
    if not isinstance(handoff_id, str) or not isinstance(relay_id, str):
        raise BadTokenError("not a case link")
    return CaseAccess(handoff_id, relay_id)
