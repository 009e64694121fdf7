"""Authenticate WhatsApp webhooks: the subscription handshake and the body's signature."""

from __future__ import annotations

import hashlib
import hmac

PATH = "/webhooks/whatsapp/webhook"
SIGNATURE_HEADER = "x-hub-signature-256"


class SignatureError(Exception):
    """The body is not signed with our app secret."""


def verify_signature(body: bytes, header: str | None, app_secret: bytes) -> None:
    """Check ``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body); raises if wrong."""
    if not header or not header.startswith("sha256="):
        raise SignatureError("missing signature")
    expected = hmac.new(app_secret, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), header.removeprefix("sha256=").encode()):
        raise SignatureError("bad signature")


def verify_handshake(params: dict[str, str], verify_token: str) -> str:
    """The challenge to echo when Meta's subscription request carries our token."""
    token = params.get("hub.verify_token", "")
    if params.get("hub.mode") != "subscribe" or not hmac.compare_digest(
        token.encode(), verify_token.encode()
    ):
        raise SignatureError("wrong verify token")
    return params.get("hub.challenge", "")
