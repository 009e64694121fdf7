"""Build the follow-ups (check-ins, relays' reminders) and hang them on the hand-off."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.app.settings import Settings
from bot.domain.ports import Sender
from bot.engine.dispatcher import Dispatcher
from bot.followup.service import FollowupService
from bot.handoff.service import HandoffService
from bot.store.turnstore import TurnStore


def make_followups(
    settings: Settings,
    turns: TurnStore,
    dispatcher: Dispatcher,
    handoffs: HandoffService,
    senders: Mapping[str, Sender],
    on_queued: Callable[[], None],
) -> FollowupService:
    """The follow-up service on the flows in force; the hand-off plans through it."""
    followups = FollowupService(
        turns=turns,
        runner=lambda: dispatcher.runner,
        handoffs=handoffs,
        senders=senders,
        accept_within_hours=settings.handoff.accept_within_hours,
        on_queued=on_queued,
    )
    handoffs.hooks = followups.planner
    return followups
