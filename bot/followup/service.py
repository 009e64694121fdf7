"""Follow-ups as one service: check-ins, relays' reminders and digests, and their plan."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from bot.domain.ports import Sender
from bot.engine.runner import Runner
from bot.followup.checkins import Checkins
from bot.followup.plan import Planner
from bot.followup.reminders import RelayReminders
from bot.handoff.service import HandoffService
from bot.store.drainer import Handler
from bot.store.turnstore import TurnStore


class FollowupService:
    """What happens after « C'est envoyé »: residents are asked how it went (the flow
    holding ``followups:`` in ``flows/``), relays are reminded before a case moves on
    and get their open cases each Monday. Everything is a job of the outbox, planned
    in the transaction of the event that calls for it (:class:`Planner`, the hand-off's
    hooks; the contact consent for the nudge)."""

    def __init__(
        self,
        *,
        turns: TurnStore,
        runner: Callable[[], Runner],
        handoffs: HandoffService,
        senders: Mapping[str, Sender],
        accept_within_hours: float,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_queued: Callable[[], None] = lambda: None,
    ) -> None:
        self.clock = clock  # tests move it; every part reads it through here

        def now() -> datetime:
            return self.clock()

        self.checkins = Checkins(
            turns=turns,
            runner=runner,
            handoffs=handoffs,
            senders=senders,
            clock=now,
            on_queued=on_queued,
        )
        self.reminders = RelayReminders(
            turns=turns, handoffs=handoffs, clock=now, on_queued=on_queued
        )
        # Planned inside the hand-off's transactions, on the hand-off's clock.
        self.planner = Planner(
            lambda: runner().flows.followups,
            accept_within_hours=accept_within_hours,
            clock=lambda: handoffs.clock(),
        )

    def handlers(self) -> dict[str, Handler]:
        """The jobs of follow-ups, for the drainer."""
        return {**self.checkins.handlers(), **self.reminders.handlers()}

    async def start(self) -> None:
        """Queue what recurs (next Monday's digest), once whichever worker starts."""
        await self.reminders.plan()
