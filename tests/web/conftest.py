"""A served bot with every channel on (REST, Telegram webhook, WhatsApp) and relays' pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

from bot.app.settings import Settings, TelegramSettings
from bot.domain.understanding import NLU
from tests.channels.telegram.botapi import FakeBotApi
from tests.channels.telegram.fakes import TOKEN
from tests.channels.telegram.test_e2e import SECRET
from tests.channels.whatsapp.conftest import whatsapp_settings
from tests.channels.whatsapp.fakes import FakeGraph

PUBLIC_URL = "https://tremplin.example.org"


def everything_on(settings: Settings, bot_api_url: str) -> Settings:
    """``settings`` with Telegram (webhook), WhatsApp and relays' links configured."""
    telegram = TelegramSettings(
        token=SecretStr(TOKEN),
        base_url=bot_api_url,
        webhook_url=f"{PUBLIC_URL}/webhooks/telegram/webhook",
        webhook_secret=SecretStr(SECRET),
        chat_per_second=1000,
        chat_burst=100,
    )
    handoff = settings.handoff.model_copy(update={"public_url": PUBLIC_URL})
    changes = {"telegram": telegram, "whatsapp": whatsapp_settings(), "handoff": handoff}
    return settings.model_copy(update=changes)


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as running:
        yield running


@pytest.fixture
async def full_app(
    settings: Settings, bot_api: FakeBotApi, nlu: NLU | None
) -> AsyncIterator[Starlette]:
    """The served app, started, every channel on (the Graph API faked in memory)."""
    from bot.app.build import make_app

    graph = FakeGraph()
    app = make_app(
        everything_on(settings, bot_api.url), nlu=nlu, whatsapp_transport=graph.transport
    )
    app.state.graph = graph
    async with app.router.lifespan_context(app):
        yield app


def scope(method: str, path: str, headers: dict[str, str]) -> dict[str, Any]:
    """An ASGI HTTP scope, as a server would build it."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (k.lower().encode(), v.encode()) for k, v in {"host": "bot", **headers}.items()
        ],
        "client": ("203.0.113.7", 50000),
        "server": ("bot", 80),
    }
