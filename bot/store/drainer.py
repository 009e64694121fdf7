"""Runs queued jobs: claims due ones, calls their handler, retries with back-off, buries."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Connection

from bot.store import jobs as queue
from bot.store.jobs import Job
from bot.store.turnstore import TurnStore

log = logging.getLogger(__name__)


class GiveUpError(Exception):
    """Raised by a handler when trying again cannot help (the job goes to the dead letters)."""


class NotYetError(Exception):
    """Raised by a handler when its job must wait (quiet hours, a person busy talking):
    it runs again at ``at``, and this try does not count."""

    def __init__(self, at: datetime) -> None:
        super().__init__(f"not before {at.isoformat()}")
        self.at = at


@dataclass(frozen=True, slots=True)
class Handler:
    """How to run one kind of job, how many times to try, and what to do on giving up."""

    run: Callable[[Job], Awaitable[None]]
    attempts: int = 8
    # Run in the transaction that buries the job: queue what must follow (tell someone).
    dead: Callable[[Connection, Job, str], None] | None = None


@dataclass(frozen=True, slots=True)
class Backoff:
    """Waits between tries: ``first`` doubled each time, capped, with full jitter."""

    first: float = 5.0
    cap: float = 3600.0

    def wait(self, attempts: int, draw: float) -> float:
        """Seconds before the next try after ``attempts`` tries (``draw`` in [0, 1))."""
        ceiling = min(self.cap, self.first * 2.0 ** max(0, attempts - 1))
        return float(ceiling / 2 + draw * ceiling / 2)


class Drainer:
    """Drains the jobs table; one per worker process, all workers sharing the table.

    Woken when this process queues work (``wake``), and every ``poll`` seconds for work
    other workers queued, retries coming due and leases of dead workers running out.
    """

    def __init__(
        self,
        store: TurnStore,
        handlers: Mapping[str, Handler],
        *,
        batch: int = 20,
        concurrency: int = 4,
        lease_seconds: float = 120.0,
        poll: float = 5.0,
        backoff: Backoff | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        draw: Callable[[], float] = random.random,
        wake: asyncio.Event | None = None,
    ) -> None:
        self.store = store
        self.handlers = dict(handlers)
        self.batch = batch
        # Jobs of a batch run side by side, a few at a time: each may hold a database
        # connection, and the people talking to the bot now need them first.
        self._slots = asyncio.Semaphore(concurrency)
        self.lease_seconds = lease_seconds
        self.poll = poll
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.draw = draw
        self._wake = wake or asyncio.Event()
        self._busy = 0  # claims and batches under way
        self._quiet = asyncio.Event()
        self._quiet.set()

    def wake(self) -> None:
        """Work was queued here: look now rather than at the next poll."""
        self._wake.set()

    async def run_forever(self) -> None:
        """Drain, then wait for a wake-up or the next poll; never stops on a failure."""
        while True:
            try:
                while await self.drain_once():
                    pass
            except Exception:
                log.exception("the job drainer failed; trying again at the next poll")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll)
            self._wake.clear()

    async def drain_once(self) -> int:
        """Claim and run one batch of due jobs; how many were claimed."""
        self._busy += 1  # from the claim on: a claimed job is always seen as running
        self._quiet.clear()
        try:
            moment = self.clock()
            claimed = await self.store.run(
                lambda c: queue.claim(c, moment, limit=self.batch, lease_seconds=self.lease_seconds)
            )
            await asyncio.gather(*(self._in_turn(job) for job in claimed))
            return len(claimed)
        finally:
            self._busy -= 1
            if not self._busy:
                self._quiet.set()

    async def settle(self) -> None:
        """Run jobs until none is due or running, here or in ``run_forever`` (tests)."""
        while True:
            if await self.drain_once():
                continue
            if not self._busy:
                return
            await self._quiet.wait()  # another batch is running: what it queues comes next

    async def _in_turn(self, job: Job) -> None:
        async with self._slots:
            await self._run(job)

    async def _run(self, job: Job) -> None:
        handler = self.handlers.get(job.kind)
        if handler is None:
            await self._bury(job, None, f"no handler for {job.kind}")
            return
        try:
            await handler.run(job)
        except NotYetError as wait_for:
            due = max(wait_for.at, self.clock() + timedelta(seconds=1))  # always ahead
            await self.store.run(lambda c: queue.postpone(c, job, due))
            return
        except GiveUpError as reason:
            log.warning("job %s (%s) cannot succeed: %s", job.id, job.kind, reason)
            await self._bury(job, handler, str(reason) or "given up")
            return
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            if job.attempts >= handler.attempts:
                await self._bury(job, handler, error)
                return
            wait = self.backoff.wait(job.attempts, self.draw())
            later = self.clock() + timedelta(seconds=wait)
            log.warning(
                "job %s (%s) failed, try %d; again in %.0f s: %s",
                *(job.id, job.kind, job.attempts, wait, error),
                exc_info=log.isEnabledFor(logging.DEBUG),
            )
            await self.store.run(lambda c: queue.retry(c, job, later, error))
            return
        await self.store.run(lambda c: queue.finish(c, job))

    async def _bury(self, job: Job, handler: Handler | None, error: str) -> None:
        if job.attempts > 1:
            log.error("job %s (%s) given up after %d tries: %s", job.id, job.kind,
                      job.attempts, error)  # fmt: skip
        dead = handler.dead if handler is not None else None

        def bury(connection: Connection) -> None:
            if queue.bury(connection, job, error) and dead is not None:
                dead(connection, job, error)

        await self.store.run(bury)
