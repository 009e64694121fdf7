"""Fresh, empty databases for tests that start real processes (SQLite file or PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine


async def _admin(pg_url: str, statement: str) -> None:
    engine = create_async_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@contextmanager
def fresh_database(pg_url: str | None, folder: Path, label: str) -> Iterator[str]:
    """The URL of a database nobody migrated yet, dropped afterwards.

    On PostgreSQL a new database named after the test database (its role needs
    ``CREATEDB``); else a SQLite file in ``folder`` that does not exist yet.
    """
    if pg_url is None:
        yield f"sqlite+aiosqlite:///{folder / f'{label}.db'}"
        return
    base = make_url(pg_url)
    name = f"{base.database}_{label}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(pg_url, f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        _drop(pg_url, name)


def _drop(pg_url: str, name: str, tries: int = 20) -> None:
    """Drop the database, ending our leftover sessions. An autovacuum worker (a superuser
    process our role may not end) can be on it for a moment after heavy writes: wait."""
    for attempt in range(tries):
        try:
            asyncio.run(_admin(pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError as exc:
            if "pg_signal_backend" not in str(exc) or attempt == tries - 1:
                raise
            time.sleep(0.5)
