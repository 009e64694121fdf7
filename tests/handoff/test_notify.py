"""Relays reached by e-mail (a real SMTP server on 127.0.0.1) and by signed webhooks."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from bot.app.bot import Bot
from bot.handoff.notify import (
    SIGNATURE_HEADER,
    EmailNotifier,
    SmtpSettings,
    WebhookNotifier,
    verify_signature,
)
from tests.channels.intake import PITCH
from tests.chat import Chat
from tests.handoff.test_lifecycle import intake


class Inbox:
    """aiosmtpd handler keeping every message."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


async def test_a_relay_without_telegram_gets_the_case_by_email(
    bot: Bot, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    bot.handoffs.email = EmailNotifier(SmtpSettings("127.0.0.1", port, "bot@example.org"))
    bot.handoffs.config = type(bot.handoffs.config)(16, "https://tremplin.example.org")
    await intake(Chat(bot.handle))
    [mail] = inbox.messages
    assert mail["To"] == "samira.demo@example.org"
    assert mail["Subject"].startswith("Tremplin : nouveau dossier")
    body = mail.get_payload(decode=True).decode("utf-8")
    assert PITCH in body
    assert "https://tremplin.example.org/relais/cas/" in body


async def test_a_webhook_relay_gets_a_signed_event_retried_until_accepted(bot: Bot) -> None:
    received: list[dict[str, Any]] = []
    attempts: list[int] = []
    secret = "s3cret-for-vaulx"

    def relay_system(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        if len(attempts) == 1:
            return httpx.Response(503)  # a hiccup: the bot must try again
        body = request.read()
        if not verify_signature(body, request.headers.get(SIGNATURE_HEADER), secret):
            return httpx.Response(401)
        received.append(json.loads(body))
        return httpx.Response(200)

    client = httpx.AsyncClient(transport=httpx.MockTransport(relay_system))
    bot.handoffs.webhook = WebhookNotifier(client, {"citeslab_vaulx": secret}, first_wait=0)
    relay = bot.handoffs.relays["citeslab_vaulx"]
    contact = relay.contact.model_copy(update={"webhook_url": "https://relay.example.org/hook"})
    bot.handoffs.relays["citeslab_vaulx"] = relay.model_copy(update={"contact": contact})
    await intake(Chat(bot.handle))
    await client.aclose()
    assert len(attempts) == 2
    [event] = received
    assert event["type"] == "case.offered"
    assert event["case"]["pitch"] == PITCH


def test_a_tampered_webhook_body_fails_verification() -> None:
    from bot.handoff.notify import sign

    body = b'{"type": "case.offered"}'
    header = sign(body, "k")
    assert verify_signature(body, header, "k")
    assert not verify_signature(body + b" ", header, "k")
    assert not verify_signature(body, header, "other")
    assert not verify_signature(body, None, "k")


async def test_the_case_page_from_the_email_takes_the_case(bot: Bot) -> None:
    from bot.web.relay_pages import make_relay_pages
    from bot.web.server import make_web_app

    await intake(Chat(bot.handle))
    app = make_web_app(make_relay_pages(lambda: bot.handoffs))
    async with bot.engine.connect() as connection:
        from sqlalchemy import text

        case_id = (await connection.execute(text("SELECT id FROM handoffs"))).scalar()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
        page = await http.get(f"/relais/cas/{case_id}")
        assert PITCH in page.text
        assert "Je le prends" in page.text
        taken = await http.post(f"/relais/cas/{case_id}/accept", follow_redirects=True)
        assert "Tu as pris ce dossier" in taken.text
        assert (await http.get("/relais/cas/" + "0" * 32)).status_code == 404
