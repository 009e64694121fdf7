"""A fake clock for follow-ups, and a look at the jobs they queue."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.app.bot import Bot
from bot.domain.messages import Inbound, Outbound
from bot.store import jobs as queue
from bot.store.jobs import JobView
from tests.chat import Chat

PARIS = ZoneInfo("Europe/Paris")
# A Tuesday morning, far from the real date (turns are stamped with the real time).
START = datetime(2030, 1, 8, 10, 0, tzinfo=PARIS)


class Clock:
    """The hand-off's, the drainer's and the follow-ups' time, moved by hand."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now


class Moving(Clock):
    """The real time, moved forward by hand (for messages stamped with the real time)."""

    def __init__(self) -> None:
        self.shift = timedelta(0)

    @property  # type: ignore[override]
    def now(self) -> datetime:
        return datetime.now(UTC) + self.shift

    @now.setter
    def now(self, moment: datetime) -> None:
        self.shift = max(self.shift, moment - datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now


class Resident(Chat):
    """A resident (over REST unless told) whose messages arrive at the clock's time."""

    def __init__(
        self, bot: Bot, clock: Clock, user: str = "resident-1", channel: str = "rest"
    ) -> None:
        super().__init__(bot.handle, channel=channel, user=user)
        self.clock = clock

    async def send(self, inbound: Inbound) -> list[Outbound]:
        return await super().send(replace(inbound, received_at=self.clock.now))


def hold(bot: Bot, clock: Clock) -> Clock:
    """Put ``bot`` on ``clock`` (the follow-ups read the drainer's)."""
    bot.handoffs.clock = clock
    bot.drainer.clock = clock
    return clock


async def run_at(bot: Bot, clock: Clock, moment: datetime) -> None:
    """Time comes to ``moment``: the jobs due run."""
    clock.now = moment.astimezone(UTC)
    await bot.drainer.settle()


async def jobs(bot: Bot, status: str | None = queue.PENDING) -> list[JobView]:
    """The jobs of ``status``, oldest first."""
    found = await bot.store.run(lambda c: queue.listing(c, status))
    return sorted(found, key=lambda job: job.id)


async def job_of(bot: Bot, kind: str, status: str | None = queue.PENDING) -> JobView:
    """The one job of ``kind`` (and ``status``)."""
    [found] = [job for job in await jobs(bot, status) if job.kind == kind]
    return found


def paris(moment: datetime) -> datetime:
    """``moment`` in Paris time."""
    return moment.astimezone(PARIS)
