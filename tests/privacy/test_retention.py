"""Retention periods and key rotation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.app.bot import Bot
from bot.app.settings import Settings
from bot.privacy.crypto import FernetCipher, KeyRingError
from bot.store.leads import export_leads
from bot.store.retention import purge
from bot.store.rotation import rotate_keys
from tests.chat import Chat
from tests.dbscan import count_rows
from tests.privacy.test_rights import NAME, complete_intake


async def _age_everything(bot: Bot, days: int) -> None:
    """Pretend everything happened ``days`` ago."""
    then = datetime.now(UTC) - timedelta(days=days)
    async with bot.engine.begin() as connection:
        for statement in (
            "UPDATE messages SET created_at = :t",
            "UPDATE conversations SET updated_at = :t",
            "UPDATE contacts SET last_seen_at = :t, last_inbound_at = :t",
        ):
            await connection.execute(text(statement), {"t": then})


async def _texts(bot: Bot) -> int:
    async with bot.engine.connect() as connection:
        query = text("SELECT count(*) FROM messages WHERE text IS NOT NULL")
        return int((await connection.execute(query)).scalar() or 0)


async def test_purge_dry_run_counts_and_the_real_run_removes(bot: Bot) -> None:
    kept = Chat(bot.handle, user="kept")
    await complete_intake(kept)
    await kept.say("mes données")  # logged with its text: the person consented
    abandoned = Chat(bot.handle, user="left-halfway")
    await abandoned.say("salut")
    await abandoned.choose("adult")
    await _age_everything(bot, days=40)
    texts_before = await _texts(bot)
    assert texts_before > 0

    dry = await purge(
        bot.engine, bot.cipher, text_days=30, contact_months=24, grace_days=30, dry_run=True
    )
    assert dry.texts == texts_before
    assert dry.abandoned == 1
    assert dry.erased == 0
    assert await _texts(bot) == texts_before  # nothing changed
    assert await count_rows(bot.engine, "conversations") == 2

    real = await purge(bot.engine, bot.cipher, text_days=30, contact_months=24, grace_days=30)
    assert (real.texts, real.abandoned, real.erased) == (dry.texts, 1, 0)
    assert await _texts(bot) == 0
    assert await count_rows(bot.engine, "conversations") == 1
    [lead] = await export_leads(bot.engine, bot.cipher)
    assert lead["first_name"] == NAME  # the consented case stays


async def test_inactive_contacts_are_asked_once_then_erased(bot: Bot) -> None:
    await complete_intake(Chat(bot.handle, user="sleepy"))
    await _age_everything(bot, days=800)
    now = datetime.now(UTC)
    asked = await purge(
        bot.engine,
        bot.cipher,
        text_days=30,
        contact_months=24,
        grace_days=30,
        can_ask=lambda channel: True,
        now=now,
    )
    assert [r.user_ref for r in asked.renewals] == ["sleepy"]
    assert asked.erased == 0
    again = await purge(
        bot.engine,
        bot.cipher,
        text_days=30,
        contact_months=24,
        grace_days=30,
        can_ask=lambda channel: True,
        now=now + timedelta(days=5),
    )
    assert again.renewals == []  # asked once only
    assert again.erased == 0
    late = await purge(
        bot.engine,
        bot.cipher,
        text_days=30,
        contact_months=24,
        grace_days=30,
        can_ask=lambda channel: True,
        now=now + timedelta(days=31),
    )
    assert late.erased == 1
    assert await export_leads(bot.engine, bot.cipher) == []
    assert await count_rows(bot.engine, "suppressions") == 1


async def test_key_rotation_keeps_data_readable(bot: Bot, settings: Settings) -> None:
    await complete_intake(Chat(bot.handle, user="rotating"))
    [old_key] = settings.privacy.encryption_keys
    new_key = FernetCipher.new_key()
    assert await rotate_keys(bot.engine, FernetCipher([new_key, old_key])) > 0
    [lead] = await export_leads(bot.engine, FernetCipher([new_key]))  # old key retired
    assert lead["user_ref"] == "rotating"
    assert lead["first_name"] == NAME
    with pytest.raises(KeyRingError):
        await export_leads(bot.engine, FernetCipher([old_key]))
