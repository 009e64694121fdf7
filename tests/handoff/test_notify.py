"""Relays reached by e-mail (a real SMTP server on 127.0.0.1) and by signed webhooks."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

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
    [link] = re.findall(r"https://tremplin\.example\.org/relais/cas/(\S+)", body)
    case_id = await only_case_id(bot)
    assert case_id not in link  # a signed token, not the case id
    assert bot.handoffs.links.read(link).handoff_id == case_id
    assert "Ce lien est pour toi seul·e. Il marche jusqu'au " in body  # and until when


async def only_case_id(bot: Bot) -> str:
    async with bot.engine.connect() as connection:
        return str((await connection.execute(text("SELECT id FROM handoffs"))).scalar())


class FakeDns:
    """Answers name lookups from a table, and records them (tests run offline)."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host not in self.table:
            raise OSError("no such host")
        return self.table[host]


def webhook_relay(bot: Bot, url: str) -> None:
    """Pretend the Vaulx relay takes its cases through a webhook at ``url``."""
    relay = bot.handoffs.relays["citeslab_vaulx"]
    contact = relay.contact.model_copy(update={"webhook_url": url})
    bot.handoffs.relays["citeslab_vaulx"] = relay.model_copy(update={"contact": contact})


async def test_a_webhook_relay_gets_a_signed_event_retried_until_accepted(bot: Bot) -> None:
    received: list[dict[str, Any]] = []
    requests: list[httpx.Request] = []
    secret = "s3cret-for-vaulx"

    def relay_system(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if len(requests) == 1:
            return httpx.Response(503)  # a hiccup: the bot must try again
        body = request.read()
        if not verify_signature(body, request.headers.get(SIGNATURE_HEADER), secret):
            return httpx.Response(401)
        received.append(json.loads(body))
        return httpx.Response(200)

    client = httpx.AsyncClient(transport=httpx.MockTransport(relay_system))
    dns = FakeDns({"relay.example.org": ["93.184.215.14"]})
    bot.handoffs.webhook = WebhookNotifier(
        client, {"citeslab_vaulx": secret}, first_wait=0, resolver=dns
    )
    webhook_relay(bot, "https://relay.example.org/hook")
    chat = Chat(bot.handle)
    await intake(chat)
    await client.aclose()
    assert len(requests) == 2
    [event] = received
    assert event["type"] == "case.offered"
    assert event["case"]["pitch"] == PITCH
    # Sent to the address checked, for the name the relay gave (Host, and TLS's SNI).
    assert requests[-1].url.host == "93.184.215.14"
    assert requests[-1].headers["host"] == "relay.example.org"
    assert requests[-1].extensions["sni_hostname"] == "relay.example.org"
    # An opaque reference: neither the page's key (the case id) nor the person's id.
    case_id = await only_case_id(bot)
    body = requests[-1].content.decode()
    assert case_id not in body and chat.user not in body
    assert set(event) == {"type", "case_ref", "case"}
    assert "user_ref" not in event["case"] and "lead_id" not in event["case"]
    # The person erases their data: the relay's system hears of it under the same reference.
    client = httpx.AsyncClient(transport=httpx.MockTransport(relay_system))
    bot.handoffs.webhook.client = client
    await chat.say("supprimer mes données")
    await chat.choose("erase")
    await bot.drainer.settle()
    await client.aclose()
    assert received[-1] == {"type": "case.withdrawn", "case_ref": event["case_ref"]}


def test_a_tampered_webhook_body_fails_verification() -> None:
    from bot.handoff.notify import sign

    body = b'{"type": "case.offered"}'
    header = sign(body, "k")
    assert verify_signature(body, header, "k")
    assert not verify_signature(body + b" ", header, "k")
    assert not verify_signature(body, header, "other")
    assert not verify_signature(body, None, "k")


async def test_the_case_page_from_the_email_takes_the_case(bot: Bot) -> None:
    from bot.web.forms import FormGuard
    from bot.web.limits import FailureLimiter
    from bot.web.relay_pages import make_relay_pages
    from bot.web.server import make_web_app

    await intake(Chat(bot.handle))
    pages = make_relay_pages(
        lambda: bot.handoffs, forms=FormGuard(b"k" * 32), limiter=FailureLimiter()
    )
    case_id = await only_case_id(bot)
    token = bot.handoffs.links.token(case_id, "citeslab_vaulx")
    transport = httpx.ASGITransport(app=make_web_app(pages))
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
        page = await http.get(f"/relais/cas/{token}")
        assert PITCH in page.text
        assert "Je le prends" in page.text
        [csrf] = re.findall(r'name="csrf" value="([^"]+)"', page.text)
        form = {"csrf": csrf, "action": "accept"}
        taken = await http.post(f"/relais/cas/{token}", data=form, follow_redirects=True)
        assert "T-TAKEN." in taken.text
        assert (await http.get(f"/relais/cas/{case_id}")).status_code == 404
