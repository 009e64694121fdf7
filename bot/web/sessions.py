"""Sign-in links sent by e-mail and the session cookie: signed, expiring, nothing stored."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.security.tokens import BadTokenError, Clock, TokenSigner, derive_key

SIGN_IN_PATH = "/connexion/lien/"


@dataclass(frozen=True, slots=True)
class SignInLink:
    """What a sign-in link carries: whose it is, its one-time id, and its expiry."""

    key: str  # an address, or ``relay:<id>`` for a link sent to a relay's Telegram chat
    token_id: str
    expires_at: datetime


class SignInLinks:
    """Signs the links of sign-in e-mails and reads them back.

    A link is a token over (address, a random id, expiry) with a key of its own: it
    cannot be forged or altered, stops working after ``valid_for``, and its id is
    recorded when used (``bot/store/web.py``), so it works once.
    """

    def __init__(
        self,
        master: bytes,
        *,
        valid_for: timedelta = timedelta(minutes=20),
        clock: Clock = lambda: datetime.now(UTC),
    ) -> None:
        self.valid_for = valid_for
        self.clock = clock
        self._signer = TokenSigner([derive_key(master, "web-sign-in")], "web-sign-in", clock=clock)

    def token(self, key: str) -> str:
        """A new link's token for ``key`` (an address, or ``relay:<id>``)."""
        claims = {"e": key, "j": secrets.token_hex(16)}
        return self._signer.sign(claims, self.clock() + self.valid_for)

    def url(self, public_url: str, key: str) -> str:
        """The full link, under the server's public URL."""
        return f"{public_url.rstrip('/')}{SIGN_IN_PATH}{self.token(key)}"

    def read(self, token: str) -> SignInLink:
        """The link's claims; raises ``BadTokenError`` (``ExpiredTokenError``: too old)."""
        claims = self._signer.verify(token)
        email, token_id = claims.get("e"), claims.get("j")
        if not isinstance(email, str) or not isinstance(token_id, str):
            raise BadTokenError("not a sign-in link")
        # The signature checked the expiry; a used link's row is kept until then.
        return SignInLink(email, token_id, self.clock() + self.valid_for)


class Sessions:
    """The session cookie's value: a token over the address, valid for ``lasts``.

    Nothing is stored server-side: the role is looked up again at each request
    (``bot/web/access.py``), so a person removed from the directory or the settings
    loses access at once, whatever their cookie says.
    """

    def __init__(
        self,
        master: bytes,
        *,
        lasts: timedelta = timedelta(hours=12),
        clock: Clock = lambda: datetime.now(UTC),
    ) -> None:
        self.lasts = lasts
        self.clock = clock
        self._signer = TokenSigner([derive_key(master, "web-session")], "web-session", clock=clock)

    def open(self, key: str) -> str:
        """A session's cookie value for ``key`` (see :class:`SignInLink`), stamped with
        when it was opened (milliseconds), so signing out everywhere can end it."""
        opened = int(self.clock().timestamp() * 1000)
        claims: dict[str, str | int] = {"e": key, "n": secrets.token_urlsafe(8), "i": opened}
        return self._signer.sign(claims, self.clock() + self.lasts)

    def read(self, cookie: str | None) -> str | None:
        """The key of a valid session, else ``None``."""
        found = self.read_opened(cookie)
        return found[0] if found else None

    def read_opened(self, cookie: str | None) -> tuple[str, datetime] | None:
        """The key of a valid session and when it was opened (a session from before the
        stamp existed: the epoch, so any sign-out everywhere ends it), else ``None``."""
        if not cookie:
            return None
        try:
            claims: dict[str, Any] = self._signer.verify(cookie)
        except BadTokenError:
            return None
        email, opened = claims.get("e"), claims.get("i")
        if not isinstance(email, str):
            return None
        millis = opened if isinstance(opened, int) else 0
        return email, datetime.fromtimestamp(millis / 1000, UTC)
