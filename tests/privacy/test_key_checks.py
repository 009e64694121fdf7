"""A worker whose keys cannot read the database refuses to start, and says why."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import delete

from bot.app.bot import Bot
from bot.app.build import start_bot
from bot.app.settings import PrivacySettings, Settings
from bot.cli import main
from bot.domain.understanding import NLU
from bot.privacy.atrest import KeyCheckError
from bot.privacy.crypto import FernetCipher
from bot.store.keychecks import key_checks
from tests.chat import Chat

OTHER_SECRET = "another-secret-key-of-32-characters"


def other_keys(settings: Settings) -> Settings:
    """``settings`` with a key ring of its own, as a worker given its own generated key."""
    privacy = PrivacySettings(encryption_keys=[FernetCipher.new_key()])
    return settings.model_copy(update={"privacy": privacy})


async def _intake_started(bot: Bot) -> None:
    chat = Chat(bot.handle, user="keys-1")
    await chat.say("salut")
    await chat.choose("adult")


async def test_a_worker_with_other_encryption_keys_refuses_to_start(
    bot: Bot, settings: Settings, nlu: NLU | None
) -> None:
    await _intake_started(bot)
    with pytest.raises(KeyCheckError, match=r"encryption keys .* cannot read the data"):
        await start_bot(other_keys(settings), nlu=nlu, migrate=False)
    with pytest.raises(KeyCheckError, match="BOT_SECRET_KEY"):
        await start_bot(
            settings.model_copy(update={"secret_key": OTHER_SECRET}), nlu=nlu, migrate=False
        )
    second = await start_bot(settings, nlu=nlu, migrate=False)  # the same keys: welcome
    await second.close()


async def test_workers_started_together_with_different_keys_cannot_both_start(
    settings: Settings, nlu: NLU | None
) -> None:
    started = await asyncio.gather(
        start_bot(settings, nlu=nlu, migrate=False),
        start_bot(other_keys(settings), nlu=nlu, migrate=False),
        return_exceptions=True,
    )
    refused = [s for s in started if isinstance(s, KeyCheckError)]
    for worker in started:
        if isinstance(worker, Bot):
            await worker.close()
    assert len(refused) == 1


async def test_a_database_older_than_the_checks_is_tried_on_its_encrypted_data(
    bot: Bot, settings: Settings, nlu: NLU | None
) -> None:
    chat = Chat(bot.handle, user="keys-2")
    await chat.say("salut")
    for option in ("adult", "idea", "autre"):
        await chat.choose(option)
    await chat.say("Un food-truck")
    await chat.choose("argent")
    await chat.choose("_done")
    await chat.say("93200")
    for option in ("message", "yes"):  # a contact kept: encrypted with the key ring
        await chat.choose(option)
    async with bot.engine.begin() as connection:
        await connection.execute(delete(key_checks))  # as before the checks existed
    with pytest.raises(KeyCheckError, match="encryption keys"):
        await start_bot(other_keys(settings), nlu=nlu, migrate=False)
    second = await start_bot(settings, nlu=nlu, migrate=False)
    await second.close()


@pytest.mark.parametrize(
    ("missing", "named"),
    [("encryption_keys", "BOT_PRIVACY__ENCRYPTION_KEYS"), ("secret_key", "BOT_SECRET_KEY")],
)
async def test_on_postgresql_the_keys_must_be_set_not_generated(
    settings: Settings, nlu: NLU | None, missing: str, named: str
) -> None:
    # No server is reached: the keys are checked before the first connection.
    pg = settings.model_copy(
        update={"database_url": "postgresql+asyncpg://tremplin@127.0.0.1:1/none"}
    )
    if missing == "secret_key":
        pg = pg.model_copy(update={"secret_key": None})
    else:
        pg = pg.model_copy(update={"privacy": PrivacySettings()})
    with pytest.raises(KeyCheckError, match=named):
        await start_bot(pg, nlu=nlu, migrate=False)
    assert not (settings.runtime_dir / "encryption.key").exists()
    assert not (settings.runtime_dir / "secret.key").exists()


async def test_serve_refuses_with_a_clear_message_before_serving(
    bot: Bot,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await _intake_started(bot)
    monkeypatch.setenv("BOT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BOT_SECRET_KEY", str(settings.secret_key))
    monkeypatch.setenv("BOT_RUNTIME_DIR", str(settings.runtime_dir))
    monkeypatch.setenv("BOT_PRIVACY__ENCRYPTION_KEYS", json.dumps([FernetCipher.new_key()]))
    assert await asyncio.to_thread(main, ["serve", "--port", "0"]) == 2
    said = capsys.readouterr().err
    assert said.startswith("error: the encryption keys") and "same keys" in said
