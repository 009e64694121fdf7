"""A resident writing Arabic then English over the REST channel, to a lead in English."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.app.build import make_app
from bot.app.settings import Settings
from bot.domain.understanding import NLU
from bot.store.leads import export_leads
from tests.channels.languages import arabic_then_english, check_lead, lang_flows
from tests.channels.residents import RestResident
from tests.conftest import TEST_FLOWS


@pytest.fixture
def lang_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"flows_dir": lang_flows(TEST_FLOWS, tmp_path)})


async def test_arabic_then_english_to_a_lead_in_english(
    lang_settings: Settings, nlu: NLU | None
) -> None:
    app = make_app(lang_settings, nlu=nlu)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bot") as http,
    ):
        bot = app.state.bot()
        resident = RestResident(http, "rest-nour", bot.drainer.settle)
        await arabic_then_english(resident)
        check_lead(await export_leads(bot.engine, bot.cipher), "rest")
