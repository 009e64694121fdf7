"""Encrypted at rest: after an intake, no table and no database file holds what was said."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.engine import make_url

from bot.app.bot import Bot
from bot.app.build import start_bot
from bot.app.settings import Settings
from bot.domain.understanding import NLU
from bot.privacy.crypto import FernetCipher
from bot.store.keychecks import key_checks
from bot.store.leads import export_leads
from bot.store.retention import purge
from bot.store.rotation import rotate_keys
from bot.store.sealed import SEALED, open_state
from bot.store.turns import contacts, conversations, leads, messages
from tests.chat import Chat
from tests.dbscan import find_everywhere

FIRST_NAME = "Zénobie"
PITCH = "Une fabrique de cerfs-volants phosphorescents pour les fêtes de quartier"
PHONE = "06 98 76 54 32"
SECRETS = (FIRST_NAME, PITCH, "cerfs-volants", "phosphorescents", "98 76 54", "98765432")


async def intake(chat: Chat) -> None:
    """The tests' intake to the end: a pitch, a phone number, a first name, a case sent."""
    await chat.say("salut")
    for option in ("adult", "idea", "autre"):
        await chat.choose(option)
    await chat.say(PITCH)
    await chat.choose("argent")
    await chat.choose("_done")
    await chat.say("Tourcoing")
    for option in ("call", "yes"):  # called back, contact kept
        await chat.choose(option)
    await chat.say(PHONE)  # typed after the consent: its text is logged
    await chat.choose("yes")
    await chat.say(FIRST_NAME)
    assert chat.said("T-SENT")


def database_files(database_url: str) -> list[Path]:
    """The SQLite database file and the files beside it (none for PostgreSQL)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return []
    path = Path(url.database or "")
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def found_in_files(database_url: str, *needles: str) -> list[tuple[str, str]]:
    """(file, needle) for each needle whose UTF-8 bytes are in a database file."""
    return [
        (path.name, needle)
        for path in database_files(database_url)
        for needle in needles
        if needle.encode("utf-8") in path.read_bytes()
    ]


async def _kept_texts(bot: Bot) -> list[str]:
    async with bot.engine.connect() as connection:
        rows = await connection.execute(select(messages.c.text).where(messages.c.text.is_not(None)))
        return [str(bot.cipher.decrypt(text)) for (text,) in rows]


async def test_a_full_scan_after_an_intake_finds_nothing_said_in_clear(
    bot: Bot, settings: Settings
) -> None:
    await intake(Chat(bot.handle, user="at-rest-1"))
    [lead] = await export_leads(bot.engine, bot.cipher)  # everything is kept...
    assert (lead["first_name"], lead["pitch"]) == (FIRST_NAME, PITCH)
    assert PHONE in await _kept_texts(bot)  # ...texts typed after the consent too
    assert database_files(settings.database_url) or settings.database_url.startswith("postgres")
    # ...and nothing of it can be read without the keys: no cell, no byte of any file.
    assert await find_everywhere(bot.engine, *SECRETS) == []
    assert found_in_files(settings.database_url, *SECRETS) == []


async def test_the_conversation_in_progress_keeps_the_answers_sealed(bot: Bot) -> None:
    chat = Chat(bot.handle, user="at-rest-2")
    await chat.say("salut")
    for option in ("adult", "idea", "autre"):
        await chat.choose(option)
    await chat.say(PITCH)  # no consent yet: the answer lives in the conversation only
    async with bot.engine.connect() as connection:
        [stored] = (await connection.execute(select(conversations.c.state))).scalars()
    assert "slots" not in stored and stored["step"] == "needs"  # where it stands: in clear
    assert open_state(stored, bot.cipher)["slots"]["pitch"] == PITCH
    assert await find_everywhere(bot.engine, *SECRETS) == []
    await chat.choose("argent")  # the runner reads its answers back
    await chat.choose("_done")
    assert chat.said("T-PLACE?")


async def my_data(chat: Chat) -> bytes:
    """The JSON copy the resident gets by asking « mes données »."""
    await chat.say("mes données")
    return next(r.attachment.content for r in chat.replies if r.attachment is not None)


async def _store_in_clear(bot: Bot) -> None:
    """Rewrite the rows as a version older than encryption at rest stored them."""
    async with bot.engine.begin() as connection:
        for row in (await connection.execute(select(conversations))).all():
            clear = open_state(row.state, bot.cipher)
            await connection.execute(
                update(conversations).where(conversations.c.id == row.id).values(state=clear)
            )
        rows = await connection.execute(
            select(messages.c.id, messages.c.text).where(messages.c.text.is_not(None))
        )
        for message_id, text in rows.all():
            await connection.execute(
                update(messages)
                .where(messages.c.id == message_id)
                .values(text=bot.cipher.decrypt(text))
            )
        await connection.execute(delete(key_checks))


async def test_rows_left_in_clear_by_an_older_version_are_sealed_at_start(
    bot: Bot, settings: Settings, nlu: NLU | None
) -> None:
    await intake(Chat(bot.handle, user="at-rest-3"))
    await _store_in_clear(bot)
    assert await find_everywhere(bot.engine, FIRST_NAME, PITCH, PHONE) != []
    await bot.close()
    restarted = await start_bot(settings, nlu=nlu, migrate=False)
    try:
        assert await find_everywhere(restarted.engine, *SECRETS) == []
        data = await my_data(Chat(restarted.handle, user="at-rest-3"))
        assert PITCH.encode() in data and FIRST_NAME.encode() in data
        assert PHONE in await _kept_texts(restarted)
    finally:
        await restarted.close()


async def test_after_a_key_rotation_the_new_key_alone_reads_everything(
    bot: Bot, settings: Settings, nlu: NLU | None
) -> None:
    await intake(Chat(bot.handle, user="at-rest-4"))
    [old_key] = settings.privacy.encryption_keys
    new_key = FernetCipher.new_key()
    assert await rotate_keys(bot.engine, FernetCipher([new_key, old_key])) > 0
    await bot.close()
    privacy = settings.privacy.model_copy(update={"encryption_keys": [new_key]})
    rotated = await start_bot(settings.model_copy(update={"privacy": privacy}), nlu=nlu)
    try:  # the key check, the conversation and the texts all open with the new key
        data = await my_data(Chat(rotated.handle, user="at-rest-4"))
        assert PITCH.encode() in data and FIRST_NAME.encode() in data
        assert PHONE in await _kept_texts(rotated)
    finally:
        await rotated.close()


async def _stored_values(bot: Bot) -> list[str]:
    """What the database holds of the person: ciphertexts, and the case's clear fields."""
    async with bot.engine.connect() as connection:
        contact = (await connection.execute(select(contacts))).mappings().one()
        lead = (await connection.execute(select(leads))).mappings().one()
        [state] = (await connection.execute(select(conversations.c.state))).scalars()
        texts = (await connection.execute(select(messages.c.text))).scalars()
        values = [contact["user_ref"], contact["phone"], contact["first_name"], state[SEALED]]
        values += [lead["user_ref"], lead["pitch"], lead["first_name"], lead["commune"]]
        return [*values, *(text for text in texts if text is not None)]


async def test_after_an_erasure_the_database_files_keep_nothing_of_the_person(
    bot: Bot, settings: Settings
) -> None:
    chat = Chat(bot.handle, user="at-rest-5")
    await intake(chat)
    kept = await _stored_values(bot)
    assert "Tourcoing" in kept and len(kept) > 10
    assert len(found_in_files(settings.database_url, *kept)) == len(kept) or not database_files(
        settings.database_url
    )
    # A place name is also in the relays directory ("Roubaix-Tourcoing"): public reference
    # data kept in the database, not the person's; what is only theirs must go.
    directory = str(bot.handoffs.directory.model_dump())
    kept = [value for value in kept if value not in directory]
    await chat.say("supprimer mes données")
    await chat.choose("erase")
    assert chat.said("T-ERASED.")
    # Not even encrypted: a key that leaks later must find nothing to open.
    assert await find_everywhere(bot.engine, *kept) == []
    assert found_in_files(settings.database_url, *kept) == []


async def test_texts_past_their_retention_leave_the_database_files(
    bot: Bot, settings: Settings
) -> None:
    await intake(Chat(bot.handle, user="at-rest-6"))
    async with bot.engine.connect() as connection:
        rows = await connection.execute(select(messages.c.text).where(messages.c.text.is_not(None)))
        texts = [str(text) for (text,) in rows]
    assert texts
    later = datetime.now(UTC) + timedelta(days=31)
    report = await purge(
        bot.engine, bot.cipher, text_days=30, contact_months=24, grace_days=30, now=later
    )
    assert report.texts == len(texts) and report.erased == 0
    assert found_in_files(settings.database_url, *texts) == []
