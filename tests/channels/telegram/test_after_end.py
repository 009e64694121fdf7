"""After the hand-off, what comes in on Telegram goes to the after-end flow, not a new intake."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app.bot import Bot
from bot.store.leads import export_leads
from tests.channels.intake import go_through_intake
from tests.channels.telegram.conftest import Harness, make_harness
from tests.channels.telegram.fakes import payload
from tests.chat import Chat

SAMIRA = "5123400017"  # the person of the sample updates


@pytest.fixture
async def handed_off(bot: Bot) -> AsyncIterator[Harness]:
    """Samira went through the intake on Telegram; the channel now serves her."""
    chat = Chat(bot.handle, channel="telegram", user=SAMIRA)
    await chat.start("affiche-mirail-2026")
    await go_through_intake(chat)
    made = await make_harness(bot=bot)
    try:
        yield made
    finally:
        await made.channel.stop()


def texts(harness: Harness) -> str:
    return "\n".join(m["text"] for m in harness.request.sent())


async def test_a_message_after_the_end_gets_the_after_menu(handed_off: Harness, bot: Bot) -> None:
    await handed_off.receive(payload("text_message"))
    said = texts(handed_off)
    assert "T-AFTER?" in said
    assert "T-WELCOME." not in said and "T-AGE?" not in said
    [lead] = await export_leads(bot.engine, bot.cipher)
    assert lead["source"] == "affiche-mirail-2026"


async def test_the_deep_link_opened_again_does_not_restart_the_intake(
    handed_off: Harness,
) -> None:
    await handed_off.receive(payload("start_deeplink"))
    said = texts(handed_off)
    assert said  # an answer
    assert "T-AGE?" not in said  # not the intake's first question again
