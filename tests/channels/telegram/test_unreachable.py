"""A resident who blocked the bot is stamped unreachable, and reachable again on writing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from sqlalchemy import select

from bot.app.bot import Bot
from bot.store.contacts import mark_unreachable
from bot.store.turns import contacts
from tests.channels.intake import answer_up_to_consent
from tests.channels.telegram.conftest import Harness, make_harness
from tests.channels.telegram.fakes import payload
from tests.chat import Chat

SAMIRA = "5123400017"


async def unreachable_at(bot: Bot, user_ref: str = SAMIRA) -> datetime | None:
    subject = bot.dispatcher.pseudonyms.subject("telegram", user_ref)
    async with bot.engine.connect() as connection:
        row = (
            await connection.execute(
                select(contacts.c.unreachable_at).where(contacts.c.conversation_id == subject)
            )
        ).first()
    assert row is not None, "no contact kept"
    return row.unreachable_at


@pytest.fixture
async def kept(bot: Bot) -> Bot:
    """Samira went through the intake on Telegram and agreed to keep her contact."""
    chat = Chat(bot.handle, channel="telegram", user=SAMIRA)
    await chat.say("salut")
    await answer_up_to_consent(chat)
    assert chat.asks == "consent_contact"
    await chat.choose("yes")
    assert chat.asks == "consent_relay"
    assert await unreachable_at(bot) is None
    return bot


@pytest.fixture
async def served(kept: Bot) -> AsyncIterator[Harness]:
    made = await make_harness(bot=kept)
    try:
        yield made
    finally:
        await made.channel.stop()


async def test_a_forbidden_reply_stamps_the_contact_until_she_writes_again(
    served: Harness, kept: Bot
) -> None:
    served.request.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await served.receive(payload("text_message"))
    assert await unreachable_at(kept) is not None
    again = payload("text_message")
    again["update_id"] += 100
    again["message"]["message_id"] += 100
    await served.receive(again)
    assert await unreachable_at(kept) is None


async def test_blocking_the_bot_stamps_the_contact_at_once(served: Harness, kept: Bot) -> None:
    await served.receive(payload("blocked_bot"))
    assert await unreachable_at(kept) is not None


async def test_nothing_is_written_for_someone_whose_contact_is_not_kept(bot: Bot) -> None:
    subject = bot.dispatcher.pseudonyms.subject("telegram", "42")
    assert await mark_unreachable(bot.dispatcher.store, subject, "telegram") is False
