"""The database, its -wal and -shm files, the runtime folder and the keys: owner only."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app.build import start_bot
from bot.app.settings import NLUSettings, PrivacySettings, Settings
from bot.domain.understanding import NLU
from tests.chat import Chat
from tests.conftest import TEST_FLOWS


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def lenient_umask() -> Iterator[None]:
    """The usual umask, under which files are created readable by everyone."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def sqlite_settings(runtime: Path, nlu_cache: Path) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{runtime / 'tremplin.db'}",
        runtime_dir=runtime,
        flows_dir=TEST_FLOWS,
        nlu=NLUSettings(cache_dir=nlu_cache),
        privacy=PrivacySettings(),  # keys generated in the runtime folder
    )


async def test_what_the_bot_creates_is_readable_by_its_owner_only(
    tmp_path: Path, nlu_cache: Path, nlu: NLU | None
) -> None:
    runtime = tmp_path / "data" / "runtime"
    bot = await start_bot(sqlite_settings(runtime, nlu_cache), nlu=nlu)
    try:
        await Chat(bot.handle).say("salut")  # a turn: the -wal and -shm files exist
        database = runtime / "tremplin.db"
        assert mode(runtime) == 0o700
        created = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
        created += [runtime / "encryption.key", runtime / "secret.key"]
        assert {path.name: mode(path) for path in created} == {p.name: 0o600 for p in created}
    finally:
        await bot.close()


async def test_a_database_left_readable_by_an_older_version_is_made_private(
    tmp_path: Path, nlu_cache: Path, nlu: NLU | None, sqlite_template: Path
) -> None:
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    database = runtime / "tremplin.db"
    shutil.copy(sqlite_template, database)
    database.chmod(0o644)
    bot = await start_bot(sqlite_settings(runtime, nlu_cache), nlu=nlu)
    try:
        await Chat(bot.handle).say("salut")
        assert mode(database) == 0o600
        assert mode(Path(f"{database}-wal")) == 0o600
    finally:
        await bot.close()
