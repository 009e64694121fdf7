"""Sending under Telegram's limits: retry after a 429, stop on a blocked bot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.domain.messages import Button, Outbound
from tests.channels.telegram.conftest import RELAY_CHAT, Harness, make_harness
from tests.channels.telegram.fakes import payload

SAMIRA = "5123400017"
BLOCKED = "Forbidden: bot was blocked by the user"

# PTB 22 itself warns when it builds a RetryAfter (its int-to-timedelta migration).
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_a_429_is_waited_out_and_the_message_sent_again(harness: Harness) -> None:
    harness.request.fail("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    await harness.receive(payload("text_message"))
    assert harness.sleep.waits == [7.0]
    attempts = harness.request.sent()
    assert len(attempts) == 2 and attempts[0] == attempts[1]
    [ids] = harness.turns.delivered
    assert ids[0] is not None


@pytest.fixture
async def impatient() -> AsyncIterator[Harness]:
    made = await make_harness(max_retries=2, max_wait=30)
    try:
        yield made
    finally:
        await made.channel.stop()


async def test_flood_control_is_retried_a_bounded_number_of_times(impatient: Harness) -> None:
    for _ in range(3):
        impatient.request.fail("sendMessage", 429, "Too Many Requests", retry_after=1)
    impatient.turns.replies = [Outbound("un"), Outbound("deux")]
    await impatient.receive(payload("text_message"))
    assert impatient.sleep.waits == [1.0, 1.0]
    assert len(impatient.request.sent()) == 3  # the first reply, three times; not the second
    assert impatient.turns.delivered == [(None, None)]


async def test_a_wait_longer_than_allowed_is_not_retried(impatient: Harness) -> None:
    impatient.request.fail("sendMessage", 429, "Too Many Requests", retry_after=3600)
    await impatient.receive(payload("text_message"))
    assert impatient.sleep.waits == []
    assert impatient.turns.delivered == [(None,)]


async def test_a_blocked_bot_marks_the_resident_unreachable_and_stops(harness: Harness) -> None:
    harness.request.fail("sendMessage", 403, BLOCKED)
    harness.turns.replies = [Outbound("un"), Outbound("deux", (Button("/a:b", "OK"),))]
    await harness.receive(payload("text_message"))
    assert harness.unreachable.user_refs == [SAMIRA]
    assert len(harness.request.sent()) == 1
    assert harness.turns.delivered == [(None, None)]


async def test_other_errors_stop_the_turn_without_blaming_the_person(harness: Harness) -> None:
    harness.request.fail("sendMessage", 400, "Bad Request: chat not found")
    harness.turns.replies = [Outbound("un"), Outbound("deux")]
    await harness.receive(payload("text_message"))
    assert harness.unreachable.user_refs == []
    assert len(harness.request.sent()) == 1


async def test_a_card_with_buttons_can_be_sent_to_a_relay_chat(harness: Harness) -> None:
    card = Outbound(
        "Nouveau cas : food truck à Vaulx-en-Velin",
        (Button("/case:take", "Je le prends"), Button("/case:pass", "Pas pour moi")),
    )
    [sent_id] = await harness.channel.deliver(RELAY_CHAT, [card])
    [sent] = harness.request.sent()
    assert sent["chat_id"] == int(RELAY_CHAT)
    assert [row[0]["callback_data"] for row in sent["reply_markup"]["inline_keyboard"]] == [
        "/case:take",
        "/case:pass",
    ]
    assert sent_id is not None and sent_id.startswith(f"{RELAY_CHAT}:")


async def test_a_relay_chat_that_removed_the_bot_is_not_a_resident(harness: Harness) -> None:
    harness.request.fail("sendMessage", 403, "Forbidden: bot was kicked from the group chat")
    assert await harness.channel.deliver(RELAY_CHAT, [Outbound("Rappel")]) == (None,)
    assert harness.unreachable.user_refs == []


async def test_the_bot_can_write_first_to_a_resident(harness: Harness) -> None:
    assert await harness.channel.push(SAMIRA, Outbound("Samira t'a répondu : à demain !"))
    [sent] = harness.request.sent()
    assert sent["chat_id"] == int(SAMIRA)
    harness.request.fail("sendMessage", 403, BLOCKED)
    assert not await harness.channel.push(SAMIRA, Outbound("Rappel"))
    assert harness.unreachable.user_refs == [SAMIRA]
