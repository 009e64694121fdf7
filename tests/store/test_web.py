"""What the web app keeps: sign-in links used once, case threads kept, rotated, purged, erased."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app.bot import Bot
from bot.app.settings import Settings
from bot.privacy.crypto import FernetCipher
from bot.store.personal import erase_all
from bot.store.retention import purge
from bot.store.rotation import rotate_keys
from bot.store.turns import TurnTx
from bot.store.web import record_message, thread, use_sign_in
from tests.dbscan import count_rows

LEAD, CID, RELAY = "a" * 32, "c" * 64, "citeslab_vaulx"


async def said(bot: Bot, key: str, author: str, text: str) -> None:
    async with bot.engine.begin() as connection:
        await connection.run_sync(
            lambda c: record_message(
                c, bot.cipher, key=key, lead_id=LEAD, conversation_id=CID, relay_id=RELAY,
                author=author, text=text,
            )
        )  # fmt: skip


async def read(bot: Bot, cipher: FernetCipher | None = None) -> list[tuple[str, str]]:
    async with bot.engine.connect() as connection:
        found = await connection.run_sync(lambda c: thread(c, cipher or bot.cipher, LEAD, RELAY))
    return [(m.author, m.text) for m in found]


async def test_a_sign_in_link_is_used_once(bot: Bot) -> None:
    expires = datetime.now(UTC) + timedelta(minutes=20)
    async with bot.engine.begin() as connection:
        assert await connection.run_sync(lambda c: use_sign_in(c, "j1", expires))
        assert not await connection.run_sync(lambda c: use_sign_in(c, "j1", expires))
        assert await connection.run_sync(lambda c: use_sign_in(c, "j2", expires))


async def test_the_thread_keeps_each_message_once_encrypted_in_order(bot: Bot) -> None:
    await said(bot, "resident:1", "resident", "Bonjour")
    await said(bot, "resident:1", "resident", "Bonjour")  # the same job run twice
    await said(bot, "relay:x", "relay", "On se voit mardi ?")
    assert await read(bot) == [("resident", "Bonjour"), ("relay", "On se voit mardi ?")]
    async with bot.engine.connect() as connection:
        raw = (await connection.exec_driver_sql("SELECT text FROM case_messages")).all()
    assert all("Bonjour" not in row[0] for row in raw)


async def test_the_thread_follows_key_rotation_retention_and_erasure(
    bot: Bot, settings: Settings
) -> None:
    await said(bot, "relay:1", "relay", "Bonjour Inès")
    [old_key] = settings.privacy.encryption_keys
    new_key = FernetCipher.new_key()
    await rotate_keys(bot.engine, FernetCipher([new_key, old_key]))
    assert await read(bot, FernetCipher([new_key])) == [("relay", "Bonjour Inès")]
    later = datetime.now(UTC) + timedelta(days=1)
    kept = await purge(
        bot.engine, bot.cipher, text_days=30, contact_months=12, grace_days=30, now=later
    )
    assert kept.texts == 0 and await count_rows(bot.engine, "case_messages") == 1
    async with bot.engine.begin() as connection:
        await connection.run_sync(lambda c: erase_all(TurnTx(c, CID, "rest", bot.cipher)))
    assert await count_rows(bot.engine, "case_messages") == 0
    await said(bot, "relay:2", "relay", "Encore là ?")
    old = await purge(
        bot.engine, bot.cipher, text_days=30, contact_months=12, grace_days=30,
        now=later + timedelta(days=31),
    )  # fmt: skip
    assert old.texts >= 1 and await count_rows(bot.engine, "case_messages") == 0
