"""The bot's two ways to write: a person's turn (locked) and background work, on one writer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

import orjson
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.cipher import FieldCipher
from bot.store.database import json_dumps, truncate_wal, tune_sqlite
from bot.store.turns import TurnTx

log = logging.getLogger(__name__)

T = TypeVar("T")
Work = Callable[[TurnTx], T]
Chore = Callable[[Connection], T]


class TurnStore(Protocol):
    """Runs synchronous queries in one transaction each: a person's work, or background work.

    ``transact`` is for what concerns one person (their turn, a stamp on their contact,
    a message kept for them): it holds their conversation's lock. ``run`` is for the
    rest (hand-off cases, delivery statuses, sweeps). On SQLite both go through the
    one writer; on PostgreSQL each is a transaction of its own.
    """

    async def transact(self, conversation_id: str, channel: str, work: Work[T]) -> T:
        """Run ``work`` with the conversation locked; its writes commit together."""
        ...

    async def run(self, chore: Chore[T]) -> T:
        """Run ``chore`` (background work, no conversation lock) in one transaction."""
        ...

    async def scrub(self) -> None:
        """After an erasure committed: leave no copy of the erased rows in database files."""
        ...

    async def close(self) -> None:
        """Finish pending turns and release connections."""
        ...


class PostgresTurnStore:
    """One transaction per turn; a transaction-scoped advisory lock per conversation.

    The lock serialises the turns of one person across every worker process sharing
    the database, while other people's turns run in parallel.
    """

    def __init__(self, engine: AsyncEngine, cipher: FieldCipher) -> None:
        self.engine = engine
        self.cipher = cipher

    async def transact(self, conversation_id: str, channel: str, work: Work[T]) -> T:
        def run(connection: Connection) -> T:
            connection.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                {"key": conversation_id},
            )
            return work(TurnTx(connection, conversation_id, channel, self.cipher))

        async with self.engine.begin() as connection:
            return await connection.run_sync(run)

    async def run(self, chore: Chore[T]) -> T:
        async with self.engine.begin() as connection:
            return await connection.run_sync(chore)

    async def scrub(self) -> None:
        """Nothing the bot can do: dead rows go with (auto)VACUUM, see docs/privacy.md."""

    async def close(self) -> None:
        """Nothing of its own to release (the engine belongs to the caller)."""


_Job = tuple[str, str, Work[Any], "asyncio.Future[Any]"]


class SqliteTurnStore:
    """Group commit: turns waiting together share one write transaction on one thread.

    SQLite has a single writer. Rather than one transaction (and one thread hop per
    statement) per turn, a dedicated thread takes every turn queued meanwhile and runs
    them in one ``BEGIN IMMEDIATE`` transaction; if one turn fails the batch is rolled
    back and replayed one turn per transaction, so only the faulty turn fails. Callers
    are answered only after the commit.
    """

    def __init__(self, url: str, cipher: FieldCipher, *, max_batch: int = 32) -> None:
        self.cipher = cipher
        sync_url = make_url(url).set(drivername="sqlite")
        self._engine: Engine = create_engine(
            sync_url,
            json_serializer=json_dumps,
            json_deserializer=orjson.loads,
            connect_args={"check_same_thread": False},
            pool_size=1,
            max_overflow=0,
        )
        tune_sqlite(self._engine)
        self._connection: Connection | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-turns")
        self._pending: list[_Job] = []
        self._wake = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._max_batch = max_batch
        self._closed = False

    async def transact(self, conversation_id: str, channel: str, work: Work[T]) -> T:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append((conversation_id, channel, work, future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_loop(), name="sqlite-group-commit")
        self._wake.set()
        return await future

    async def run(self, chore: Chore[T]) -> T:
        # Background work joins the turns' queue: SQLite keeps a single writer.
        return await self.transact("", "", lambda tx: chore(tx.connection))

    async def _write_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                jobs = [(cid, channel, work) for cid, channel, work, _ in batch]
                try:
                    results = await loop.run_in_executor(self._executor, self._run_batch, jobs)
                except Exception as exc:  # the commit itself failed: nothing was saved
                    results = [(False, exc)] * len(batch)
                for (_, _, _, future), (ok, value) in zip(batch, results, strict=True):
                    if future.done():
                        continue
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)

    def _run_batch(self, jobs: list[tuple[str, str, Work[Any]]]) -> list[tuple[bool, Any]]:
        if self._connection is None:
            self._connection = self._engine.connect()
        connection = self._connection
        try:
            with connection.begin():
                return [
                    (True, work(TurnTx(connection, cid, ch, self.cipher))) for cid, ch, work in jobs
                ]
        except Exception:
            if len(jobs) == 1:
                raise
        # One turn failed and the batch rolled back: run each turn alone, so only the
        # faulty one fails (turns are pure functions of the database and their message).
        results: list[tuple[bool, Any]] = []
        for job in jobs:
            try:
                results.extend(self._run_batch([job]))
            except Exception as exc:
                results.append((False, exc))
        return results

    async def scrub(self) -> None:
        """Empty the WAL into the database file (its deleted rows already zeroed by
        ``secure_delete``), between two batches of turns."""
        loop = asyncio.get_running_loop()
        if not await loop.run_in_executor(self._executor, self._truncate_wal):
            log.warning("a reader kept the WAL from being emptied after an erasure")

    def _truncate_wal(self) -> bool:
        if self._connection is None:
            self._connection = self._engine.connect()
        return truncate_wal(self._connection)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._pending:  # let queued turns finish (the writer answers them all)
            await asyncio.gather(*(job[3] for job in self._pending), return_exceptions=True)
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._close_connection)
        self._executor.shutdown(wait=True)
        self._engine.dispose()

    def _close_connection(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def make_turn_store(engine: AsyncEngine, cipher: FieldCipher) -> TurnStore:
    """The turn store suited to ``engine``'s database."""
    if engine.dialect.name == "sqlite":
        return SqliteTurnStore(engine.url.render_as_string(hide_password=False), cipher)
    return PostgresTurnStore(engine, cipher)
