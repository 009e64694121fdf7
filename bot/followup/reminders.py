"""Relays' follow-ups: reminders before a case moves on, and each Monday their open cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.domain import jobs as kinds
from bot.domain.messages import Button, Outbound
from bot.followup.plan import plan_digest
from bot.handoff.calendar import PARIS, next_working_time
from bot.handoff.reference import Relay
from bot.handoff.service import HandoffService
from bot.handoff.sheet import case_payload, short_ref
from bot.handoff.texts import fill
from bot.store import handoffs as cases
from bot.store.drainer import Handler, NotYetError
from bot.store.handoffs import HandoffRow, handoffs
from bot.store.jobs import Job, enqueue
from bot.store.turns import leads
from bot.store.turnstore import TurnStore


def clock_time(moment: datetime) -> str:
    """``14h`` or ``9h30`` (Paris time), as people write it."""
    local = moment.astimezone(PARIS)
    return f"{local.hour}h{local.minute:02d}" if local.minute else f"{local.hour}h"


class RelayReminders:
    """Reminds relays of cases waiting for them, on their own channel (their Telegram
    chat with the case's buttons, else e-mail, else their webhook), in office hours."""

    def __init__(
        self,
        *,
        turns: TurnStore,
        handoffs: HandoffService,
        clock: Callable[[], datetime],
        on_queued: Callable[[], None] = lambda: None,
    ) -> None:
        self.turns = turns
        self.handoffs = handoffs
        self.clock = clock
        self.on_queued = on_queued

    def handlers(self) -> dict[str, Handler]:
        """The jobs run here."""
        return {
            kinds.RELAY_REMINDER: Handler(self._remind),
            kinds.RELAY_DIGEST: Handler(self._round),
            kinds.RELAY_DIGEST_ONE: Handler(self._digest, attempts=4),
        }

    async def plan(self) -> None:
        """Make sure next Monday's digest round is queued (at start-up; once per week)."""
        moment = self.clock()
        await self.turns.run(lambda c: plan_digest(c, moment))

    # ------------------------------------------------------------------ reminders
    async def _remind(self, job: Job) -> None:
        handoff_id = str(job.payload.get("handoff_id") or "")
        row = await self.turns.run(lambda c: cases.get(c, handoff_id))
        relay = self.handoffs.relays.get(row.relay_id) if row is not None else None
        if row is None or relay is None:
            return  # erased, or the relay left the directory
        texts = self.handoffs.texts.rappels
        ref = short_ref(row.lead_id)
        if job.payload.get("what") == "taken_back":
            if not await self.handoffs.tell_relay(row, fill(texts.taken_back, ref=ref)):
                raise RuntimeError(f"relay {relay.id} could not be reached")
            return
        due = row.due_at
        moment = self.clock()
        if row.status not in cases.WAITING or due is None or moment >= due:
            return  # taken, moved on, or too late to be useful
        opening = next_working_time(moment)
        if opening > moment:
            if opening >= due:
                return
            raise NotYetError(opening)
        commune = await self.turns.run(lambda c: _commune(c, row.lead_id))
        template = texts.half if job.payload.get("what") == "half" else texts.last
        wording = self.handoffs.wording
        text = fill(template, ref=ref, commune=commune, due=wording.date(due),
                    due_time=clock_time(due))  # fmt: skip
        if not await self._reach(relay, row, text):
            raise RuntimeError(f"relay {relay.id} could not be reached")

    async def _reach(self, relay: Relay, row: HandoffRow, text: str) -> bool:
        """The reminder on the relay's first way: their chat (with the case's buttons),
        else e-mail; and their webhook, when they have one."""
        service = self.handoffs
        relais = service.texts.relais
        buttons = (
            Button(case_payload(row.id, "accept"), relais.accept_button),
            Button(case_payload(row.id, "decline"), relais.decline_button),
        )
        subject = fill(service.texts.rappels.email_subject, ref=short_ref(row.lead_id))
        due = row.due_at.isoformat() if row.due_at else None
        ref = service.reach.case_ref(relay, row.lead_id)  # never the case's id
        event = {"type": "case.reminder", "case_ref": ref, "due_at": due}
        return any(await service.reach.notify(relay, Outbound(text, buttons), subject, event))

    # ------------------------------------------------------------------ weekly digest
    async def _round(self, job: Job) -> None:
        """Monday morning: one digest per relay with open cases, and next week's round."""
        week = str(job.payload.get("week") or "")
        moment = self.clock()

        def fan_out(connection: Connection) -> None:
            for relay_id in sorted(cases.loads(connection)):
                payload = {"relay_id": relay_id, "week": week}
                enqueue(connection, kinds.RELAY_DIGEST_ONE, f"digest:{week}:{relay_id}", payload)
            plan_digest(connection, moment)

        await self.turns.run(fan_out)
        self.on_queued()

    async def _digest(self, job: Job) -> None:
        relay = self.handoffs.relays.get(str(job.payload.get("relay_id") or ""))
        if relay is None:
            return
        rows = await self.turns.run(lambda c: _open_cases(c, relay.id))
        if not rows:
            return
        texts = self.handoffs.texts
        wording = self.handoffs.wording
        lines = [fill(texts.rappels.digest_title, count=len(rows))]
        lines += [
            fill(
                texts.rappels.digest_case,
                ref=short_ref(lead_id),
                commune=commune or "—",
                status=texts.relais.statuses.get(status, status),
                since=wording.date(since),
            )
            for lead_id, commune, status, since in rows
        ]
        lines.append(texts.rappels.digest_footer)
        text = "\n".join(lines)
        subject = texts.rappels.digest_email_subject
        sent = await self.handoffs.reach.notify(relay, Outbound(text), subject, None)
        if sent and not any(sent):
            raise RuntimeError(f"relay {relay.id} could not be reached")


def _commune(connection: Connection, lead_id: str) -> str:
    found = connection.execute(select(leads.c.commune).where(leads.c.id == lead_id)).scalar()
    return str(found or "—")


OpenCase = tuple[str, str | None, str, datetime]  # lead, commune, status, since when


def _open_cases(connection: Connection, relay_id: str) -> list[OpenCase]:
    """The relay's open cases, oldest first: lead, commune, status, since when."""
    rows = connection.execute(
        select(handoffs.c.lead_id, leads.c.commune, handoffs.c.status, handoffs.c.created_at)
        .join(leads, leads.c.id == handoffs.c.lead_id)
        .where(handoffs.c.relay_id == relay_id, handoffs.c.status.in_(cases.OPEN))
        .order_by(handoffs.c.created_at)
    )
    return [(r.lead_id, r.commune, r.status, r.created_at) for r in rows]
