"""Property: whatever path a resident takes, nothing personal is kept without consent."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from bot.app.bot import Bot
from bot.app.build import start_bot
from bot.app.settings import Settings
from tests.chat import Chat

TYPED = ["salut", "69120", "Roubaix", "oui", "non", "stop", "", "🙂", "Momo", "2", "1, 3",
         "Un atelier de couture", "parler à quelqu'un", "recommencer", "mes données"]  # fmt: skip
# Each move: press the n-th offered button (modulo), or type one of TYPED.
Move = tuple[str, int]
moves = st.lists(
    st.one_of(
        st.tuples(st.just("press"), st.integers(0, 11)),
        st.tuples(st.just("answer"), st.integers(0, 1)),
        st.tuples(st.just("answer"), st.integers(0, 1)),
        st.tuples(st.just("type"), st.integers(0, len(TYPED) - 1)),
    ),
    min_size=25,
    max_size=60,
)


@pytest.fixture
def running(settings: Settings) -> Iterator[tuple[asyncio.AbstractEventLoop, Bot]]:
    loop = asyncio.new_event_loop()
    bot = loop.run_until_complete(start_bot(settings, migrate=False))
    yield loop, bot
    loop.run_until_complete(bot.close())
    loop.close()


async def _walk(bot: Bot, user: str, path: list[Move]) -> None:
    chat = Chat(bot.handle, user=user)
    await chat.start()
    for kind, index in path:
        buttons = chat.buttons
        if kind == "answer":  # a plausible answer, so that many paths reach the consents
            await _answer(chat, index)
        elif kind == "press" and buttons:
            await chat.press(buttons[index % len(buttons)].title.removeprefix("✔ "))
        else:
            await chat.say(TYPED[index % len(TYPED)])


async def _answer(chat: Chat, index: int) -> None:
    # The tests' flows (tests/flows): questions without buttons are told by their text.
    last = chat.replies[-1].text if chat.replies else ""
    if "PLACE?" in last:  # T-PLACE? (main) or T-HUMAN-PLACE? (human)
        await chat.say("69120")
    elif chat.asks == "pitch":
        await chat.say("Un atelier de couture")
    elif chat.asks == "first_name":
        await chat.say("Momo")
    elif chat.asks == "phone":
        await chat.say("06 12 34 56 78")
    elif chat.asks == "needs":
        choice = chat.buttons[-1] if index == 0 else chat.buttons[index]
        await chat.press(choice.title.removeprefix("✔ "))
    elif chat.buttons:
        grown_up = [b for b in chat.buttons if not b.payload.endswith(":under15")]
        await chat.press(grown_up[index % len(grown_up)].title.removeprefix("✔ "))
    else:
        await chat.say("salut")


async def _kept(bot: Bot, subject: str) -> dict[str, int]:
    queries = {
        "consent": "SELECT count(*) FROM consents WHERE subject = :s AND purpose = 'contact' "
        "AND granted AND kind = 'answer'",
        "contacts": "SELECT count(*) FROM contacts WHERE conversation_id = :s",
        "leads": "SELECT count(*) FROM leads WHERE conversation_id = :s",
        "texts": "SELECT count(*) FROM messages WHERE conversation_id = :s AND text IS NOT NULL",
    }
    async with bot.engine.connect() as connection:
        return {
            name: int((await connection.execute(text(sql), {"s": subject})).scalar() or 0)
            for name, sql in queries.items()
        }


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(path=moves)
def test_no_contact_lead_or_text_without_consent(
    running: tuple[asyncio.AbstractEventLoop, Bot], path: list[Move]
) -> None:
    loop, bot = running
    user = f"walker-{next(_users)}"
    loop.run_until_complete(_walk(bot, user, path))
    subject = bot.dispatcher.pseudonyms.subject("rest", user)
    kept = loop.run_until_complete(_kept(bot, subject))
    event("contact consent given" if kept["consent"] else "no contact consent")
    if not kept["consent"]:
        assert kept == {"consent": 0, "contacts": 0, "leads": 0, "texts": 0}, path
    assert kept["leads"] <= 1


_users = itertools.count()
