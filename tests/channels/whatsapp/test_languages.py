"""A resident writing Arabic then English on WhatsApp (lists and reply buttons in each
language), to a lead in English."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app.bot import Bot
from bot.app.settings import Settings
from bot.store.leads import export_leads
from tests.channels.languages import arabic_then_english, check_lead, lang_flows
from tests.channels.whatsapp.conftest import whatsapp_settings
from tests.channels.whatsapp.fakes import Phone
from tests.conftest import TEST_FLOWS


@pytest.fixture
def wa_settings(settings: Settings, tmp_path: Path) -> Settings:
    flows = lang_flows(TEST_FLOWS, tmp_path)
    return settings.model_copy(update={"whatsapp": whatsapp_settings(), "flows_dir": flows})


async def test_arabic_then_english_to_a_lead_in_english(phone: Phone, wa_bot: Bot) -> None:
    await arabic_then_english(phone)
    check_lead(await export_leads(wa_bot.engine, wa_bot.cipher), "whatsapp")


async def test_the_list_button_is_in_the_persons_language(phone: Phone, wa_bot: Bot) -> None:
    await phone.say("السلام عليكم، بغيت نحل مطعم")
    assert phone.said("[ar] T-AGE?")
    listed = [m for m in phone.received if (m.get("interactive") or {}).get("type") == "list"]
    assert listed[-1]["interactive"]["action"]["button"] == "[ar] T-List"
