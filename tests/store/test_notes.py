"""Private notes on a case: encrypted, out of the thread, swept with old texts, erased."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app.bot import Bot
from bot.store.notes import notes, record_note
from bot.store.personal import erase_all
from bot.store.retention import purge
from bot.store.turns import TurnTx
from bot.store.web import record_message, thread
from tests.dbscan import count_rows

LEAD, CID, RELAY = "a" * 32, "c" * 64, "citeslab_vaulx"


async def noted(bot: Bot, text: str) -> None:
    async with bot.engine.begin() as connection:
        await connection.run_sync(
            lambda c: record_note(
                c, bot.cipher, lead_id=LEAD, conversation_id=CID, writer=RELAY, by="Samira",
                text=text,
            )
        )  # fmt: skip


async def test_a_note_is_encrypted_and_never_part_of_the_thread(bot: Bot) -> None:
    await noted(bot, "Rappeler jeudi")
    async with bot.engine.begin() as connection:
        await connection.run_sync(
            lambda c: record_message(
                c, bot.cipher, key="relay:1", lead_id=LEAD, conversation_id=CID,
                relay_id=RELAY, author="relay", text="Bonjour",
            )
        )  # fmt: skip
        said = await connection.run_sync(lambda c: thread(c, bot.cipher, LEAD, RELAY))
        kept = await connection.run_sync(lambda c: notes(c, bot.cipher, LEAD))
        raw = (await connection.exec_driver_sql("SELECT text FROM case_messages")).all()
    assert [(m.author, m.text) for m in said] == [("relay", "Bonjour")]
    assert [(n.by, n.text) for n in kept] == [("Samira", "Rappeler jeudi")]
    assert all("Rappeler" not in row[0] and "Samira" not in row[0] for row in raw)


async def test_notes_go_with_the_old_texts_and_with_the_case(bot: Bot) -> None:
    await noted(bot, "Rappeler jeudi")
    later = datetime.now(UTC) + timedelta(days=31)
    swept = await purge(
        bot.engine, bot.cipher, text_days=30, contact_months=12, grace_days=30, now=later
    )
    assert swept.texts >= 1 and await count_rows(bot.engine, "case_messages") == 0
    await noted(bot, "Encore une")
    async with bot.engine.begin() as connection:
        await connection.run_sync(lambda c: erase_all(TurnTx(c, CID, "rest", bot.cipher)))
    assert await count_rows(bot.engine, "case_messages") == 0
