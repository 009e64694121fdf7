"""Database engines (SQLite embedded, PostgreSQL in production) and schema migrations."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.store.files import private_sqlite

if TYPE_CHECKING:
    from alembic.config import Config

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # Windows: SQLite's own lock (and its busy timeout) only
    fcntl = None

MIGRATIONS = Path(__file__).with_name("migrations")


def is_sqlite(engine: AsyncEngine) -> bool:
    """True for the embedded SQLite database."""
    return engine.dialect.name == "sqlite"


def json_dumps(value: Any) -> str:
    """Fast JSON for the JSON columns."""
    return orjson.dumps(value).decode("utf-8")


def tune_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout, and write transactions that take the lock up front."""

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # The busy timeout first: switching to WAL waits for another process's lock.
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        # Deleted rows are overwritten with zeros, not left in free pages (erasure).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # A turn reads then writes: a deferred transaction could not upgrade its lock
        # if another process wrote meanwhile, so take the write lock at BEGIN.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def truncate_wal(connection: Connection) -> bool:
    """SQLite: copy the WAL into the database file and empty it; ``False`` if a reader
    kept it from finishing. Run outside any transaction (after an erasure commits), so
    that no page image of erased rows stays in the -wal file."""
    dbapi = connection.connection.dbapi_connection
    if dbapi is None:  # pragma: no cover - a connection always has one once used
        return False
    cursor = dbapi.cursor()
    try:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        row = cursor.fetchone()
    finally:
        cursor.close()
    return row is not None and row[0] == 0


async def scrub(engine: AsyncEngine) -> bool:
    """After an erasure committed: :func:`truncate_wal` on SQLite; nothing on PostgreSQL
    (its dead rows go with VACUUM, see docs/privacy.md)."""
    if not is_sqlite(engine):
        return True
    async with engine.connect() as connection:
        return await connection.run_sync(truncate_wal)


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """Create the async engine for ``url``.

    SQLite allows one writer at a time, so the bot keeps a single connection and
    queues turns on it in-process (no "database is locked" retries); WAL lets other
    processes (the CLI, an export) read meanwhile.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            private_sqlite(Path(database))  # personal data: owner-only, -wal and -shm too
        engine = create_async_engine(
            url,
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            json_serializer=json_dumps,
            json_deserializer=orjson.loads,
        )
        tune_sqlite(engine.sync_engine)
        return engine
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        json_serializer=json_dumps,
        json_deserializer=orjson.loads,
    )


def alembic_config(url: str | None = None) -> Config:
    """Alembic configuration pointing at the bundled migrations."""
    # Alembic and Mako weigh ~15 MB: imported only when migrating.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


# Two int4 keys: advisory locks keyed this way never meet the conversations' bigint keys.
MIGRATION_LOCK = {"space": 0x54524D50, "key": 1}


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (idempotent).

    Processes started together take turns: the first migrates, the others wait for it
    and then find the schema up to date (a PostgreSQL advisory lock held by the
    migration's transaction; on SQLite, a lock file beside the database).
    """

    from alembic import command

    def run(connection: Connection) -> None:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"), MIGRATION_LOCK)
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with _sqlite_file_lock(engine), engine.begin() as connection:
        await connection.run_sync(run)


@contextlib.asynccontextmanager
async def _sqlite_file_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """An exclusive lock on ``<database>.lock`` (SQLite files on POSIX systems only).

    SQLite's own write lock gives up after the busy timeout; this one waits as long
    as another process migrates. A file of its own: closing a descriptor of the
    database file itself would drop SQLite's locks held in this process.
    """
    database = engine.url.database if is_sqlite(engine) else None
    if not database or database == ":memory:" or fcntl is None:
        yield
        return
    descriptor = os.open(f"{database}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        await asyncio.to_thread(fcntl.flock, descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock
