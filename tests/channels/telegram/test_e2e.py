"""End to end over HTTP: the served bot against a fake Bot API server, polling and webhook."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from bot.app.build import make_app
from bot.app.keys import make_cipher
from bot.app.settings import Settings, TelegramSettings
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH
from bot.cli import main
from bot.domain.understanding import NLU
from bot.store.database import make_engine
from bot.store.leads import export_leads
from tests.channels.intake import (
    FIRST_NAME,
    TYPED_INTAKE,
    check_typed_answer,
    check_typed_lead,
    go_through_intake,
)
from tests.channels.telegram.botapi import FakeBotApi, TelegramResident
from tests.channels.telegram.fakes import TOKEN

SECRET = "webhook-secret_of-the-tests"
PUBLIC_URL = f"https://tremplin.example.org{WEBHOOK_PATH}"
PITCH = "Un food truck de crêpes au marché du samedi"


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as running:
        yield running


def telegram_settings(settings: Settings, server: FakeBotApi, *, webhook: bool) -> Settings:
    config = TelegramSettings(
        token=SecretStr(TOKEN),
        base_url=server.url,
        webhook_url=PUBLIC_URL if webhook else None,
        webhook_secret=SecretStr(SECRET) if webhook else None,
        poll_timeout=1,
        chat_per_second=1000,  # the real pacing is about 1 a second: no waiting in tests
        chat_burst=100,
    )
    return settings.model_copy(update={"telegram": config})


async def intake(resident: TelegramResident) -> None:
    """A deep link from a poster, then the test intake by buttons."""
    await resident.open_link("affiche-mirail-2026")
    assert resident.said("T-WELCOME.")
    await go_through_intake(resident, pitch=PITCH)


async def exported(settings: Settings) -> list[dict[str, Any]]:
    engine = make_engine(settings.database_url)
    try:
        return await export_leads(engine, make_cipher(settings))
    finally:
        await engine.dispose()


def check_lead(leads: list[dict[str, Any]]) -> None:
    [lead] = leads
    assert lead["channel"] == "telegram"
    assert lead["user_ref"] == "5123400017"
    assert lead["source"] == "affiche-mirail-2026"
    assert (lead["stage"], lead["sector"], lead["commune"]) == (
        "idea",
        "restauration",
        "Vaulx-en-Velin",
    )
    assert (lead["needs"], lead["pitch"], lead["first_name"]) == (["argent"], PITCH, FIRST_NAME)
    assert lead["relay_id"] == "citeslab_vaulx"
    assert sorted(c["purpose"] for c in lead["consents"]) == ["contact", "relay"]


async def test_a_resident_goes_through_the_intake_by_polling(
    settings: Settings, server: FakeBotApi, nlu: NLU | None
) -> None:
    settings = telegram_settings(settings, server, webhook=False)
    app = make_app(settings, nlu=nlu)
    async with app.router.lifespan_context(app):
        channel: TelegramChannel = app.state.telegram
        assert server.called("deleteWebhook")  # polling starts by removing any webhook

        async def deliver(update: dict[str, Any]) -> None:
            await server.push(update)
            await server.confirmed(update["update_id"])
            await channel.idle()

        resident = TelegramResident(server, deliver)
        await intake(resident)
        assert len(server.called("answerCallbackQuery")) == resident.presses
    polls = server.called("getUpdates")
    assert polls[-1]["timeout"] == "0"  # the last call only confirms what was fetched
    check_lead(await exported(settings))


async def test_a_resident_goes_through_the_intake_through_the_webhook(
    settings: Settings, server: FakeBotApi, nlu: NLU | None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    settings = telegram_settings(settings, server, webhook=True)
    app = make_app(settings, nlu=nlu)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bot") as http,
    ):
        channel: TelegramChannel = app.state.telegram

        async def deliver(update: dict[str, Any]) -> None:
            response = await http.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET})
            assert response.status_code == 200
            await channel.idle()

        resident = TelegramResident(server, deliver)
        await intake(resident)
        refused = await http.post(WEBHOOK_PATH, json={"update_id": 1}, headers={SECRET_HEADER: "x"})
        assert refused.status_code == 403
        assert (await http.get("/health")).status_code == 200
    assert server.called("getUpdates") == []  # no polling with a webhook
    check_lead(await exported(settings))
    assert TOKEN not in caplog.text  # Bot API URLs carry the token: never logged
    assert PITCH not in caplog.text  # nor what people write


async def test_a_resident_who_only_types_goes_through_to_the_lead_and_after(
    settings: Settings, server: FakeBotApi, nlu: NLU | None
) -> None:
    settings = telegram_settings(settings, server, webhook=False)
    app = make_app(settings, nlu=nlu)
    async with app.router.lifespan_context(app):
        channel: TelegramChannel = app.state.telegram

        async def deliver(update: dict[str, Any]) -> None:
            await server.push(update)
            await server.confirmed(update["update_id"])
            await channel.idle()
            await app.state.bot().drainer.settle()  # the hand-off, as a person waits

        resident = TelegramResident(server, deliver)
        for typed, expected in TYPED_INTAKE:
            await resident.say(typed)
            check_typed_answer(typed, resident.text, expected)
        assert resident.presses == 0 and server.called("answerCallbackQuery") == []
    check_typed_lead(await exported(settings), "telegram", "5123400017")


async def test_webhook_commands_talk_to_the_configured_bot_api(
    settings: Settings, server: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_TELEGRAM__TOKEN", TOKEN)
    monkeypatch.setenv("BOT_TELEGRAM__BASE_URL", server.url)
    monkeypatch.setenv("BOT_TELEGRAM__WEBHOOK_URL", PUBLIC_URL)
    monkeypatch.setenv("BOT_TELEGRAM__WEBHOOK_SECRET", SECRET)
    assert await asyncio.to_thread(main, ["telegram", "set-webhook"]) == 0
    [call] = server.called("setWebhook")
    assert (call["url"], call["secret_token"]) == (PUBLIC_URL, SECRET)
    assert call["allowed_updates"] == [
        "message",
        "edited_message",
        "callback_query",
        "my_chat_member",
    ]
    assert await asyncio.to_thread(main, ["telegram", "delete-webhook", "--drop-pending"]) == 0
    [deleted] = server.called("deleteWebhook")
    assert deleted["drop_pending_updates"] == "true"
    assert await asyncio.to_thread(main, ["telegram", "webhook-info"]) == 0
    monkeypatch.delenv("BOT_TELEGRAM__WEBHOOK_SECRET")
    assert await asyncio.to_thread(main, ["telegram", "set-webhook"]) == 2  # fail closed
