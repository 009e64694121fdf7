"""Forms of a page reached by a link: a synchronizer token each, and same-origin posts only."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import OrderedDict
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from bot.security.tokens import BadTokenError, Clock, TokenSigner

FIELD = "csrf"
# A browser says where a request comes from; these mean "from this site" or "typed/bookmarked".
_OWN_SITE = ("same-origin", "none")


def _digest(link_token: str) -> str:
    return hashlib.sha256(link_token.encode("utf-8")).hexdigest()[:32]


class FormGuard:
    """Issues and checks the hidden token of each form, and refuses cross-site posts.

    A form's token is signed over a digest of the page's link token and a fresh nonce,
    and lasts ``lifetime``: it only works on the page it was served with, cannot be
    made without the key, and a nonce that already acted is refused (per process; the
    hand-off's own status checks make a replay elsewhere harmless too). A post whose
    browser says it comes from another site (``Sec-Fetch-Site``, ``Origin``) is refused
    before anything is read.
    """

    def __init__(
        self,
        key: bytes,
        *,
        public_url: str | None = None,
        lifetime: timedelta = timedelta(hours=24),
        remember: int = 4096,
        clock: Clock = lambda: datetime.now(UTC),
    ) -> None:
        self._signer = TokenSigner([key], "relay-form", clock=clock)
        self._lifetime = lifetime
        self._clock = clock
        self._remember = remember
        self._used: OrderedDict[str, None] = OrderedDict()
        self._public = urlsplit(public_url) if public_url else None

    def issue(self, link_token: str) -> str:
        """The hidden token of a form on the page of ``link_token``."""
        claims = {"l": _digest(link_token), "n": secrets.token_urlsafe(12)}
        return self._signer.sign(claims, self._clock() + self._lifetime)

    def check(self, form_token: str, link_token: str) -> None:
        """Accept the token once; raises ``BadTokenError`` when forged, stale or used."""
        claims = self._signer.verify(form_token)
        bound = claims.get("l")
        if not isinstance(bound, str) or not hmac.compare_digest(bound, _digest(link_token)):
            raise BadTokenError("a form of another page")
        nonce = str(claims.get("n"))
        if nonce in self._used:
            raise BadTokenError("a form sent twice")
        self._used[nonce] = None
        while len(self._used) > self._remember:
            self._used.popitem(last=False)

    def same_origin(self, headers: Mapping[str, str]) -> bool:
        """False when the browser says the post comes from another site.

        ``Sec-Fetch-Site`` when the browser sends it; else ``Origin``, which must name
        this server (its ``Host``, or the configured public URL). A client sending
        neither (an old browser, a script) still needs the form's token.
        """
        site = headers.get("sec-fetch-site")
        if site is not None:
            # The browser's own word, which no page can set. Trusted alone: under our
            # ``Referrer-Policy: no-referrer`` Chromium sends ``Origin: null`` even for a
            # form of our own page (found by the browser tests).
            return site in _OWN_SITE
        origin = headers.get("origin")
        if origin is None:
            return True
        parts = urlsplit(origin)
        if not parts.netloc:  # "null": a sandboxed frame, a file, a data: URL
            return False
        if self._public is not None and (parts.scheme, parts.netloc) == (
            self._public.scheme,
            self._public.netloc,
        ):
            return True
        return parts.netloc == headers.get("host")
