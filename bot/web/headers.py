"""Security headers on every answer: no caching, no framing, no referrer, no sniffing."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# JSON and plain answers need nothing from a browser: the strictest policy.
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DEFAULTS: Mapping[str, str] = {
    "cache-control": "no-store",  # case sheets, replies: nothing we serve may be kept
    "content-security-policy": API_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",  # a link's token never leaks to another site
    "cross-origin-opener-policy": "same-origin",
}


def page_policy(style: str) -> str:
    """The policy of an HTML page whose only style is ``style`` and whose forms post here."""
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode()
    return (
        f"default-src 'none'; style-src 'sha256-{digest}'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )


class SecurityHeaders:
    """ASGI middleware adding :data:`DEFAULTS` to every HTTP answer that lacks them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _value in headers}
                headers += [
                    (name.encode("latin-1"), value.encode("latin-1"))
                    for name, value in DEFAULTS.items()
                    if name.encode("latin-1") not in present
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
