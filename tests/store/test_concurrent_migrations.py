"""Workers started together on a fresh database all migrate it, one after the other."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from bot.store.database import alembic_config, make_engine
from bot.store.models import Base
from tests.conftest import PG_URL
from tests.freshdb import fresh_database

WORKERS = 4


def _schema(url: str) -> tuple[str | None, list[Any]]:
    """(revision, differences from the models) of the database at ``url``."""

    def read(connection: Connection) -> tuple[str | None, list[Any]]:
        context = MigrationContext.configure(connection)
        return context.get_current_revision(), list(compare_metadata(context, Base.metadata))

    async def run() -> tuple[str | None, list[Any]]:
        engine = make_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(read)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_workers_migrating_a_fresh_database_at_once_all_succeed(tmp_path: Path) -> None:
    with fresh_database(PG_URL, tmp_path, "migrate") as url:
        env = {**os.environ, "BOT_DATABASE_URL": url, "BOT_RUNTIME_DIR": str(tmp_path)}
        upgrades = [
            subprocess.Popen(
                [sys.executable, "-m", "bot", "db", "upgrade"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(WORKERS)
        ]
        outcomes = [(p.wait(), p.communicate()[1]) for p in upgrades]
        assert [code for code, _ in outcomes] == [0] * WORKERS, outcomes
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert _schema(url) == (head, [])
