"""When follow-ups come: planned in the transaction of the case change that calls for them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from sqlalchemy.engine import Connection

from bot.domain import jobs as kinds
from bot.engine.schema import Followups
from bot.handoff.calendar import PARIS, add_working_hours, next_working_time
from bot.store.handoffs import WAITING, HandoffRow
from bot.store.jobs import cancel_keys, enqueue

# Follow-ups planned when a case reaches its relay: (name, job kind, once per).
AFTER_HANDOFF = (
    ("contacted", kinds.CHECKIN_CONTACTED, "attempt"),  # each relay gets its own check
    ("progress", kinds.CHECKIN_PROGRESS, "case"),
    ("outcome", kinds.CHECKIN_OUTCOME, "case"),
)
CONTACT_CHECKED = ("notified", "accepted")  # "were you contacted?" makes sense then
REMINDERS = ("half", "last")


def checkin_key(name: str, row: HandoffRow, per: str) -> str:
    """The idempotency key of a follow-up after a hand-off."""
    return f"checkin:{name}:{row.id if per == 'attempt' else row.lead_id}"


def reminder_key(handoff_id: str, when: str) -> str:
    """The idempotency key of a relay's reminder."""
    return f"remind:{handoff_id}:{when}"


class Planner:
    """The hand-off's hooks: plan the check-ins when a case reaches its relay, the
    relay's reminders when an attempt starts waiting, and cancel what a change makes
    pointless (reminders once taken or gone, "were you contacted?" once closed)."""

    def __init__(
        self,
        followups: Callable[[], tuple[str, Followups] | None],
        *,
        accept_within_hours: float,
        clock: Callable[[], datetime],
    ) -> None:
        self.followups = followups  # the flows in force (they change with a hot reload)
        self.accept_within_hours = accept_within_hours
        self.clock = clock

    def offered(self, connection: Connection, row: HandoffRow) -> None:
        """Remind the relay halfway to the deadline, and in its last working hour."""
        if row.due_at is None:  # the national coordination has no deadline
            return
        start = self.clock()
        hours = self.accept_within_hours
        # In office hours (a half ending at 18h is said the next morning).
        plan = {"half": next_working_time(add_working_hours(start, hours / 2))}
        if hours > 1:
            plan["last"] = next_working_time(add_working_hours(start, hours - 1))
        for when, at in plan.items():
            if start < at < row.due_at:
                payload = {"handoff_id": row.id, "what": when}
                key = reminder_key(row.id, when)
                enqueue(connection, kinds.RELAY_REMINDER, key, payload,
                        subject=row.conversation_id, run_at=at)  # fmt: skip

    def notified(self, connection: Connection, row: HandoffRow) -> None:
        """The case reached its relay: plan the check-ins the flows ask for."""
        found = self.followups()
        if found is None:
            return
        settings = found[1]
        start = self.clock()
        for name, kind, per in AFTER_HANDOFF:
            delay = settings.delays().get(name)
            if delay is None:
                continue
            payload = {"channel": row.channel, "lead_id": row.lead_id, "handoff_id": row.id}
            enqueue(connection, kind, checkin_key(name, row, per), payload,
                    subject=row.conversation_id, run_at=settings.due(delay, start))  # fmt: skip

    def changed(self, connection: Connection, row: HandoffRow) -> None:
        """Cancel what the attempt's new status makes pointless."""
        keys = []
        if row.status not in WAITING:
            keys += [reminder_key(row.id, when) for when in REMINDERS]
        if row.status not in CONTACT_CHECKED:
            keys.append(checkin_key("contacted", row, "attempt"))
        cancel_keys(connection, keys)


def iso_week(moment: datetime) -> str:
    """``2026-W49``: the key of a week's digest (Paris time)."""
    year, week, _ = moment.astimezone(PARIS).isocalendar()
    return f"{year}-W{week:02d}"


def next_digest(moment: datetime) -> datetime:
    """The next Monday's opening, Paris time (the next working morning on a holiday)."""
    today = moment.astimezone(PARIS).date()
    monday = today + timedelta(days=7 - today.weekday())
    return next_working_time(datetime.combine(monday, time(0), tzinfo=PARIS))


def plan_digest(connection: Connection, moment: datetime) -> None:
    """Queue the next weekly digest round (once per week, whichever worker asks)."""
    at = next_digest(moment)
    week = iso_week(at)
    enqueue(connection, kinds.RELAY_DIGEST, f"digest:{week}", {"week": week}, run_at=at)
