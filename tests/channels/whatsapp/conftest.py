"""A bot serving WhatsApp through the ASGI app, against a fake Graph API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

from bot.app.bot import Bot
from bot.app.build import make_app
from bot.app.settings import Settings, WhatsAppSettings, WhatsAppTemplate
from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.channels.whatsapp.webhook import PATH
from bot.domain.understanding import NLU
from tests.channels.whatsapp.fakes import (
    ACCESS_TOKEN,
    API_VERSION,
    APP_SECRET,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    FakeGraph,
    Phone,
    Post,
    sign,
)

FOLLOWUP = WhatsAppTemplate(name="tremplin_relance", language="fr", parameters=["first_name"])
HANDOFF = WhatsAppTemplate(name="tremplin_ecris_nous", language="fr")


def whatsapp_settings(**changes: Any) -> WhatsAppSettings:
    """A configured channel that never waits (pacing and back-off off)."""
    values: dict[str, Any] = {
        "access_token": SecretStr(ACCESS_TOKEN),
        "app_secret": SecretStr(APP_SECRET),
        "verify_token": SecretStr(VERIFY_TOKEN),
        "phone_number_id": PHONE_NUMBER_ID,
        "api_version": API_VERSION,
        "graph_url": "https://graph.test",
        "templates": {"followup": FOLLOWUP, "handoff": HANDOFF},
        "max_per_second": 1_000_000,
        "retry_delay": 0,
        "max_retry_delay": 0,
    }
    return WhatsAppSettings(**{**values, **changes})


@pytest.fixture
def graph() -> FakeGraph:
    return FakeGraph()


@pytest.fixture
def wa_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"whatsapp": whatsapp_settings()})


@pytest.fixture
async def wa_app(
    wa_settings: Settings, graph: FakeGraph, nlu: NLU | None
) -> AsyncIterator[Starlette]:
    app = make_app(wa_settings, nlu=nlu, whatsapp_transport=graph.transport)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
def whatsapp(wa_app: Starlette) -> WhatsAppChannel:
    channel = wa_app.state.whatsapp
    assert isinstance(channel, WhatsAppChannel)
    return channel


@pytest.fixture
def wa_bot(wa_app: Starlette) -> Bot:
    running = wa_app.state.bot()
    assert isinstance(running, Bot)
    return running


@pytest.fixture
async def client(wa_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=wa_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
        yield http


@pytest.fixture
def post(client: httpx.AsyncClient, whatsapp: WhatsAppChannel, wa_bot: Bot) -> Post:
    """Deliver a signed webhook, then wait until the bot has processed it (and the jobs
    it queued, as a person would wait)."""

    async def deliver(data: dict[str, Any]) -> httpx.Response:
        body = json.dumps(data).encode()
        headers = {"content-type": "application/json", "x-hub-signature-256": sign(body)}
        response = await client.post(PATH, content=body, headers=headers)
        await whatsapp.drain()
        await wa_bot.drainer.settle()
        return response

    return deliver


@pytest.fixture
def phone(post: Post, graph: FakeGraph) -> Phone:
    return Phone(post, graph)
