"""A resident writing Arabic then English on Telegram, to a lead in English."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.app.build import make_app
from bot.app.settings import Settings, TelegramSettings
from bot.channels.telegram.channel import TelegramChannel
from bot.domain.understanding import NLU
from bot.store.leads import export_leads
from tests.channels.languages import arabic_then_english, check_lead, lang_flows
from tests.channels.telegram.botapi import FakeBotApi, TelegramResident
from tests.channels.telegram.fakes import TOKEN
from tests.conftest import TEST_FLOWS


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as running:
        yield running


async def test_arabic_then_english_to_a_lead_in_english(
    settings: Settings, tmp_path: Path, server: FakeBotApi, nlu: NLU | None
) -> None:
    config = TelegramSettings(
        token=SecretStr(TOKEN), base_url=server.url, poll_timeout=1, chat_per_second=1000
    )
    flows = lang_flows(TEST_FLOWS, tmp_path)
    settings = settings.model_copy(update={"telegram": config, "flows_dir": flows})
    app = make_app(settings, nlu=nlu)
    async with app.router.lifespan_context(app):
        channel: TelegramChannel = app.state.telegram

        async def deliver(update: dict[str, Any]) -> None:
            await server.push(update)
            await server.confirmed(update["update_id"])
            await channel.idle()

        resident = TelegramResident(server, deliver)
        await arabic_then_english(resident)
        bot = app.state.bot()
        check_lead(await export_leads(bot.engine, bot.cipher), "telegram")
