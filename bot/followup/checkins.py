"""Check-ins: the bot asks a resident first (J+3, J+30, J+90, a nudge), inside their turn."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.domain import jobs as kinds
from bot.domain.messages import Outbound
from bot.domain.ports import Sender
from bot.engine.dispatcher import case_context
from bot.engine.runner import Runner
from bot.engine.state import ConversationState, Mode, SlotValue, Status
from bot.handoff.service import HandoffService
from bot.handoff.sheet import short_ref
from bot.handoff.texts import fill
from bot.store import followups as events
from bot.store import handoffs as cases
from bot.store.deliveries import contact_reach
from bot.store.drainer import Handler, NotYetError
from bot.store.jobs import Job, enqueue
from bot.store.turns import TurnTx, contacts, conversations, leads
from bot.store.turnstore import TurnStore

log = logging.getLogger(__name__)

CONTACT_CHECKED = ("notified", "accepted")  # "were you contacted?" makes sense then
# Follow-ups due together (a worker was down): the later one in a case's life is asked.
RANK = {"nudge": 0, "contacted": 1, "progress": 2, "outcome": 3}
FOLLOWUP_RELAY = "followup_relay"  # slot: the first name of the relay the case is with


@dataclass(frozen=True, slots=True)
class Prepared:
    """A follow-up put in the person's conversation, ready to go out.

    ``user_ref`` is ``None`` when the channel cannot show it now: it waits, unseen, for
    the person's next message.
    """

    user_ref: str | None
    replies: tuple[Outbound, ...]
    flow: str
    step: str
    values: Mapping[str, str]


class Checkins:
    """Runs the follow-ups of ``flows/`` (the flow holding ``followups:``) and what their
    answers set going (``checkin.act``: pass the case on, ask the coordinator for help).

    A follow-up goes only to a person whose contact we keep, with the follow-up consent
    (or the contact consent when never asked), never after STOP or erasure; never in
    quiet hours (the job waits); never while the person is talking (it waits ``busy``).
    """

    def __init__(
        self,
        *,
        turns: TurnStore,
        runner: Callable[[], Runner],
        handoffs: HandoffService,
        senders: Mapping[str, Sender],
        clock: Callable[[], datetime],
        busy: timedelta = timedelta(minutes=30),
        on_queued: Callable[[], None] = lambda: None,
    ) -> None:
        self.turns = turns
        self.runner = runner  # the flows in force (hot reload)
        self.handoffs = handoffs
        self.senders = senders
        self.clock = clock
        self.busy = busy
        self.on_queued = on_queued

    def handlers(self) -> dict[str, Handler]:
        """The jobs run here."""
        found = {kind: Handler(self._checkin) for kind in kinds.CHECKINS}
        found[kinds.CHECKIN_ACT] = Handler(self._act)
        return found

    # ------------------------------------------------------------------ asking
    async def _checkin(self, job: Job) -> None:
        subject = job.subject
        runner = self.runner()
        found = runner.flows.followups
        name = job.kind.removeprefix("checkin.")
        if subject is None or found is None:
            return  # erased, or follow-ups turned off since
        settings = found[1]
        delay = settings.delays().get(name)
        if delay is None:
            return  # this follow-up was turned off since
        moment = self.clock()
        allowed = settings.quiet.next_allowed(moment)
        if allowed > moment:
            raise NotYetError(allowed)
        channel = str(job.payload.get("channel") or "")
        sender = self.senders.get(channel)
        if name == "nudge" and sender is None:
            return  # nothing to say to someone who cannot be written to until they write

        def prepare(tx: TurnTx) -> Prepared | None:
            return self._prepare(tx, job, name, runner, moment, can_push=sender is not None)

        prepared = await self.turns.transact(subject, channel, prepare)
        if prepared is None or prepared.user_ref is None or sender is None:
            return
        for reply in prepared.replies:
            shown = await sender.push(
                prepared.user_ref, reply, purpose="followup", values=prepared.values
            )
            if not shown:  # a template asked them to write back, or nothing could go
                return
        await self.turns.transact(subject, channel, lambda tx: _mark_seen(tx, prepared))

    def _prepare(
        self, tx: TurnTx, job: Job, name: str, runner: Runner, moment: datetime, *, can_push: bool
    ) -> Prepared | None:
        """In the person's turn: may we, should we still, and the question, saved."""
        connection = tx.connection
        found = runner.flows.followups
        assert found is not None
        holder, settings = found
        reach = contact_reach(connection, tx.conversation_id, "followup")
        stored = tx.load()
        if reach is None or reach.stopped or not reach.consented or stored is None:
            return None
        state = ConversationState.from_json(stored.state)
        if state.status is Status.STOPPED:
            return None
        if events.asked_before(connection, job.key):  # a try before a crash asked it
            if not _waiting_on(state, holder):
                return None  # answered since
            return self._ready(tx, reach.unreachable, can_push, runner.again(state), state)
        if _waiting_on(state, holder):
            shown = next((n for n, d in settings.delays().items() if d.step == state.step), None)
            if shown is not None and RANK.get(shown, 0) > RANK.get(name, 0):
                return None  # a later follow-up waits for its answer: this one is past
        if not self._still_useful(tx, job, name, state, holder):
            return None
        last = connection.execute(
            select(conversations.c.updated_at).where(conversations.c.id == tx.conversation_id)
        ).scalar()
        if name == "nudge" and last is not None:
            later = settings.due(settings.delays()["nudge"], last)
            if later > moment:  # they came back meanwhile: the delay runs from then
                raise NotYetError(later)
        elif last is not None and last > moment - self.busy:
            raise NotYetError(settings.quiet.next_allowed(last + self.busy))
        step = settings.delays()[name].step
        state = state.with_slots(**self._case_slots(tx))
        result = runner.check_in(state, holder, step, case_context(tx), moment)
        if result.effects:
            log.warning("follow-up %s: the effects before its question are ignored", name)
        new = result.state
        tx.save(
            new.to_json(),
            exists=True,
            turns=stored.turns,
            status=new.status.value,
            flow=new.flow,
            step=new.step,
            flow_version=new.flow_version,
            source=new.source,
        )
        events.record_asked(connection, tx.conversation_id, name, job.key, moment)
        return self._ready(tx, reach.unreachable, can_push, result.replies, new)

    def _still_useful(
        self, tx: TurnTx, job: Job, name: str, state: ConversationState, holder: str
    ) -> bool:
        """Does the reason for this follow-up still hold?"""
        connection = tx.connection
        lead = connection.execute(
            select(leads.c.id).where(leads.c.conversation_id == tx.conversation_id)
        ).first()
        if name == "nudge":  # an intake left unfinished, never nudged before
            return (
                lead is None
                and state.status is Status.ACTIVE
                and state.flow != holder
                and not events.ever_asked(connection, tx.conversation_id, "nudge")
            )
        if lead is None:
            return False
        if name == "contacted":
            row = cases.open_for_conversation(connection, tx.conversation_id)
            return (
                row is not None
                and row.id == job.payload.get("handoff_id")
                and row.status in CONTACT_CHECKED
            )
        return True

    def _case_slots(self, tx: TurnTx) -> dict[str, SlotValue]:
        """The relay the case is with, for the follow-up's texts (``{followup_relay}``)."""
        row = cases.latest_for_conversation(tx.connection, tx.conversation_id)
        relay = self.handoffs.relays.get(row.relay_id) if row is not None else None
        return {FOLLOWUP_RELAY: relay.display_name if relay is not None else None}

    def _ready(
        self,
        tx: TurnTx,
        unreachable: bool,
        can_push: bool,
        replies: tuple[Outbound, ...],
        state: ConversationState,
    ) -> Prepared:
        contact = tx.connection.execute(
            select(contacts.c.user_ref, contacts.c.first_name).where(
                contacts.c.conversation_id == tx.conversation_id
            )
        ).first()
        user_ref = tx.cipher.decrypt(contact.user_ref) if contact is not None else None
        first = tx.cipher.decrypt(contact.first_name) if contact is not None else None
        values = {"first_name": first} if first else {}
        shown_now = can_push and not unreachable  # else: for their next message
        return Prepared(
            user_ref if shown_now else None,
            replies,
            state.flow or "",
            state.step or "",
            values,
        )

    # ------------------------------------------------------------------ answers
    async def _act(self, job: Job) -> None:
        """What an answer set going: ``pass_on`` (nobody got in touch) or ``help``."""
        subject = job.subject
        if subject is None:
            return
        what = str(job.payload.get("what") or "")
        texts = self.handoffs.texts.rappels
        if what == "pass_on":

            def also(connection: Connection, row: cases.HandoffRow) -> None:
                relay = self.handoffs.relays.get(row.relay_id)
                name = relay.display_name if relay else self.handoffs.texts.relais.someone
                text = fill(texts.alert_no_contact, ref=short_ref(row.lead_id), relay_name=name)
                self.handoffs.alert(connection, f"no_contact:{row.id}", text)
                if row.status in cases.TALKING:  # they had taken it: say it went elsewhere
                    payload = {"handoff_id": row.id, "what": "taken_back"}
                    key = f"remind:{row.id}:taken_back"
                    enqueue(connection, kinds.RELAY_REMINDER, key, payload, subject=subject)

            await self.handoffs.actions.pass_on(subject, "pas de nouvelles (relance)", also=also)
        elif what == "help":

            def ask(connection: Connection) -> None:
                lead = connection.execute(
                    select(leads.c.id, leads.c.commune).where(leads.c.conversation_id == subject)
                ).first()
                if lead is None:
                    return
                row = cases.latest_for_conversation(connection, subject)
                relay = self.handoffs.relays.get(row.relay_id) if row is not None else None
                name = relay.display_name if relay else self.handoffs.texts.relais.someone
                text = fill(
                    texts.alert_help,
                    ref=short_ref(lead.id),
                    commune=lead.commune or "",
                    relay_name=name,
                )
                self.handoffs.alert(connection, f"help:{job.key}", text)

            await self.turns.run(ask)
        self.on_queued()


def _waiting_on(state: ConversationState, holder: str) -> bool:
    return state.status is Status.ACTIVE and state.flow == holder


def _mark_seen(tx: TurnTx, prepared: Prepared) -> None:
    """The channel showed the question: the person's next message answers it."""
    stored = tx.load()
    if stored is None:
        return
    state = stored.state
    same = state.get("flow") == prepared.flow and state.get("step") == prepared.step
    if same and state.get("mode") == Mode.UNSEEN.value:
        tx.set_state_field("mode", Mode.ANSWER.value)
