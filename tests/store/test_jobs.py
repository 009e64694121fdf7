"""The outbox: a job queued once runs once, is retried with back-off, buried with its
reason, taken again when its worker died, and never run by two workers at once."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Connection

from bot.domain.cipher import PlainText
from bot.store import jobs as queue
from bot.store.database import make_engine
from bot.store.drainer import Backoff, Drainer, GiveUpError, Handler
from bot.store.jobs import Job
from bot.store.turnstore import TurnStore, make_turn_store


class Clock:
    """A clock that moves only when told (a second ahead: what is queued now is due)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC) + timedelta(seconds=1)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
async def turns(database_url: str) -> AsyncIterator[TurnStore]:
    engine = make_engine(database_url)
    store = make_turn_store(engine, PlainText())
    try:
        yield store
    finally:
        await store.close()
        await engine.dispose()


async def queue_job(turns: TurnStore, key: str, kind: str = "test.work") -> bool:
    return await turns.run(lambda c: queue.enqueue(c, kind, key, {"n": key}, subject="s1"))


async def statuses(turns: TurnStore) -> dict[str, int]:
    return await turns.run(queue.counts)


async def test_the_same_work_queued_twice_runs_once(turns: TurnStore) -> None:
    ran: list[str] = []

    async def work(job: Job) -> None:
        ran.append(str(job.payload["n"]))

    assert await queue_job(turns, "offer:lead-1")
    assert not await queue_job(turns, "offer:lead-1")  # a redelivered turn queues nothing
    await Drainer(turns, {"test.work": Handler(work)}).settle()
    assert ran == ["offer:lead-1"]
    assert not await queue_job(turns, "offer:lead-1")  # nor once it was done
    await Drainer(turns, {"test.work": Handler(work)}).settle()
    assert ran == ["offer:lead-1"]


async def test_a_failing_job_is_tried_again_later_with_growing_waits_then_buried(
    turns: TurnStore,
) -> None:
    clock, tries, buried = Clock(), [], []

    async def flaky(job: Job) -> None:
        tries.append(clock())
        raise ConnectionError("relay down")

    def dead(connection: Connection, job: Job, error: str) -> None:
        buried.append(error)  # in the burying transaction: queue what must follow
        queue.enqueue(connection, "test.alert", f"alert:{job.id}", {})

    alerts: list[str] = []

    async def alert(job: Job) -> None:
        alerts.append(job.key)

    handlers = {"test.work": Handler(flaky, attempts=4, dead=dead), "test.alert": Handler(alert)}
    drainer = Drainer(turns, handlers, clock=clock, draw=lambda: 0.5, backoff=Backoff(10, 1000))
    await queue_job(turns, "k")
    for _ in range(6):
        await drainer.settle()  # nothing runs before its time
        clock.advance(100)
    waits = [(b - a).total_seconds() for a, b in itertools.pairwise(tries)]
    assert len(tries) == 4
    assert waits == [100, 100, 100]  # each retry waited for its due time (7.5, 15, 30 s)
    assert buried == ["ConnectionError: relay down"]
    [dead_job] = await turns.run(lambda c: queue.listing(c, queue.DEAD))
    assert dead_job.last_error == "ConnectionError: relay down" and dead_job.attempts == 4
    assert alerts == [f"alert:{dead_job.id}"]  # what the dead letter queued, run


async def test_backoff_doubles_with_jitter_and_a_cap() -> None:
    backoff = Backoff(first=5, cap=60)
    assert [backoff.wait(n, 1.0) for n in (1, 2, 3, 4, 5, 6)] == [5, 10, 20, 40, 60, 60]
    assert backoff.wait(3, 0.0) == 10  # full jitter over the upper half


async def test_a_job_that_cannot_succeed_is_buried_at_once(turns: TurnStore) -> None:
    async def hopeless(job: Job) -> None:
        raise GiveUpError("no way to reach relay x")

    await queue_job(turns, "k")
    await Drainer(turns, {"test.work": Handler(hopeless)}).settle()
    [dead_job] = await turns.run(lambda c: queue.listing(c, queue.DEAD))
    assert dead_job.attempts == 1 and dead_job.last_error == "no way to reach relay x"


async def test_a_job_of_a_dead_worker_is_taken_again_once_its_lease_ran_out(
    turns: TurnStore,
) -> None:
    clock, ran = Clock(), []
    await queue_job(turns, "k")
    # A worker claimed it, then died (kill -9) before saying it was done.
    await turns.run(lambda c: queue.claim(c, clock(), limit=10, lease_seconds=120))

    async def work(job: Job) -> None:
        ran.append(job.attempts)

    survivor = Drainer(turns, {"test.work": Handler(work)}, clock=clock, lease_seconds=120)
    await survivor.settle()
    assert ran == []  # the lease still holds
    clock.advance(121)
    await survivor.settle()
    assert ran == [2]
    assert await statuses(turns) == {"done": 1}


async def test_a_worker_whose_lease_was_lost_cannot_settle_the_job(turns: TurnStore) -> None:
    clock = Clock()
    await queue_job(turns, "k")
    [first] = await turns.run(lambda c: queue.claim(c, clock(), limit=1, lease_seconds=1))
    clock.advance(2)
    [second] = await turns.run(lambda c: queue.claim(c, clock(), limit=1, lease_seconds=60))
    assert not await turns.run(lambda c: queue.finish(c, first))
    assert await turns.run(lambda c: queue.finish(c, second))


async def test_two_workers_draining_together_run_each_job_once(
    turns: TurnStore, database_url: str
) -> None:
    other_engine = make_engine(database_url)
    other = make_turn_store(other_engine, PlainText())  # a second worker process's store
    ran: list[str] = []

    async def work(job: Job) -> None:
        ran.append(job.key)
        await asyncio.sleep(0)  # let the other worker claim meanwhile

    keys = [f"job-{n}" for n in range(60)]
    for key in keys:
        await queue_job(turns, key)
    try:
        first = Drainer(turns, {"test.work": Handler(work)}, batch=7)
        second = Drainer(other, {"test.work": Handler(work)}, batch=5)
        await asyncio.gather(first.settle(), second.settle())
    finally:
        await other.close()
        await other_engine.dispose()
    assert sorted(ran) == sorted(keys)
    assert await statuses(turns) == {"done": 60}


async def test_cancelled_jobs_of_an_erased_person_keep_nothing(turns: TurnStore) -> None:
    await queue_job(turns, "k")
    await turns.run(lambda c: queue.forget(c, "s1"))
    [job] = await turns.run(lambda c: queue.listing(c))
    assert job.status == "cancelled"
    payloads = await turns.run(
        lambda c: [tuple(r) for r in c.execute(queue.jobs.select().with_only_columns(
            queue.jobs.c.payload, queue.jobs.c.subject))]
    )  # fmt: skip
    assert payloads == [({}, None)]


async def test_only_one_worker_runs_a_sweep_at_a_time(turns: TurnStore, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer: every transaction is alone already")
    engine = make_engine(database_url)
    try:
        async with engine.begin() as first, engine.begin() as second:
            assert await first.run_sync(lambda c: queue.only_one(c, "expiry"))
            assert not await second.run_sync(lambda c: queue.only_one(c, "expiry"))
            assert await second.run_sync(lambda c: queue.only_one(c, "purge"))
    finally:
        await engine.dispose()
