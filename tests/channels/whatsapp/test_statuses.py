"""Delivery statuses: kept once, out of order or repeated, ending in the right state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from bot.app.bot import Bot
from tests.channels.whatsapp.fakes import FakeGraph, Phone, Post, status_webhook
from tests.dbscan import count_rows

T0 = 1_764_150_101


async def state_of(bot: Bot, wamid: str) -> tuple[Any, ...] | None:
    """(status, error_code) of the logged outbound message that has this WhatsApp id."""
    hashed = bot.dispatcher.pseudonyms.message("whatsapp", wamid)
    async with bot.engine.connect() as connection:
        row = (
            await connection.execute(
                text(
                    "SELECT status, error_code FROM messages "
                    "WHERE direction = 'out' AND channel_message_id = :mid"
                ),
                {"mid": hashed},
            )
        ).first()
    return None if row is None else tuple(row)


async def test_statuses_out_of_order_and_repeated_end_in_the_right_state(
    phone: Phone, post: Post, graph: FakeGraph, wa_bot: Bot
) -> None:
    await phone.say("salut")
    question = phone.received[-1]["id"]
    assert await state_of(wa_bot, question) == (None, None)
    for status, at in (("read", 3), ("sent", 1), ("delivered", 2), ("read", 3), ("sent", 1)):
        assert (await post(status_webhook(question, status, T0 + at))).status_code == 200
    assert await state_of(wa_bot, question) == ("read", None)
    assert await count_rows(wa_bot.engine, "delivery_events") == 3

    welcome = phone.received[0]["id"]
    await post(status_webhook(welcome, "delivered", T0 + 2))
    await post(status_webhook(welcome, "sent", T0 + 1))
    assert await state_of(wa_bot, welcome) == ("delivered", None)  # never back to sent


async def test_a_failure_is_final_and_keeps_its_code(phone: Phone, post: Post, wa_bot: Bot) -> None:
    await phone.say("salut")
    wamid = phone.received[-1]["id"]
    await post(status_webhook(wamid, "sent", T0))
    await post(status_webhook(wamid, "failed", T0 + 1, code=131049))
    await post(status_webhook(wamid, "delivered", T0 + 2))
    await post(status_webhook(wamid, "read", T0 + 3))
    assert await state_of(wa_bot, wamid) == ("failed", "131049")


async def test_a_status_arriving_before_the_message_id_is_logged_is_applied_later(
    phone: Phone, post: Post, graph: FakeGraph, wa_bot: Bot
) -> None:
    # Meta can report "sent" before the bot has attached the id to its log.
    early = [f"wamid.OUT{n}" for n in (1, 2)]
    for wamid in early:
        await post(status_webhook(wamid, "delivered", T0))
    await phone.say("salut")
    assert [m["id"] for m in phone.received] == early
    for wamid in early:
        assert await state_of(wa_bot, wamid) == ("delivered", None)


async def test_the_sample_status_payloads_are_understood(
    phone: Phone, post: Post, wa_bot: Bot
) -> None:
    from tests.channels.whatsapp.fakes import payload

    await phone.say("salut")
    for name in ("status_sent", "status_delivered", "status_read", "status_failed"):
        assert (await post(payload(name))).status_code == 200
    assert await count_rows(wa_bot.engine, "delivery_events") == 4
