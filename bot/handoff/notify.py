"""Reach a relay outside Telegram: e-mail over SMTP, or a signed webhook with retries."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import httpx

from bot.security.addresses import Resolver, UnsafeURLError, resolve_target, system_resolver

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Tremplin-Signature"


def sign(body: bytes, secret: str) -> str:
    """``sha256=<hex>`` HMAC of the raw body, as the webhook header carries it."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str | None, secret: str) -> bool:
    """What a receiving relay system runs: constant-time check of the header."""
    return header is not None and hmac.compare_digest(header, sign(body, secret))


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where e-mails go out."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = False


class EmailNotifier:
    """Sends plain-text e-mails through an SMTP server (in a thread: smtplib blocks)."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def _send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self.settings.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        with smtplib.SMTP(self.settings.host, self.settings.port, timeout=15) as smtp:
            if self.settings.starttls:
                smtp.starttls()
            if self.settings.username and self.settings.password:
                smtp.login(self.settings.username, self.settings.password)
            smtp.send_message(message)

    async def send(self, to: str, subject: str, body: str) -> bool:
        """True once the server accepted the message."""
        try:
            await asyncio.to_thread(self._send, to, subject, body)
            return True
        except (OSError, smtplib.SMTPException):
            log.warning("e-mail to a relay failed", exc_info=True)
            return False


class WebhookNotifier:
    """POSTs JSON events to a relay's system, signed with the relay's secret, with retries.

    The URL is checked at each send: https, and a host resolving (through
    ``resolver``) only to public addresses, the request going to the very address
    checked. ``allow_local`` lifts both rules, for tests and local development.
    Redirects are never followed (one could point inside the network).
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        secrets: dict[str, str],
        *,
        attempts: int = 3,
        first_wait: float = 1.0,
        resolver: Resolver = system_resolver,
        allow_local: bool = False,
    ) -> None:
        self.client = client
        self.secrets = secrets
        self.attempts = attempts
        self.first_wait = first_wait
        self.resolver = resolver
        self.allow_local = allow_local

    async def send(self, relay_id: str, url: str, event: dict[str, Any]) -> bool:
        """True once the relay's system answered 2xx; refuses to send unsigned."""
        secret = self.secrets.get(relay_id)
        if secret is None:
            log.warning("no webhook secret for relay %s: not sending", relay_id)
            return False
        try:
            target = await resolve_target(url, self.resolver, allow_local=self.allow_local)
        except UnsafeURLError as exc:
            log.warning("relay %s webhook not sent: %s", relay_id, exc)
            return False
        body = json.dumps(event, ensure_ascii=False).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "Host": target.netloc,
            SIGNATURE_HEADER: sign(body, secret),
        }
        wait = self.first_wait
        for attempt in range(1, self.attempts + 1):
            try:
                response = await self.client.post(
                    target.url,
                    content=body,
                    headers=headers,
                    extensions={"sni_hostname": target.host},  # TLS checks the name, not the IP
                    follow_redirects=False,
                )
                if response.is_success:
                    return True
                if response.status_code < 500 and response.status_code != 429:  # a 3xx too
                    log.warning("relay %s webhook refused (%s)", relay_id, response.status_code)
                    return False
            except httpx.HTTPError:
                log.warning("relay %s webhook unreachable (try %d)", relay_id, attempt)
            if attempt < self.attempts:
                await asyncio.sleep(wait)
                wait *= 2
        return False
