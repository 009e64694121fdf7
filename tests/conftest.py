"""Shared fixtures: a real database per test (SQLite, or PostgreSQL when configured)."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.app.bot import Bot
from bot.app.build import start_bot
from bot.app.settings import PROJECT, HandoffSettings, NLUSettings, PrivacySettings, Settings
from bot.app.understanding import faq_training
from bot.domain.understanding import NLU
from bot.engine.loader import load_flows
from bot.nlu.embedded import EmbeddedNLU, make_embedded_nlu
from bot.store.database import make_engine, upgrade
from bot.store.models import Base
from tests.chat import Chat
from tests.mailbox import Mailbox, start_mailbox

PG_URL = os.environ.get("BOT_TEST_DATABASE_URL")
TEST_KEY = "pFf6ufb0-hzqkIv3HqLgDpQxfjYkAlm4i3nEx_JjLGY="  # a Fernet key for tests only


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is faster)."""
    path = tmp_path_factory.mktemp("template") / "template.db"

    async def migrate() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(migrate())
    return path


@pytest.fixture(scope="session")
def pg_ready() -> bool:
    """Migrate the PostgreSQL test database once per session."""
    if PG_URL is None:
        return False

    async def migrate() -> None:
        engine = make_engine(PG_URL)
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(migrate())
    return True


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path, pg_ready: bool) -> Iterator[str]:
    """A clean, migrated database for one test."""
    if PG_URL is not None and pg_ready:

        async def truncate() -> None:
            engine = make_engine(PG_URL)
            async with engine.begin() as connection:
                tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
                await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY"))
            await engine.dispose()

        asyncio.run(truncate())
        yield PG_URL
        return
    path = tmp_path / "bot.db"
    shutil.copy(sqlite_template, path)
    yield f"sqlite+aiosqlite:///{path}"


TEST_FLOWS = Path(__file__).parent / "flows"  # short flows owned by the tests
SHIPPED_FLOWS = PROJECT / "flows"  # the coordinators' flows: only their own tests read them
FAQ_TRAINING = faq_training(load_flows(SHIPPED_FLOWS))


@pytest.fixture(scope="session")
def nlu_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model cache for the session: the embedded NLU trains once (in-process: faster here)."""
    path = tmp_path_factory.mktemp("nlu-cache")
    make_embedded_nlu(PROJECT / "nlu", path, isolate=False, extra=FAQ_TRAINING)
    return path


@pytest.fixture(scope="session")
def embedded_nlu(nlu_cache: Path) -> EmbeddedNLU:
    """The default (embedded) NLU trained on ``nlu/`` and the FAQ of ``flows/``, shared by
    the session's bots (the test flows' FAQ uses the same intents)."""
    return make_embedded_nlu(PROJECT / "nlu", nlu_cache, extra=FAQ_TRAINING)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[Mailbox]:
    """One SMTP server for the session (the demo relays are reached by e-mail)."""
    mailbox, controller = start_mailbox()
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp_server: Mailbox) -> Mailbox:
    """The e-mails sent during this test."""
    smtp_server.messages.clear()
    smtp_server.refuse.clear()
    return smtp_server


def make_settings(
    tmp_path: Path, database_url: str, nlu_cache: Path, flows: Path, mailbox: Mailbox
) -> Settings:
    """Settings of a test bot: its own database and runtime folder; relays' e-mails go to
    ``mailbox``."""
    return Settings(
        database_url=database_url,
        runtime_dir=tmp_path / "runtime",
        secret_key="test-secret-key-of-32-characters!",
        # Shared by every bot of a test, as workers on one PostgreSQL database must be.
        privacy=PrivacySettings(encryption_keys=[TEST_KEY]),
        flows_dir=flows,
        data_dir=PROJECT / "data",
        nlu=NLUSettings(cache_dir=nlu_cache),
        handoff=HandoffSettings(smtp_host="127.0.0.1", smtp_port=mailbox.port),
    )


@pytest.fixture
def settings(tmp_path: Path, database_url: str, nlu_cache: Path, mailbox: Mailbox) -> Settings:
    """Settings of a test bot on the tests' own flows (``tests/flows``)."""
    return make_settings(tmp_path, database_url, nlu_cache, TEST_FLOWS, mailbox)


@pytest.fixture
def shipped_settings(
    tmp_path: Path, database_url: str, nlu_cache: Path, mailbox: Mailbox
) -> Settings:
    """Settings of a bot on the shipped flows (``flows/``), for the tests of those flows."""
    return make_settings(tmp_path, database_url, nlu_cache, SHIPPED_FLOWS, mailbox)


@pytest.fixture
def nlu(embedded_nlu: EmbeddedNLU) -> NLU | None:
    """The NLU used by ``bot`` (the default backend; None: built from settings)."""
    return embedded_nlu


@pytest.fixture
async def bot(settings: Settings, nlu: NLU | None) -> AsyncIterator[Bot]:
    """A started bot on the test database."""
    started = await start_bot(settings, nlu=nlu, migrate=False)
    try:
        yield started
    finally:
        await started.close()


@pytest.fixture
def chat(bot: Bot) -> Chat:
    """A resident talking to the bot over the REST channel."""
    return Chat(bot.handle, channel="rest", user="resident-1")


@pytest.fixture
async def shipped_bot(shipped_settings: Settings, nlu: NLU | None) -> AsyncIterator[Bot]:
    """A started bot on the shipped flows."""
    started = await start_bot(shipped_settings, nlu=nlu, migrate=False)
    try:
        yield started
    finally:
        await started.close()


@pytest.fixture
def resident(shipped_bot: Bot) -> Chat:
    """A resident talking to the shipped flows over the REST channel."""
    return Chat(shipped_bot.handle, channel="rest", user="resident-1")
