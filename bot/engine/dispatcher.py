"""One turn: lock the conversation, drop duplicates, understand, run, save, reply."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from bot.domain.messages import Inbound, InboundKind, Outbound
from bot.domain.ports import CaseEvents, Deliver
from bot.domain.text import clean
from bot.domain.understanding import NLU, NOTHING, Understanding
from bot.engine.effects import Applied, apply_effects
from bot.engine.locks import KeyedLocks
from bot.engine.render import PAYLOAD
from bot.engine.runner import Runner
from bot.engine.state import ConversationState, SlotValue
from bot.privacy.pseudonyms import Pseudonyms
from bot.privacy.sensitive import redact
from bot.store.handoffs import case_view
from bot.store.outbox import take_outbox
from bot.store.turns import TurnTx
from bot.store.turnstore import TurnStore

log = logging.getLogger(__name__)


def _case_context(tx: TurnTx) -> dict[str, SlotValue]:
    """Where the person's case stands, for texts and conditions (``{case_relay}``...)."""
    case = case_view(tx)
    if case is None:
        return {}
    return {
        "case_status": case.status,
        "case_relay": case.relay_name,
        "case_due": case.due_at.isoformat() if case.due_at else None,
    }


class LoggedCaseEvents:
    """Case events when no hand-off service is wired: only logged."""

    async def case_shared(self, lead_id: str) -> None:
        log.info("case %s shared (no hand-off service)", lead_id)

    async def case_withdrawn(self, lead_id: str, relay_id: str) -> None:
        log.info("case %s of relay %s withdrawn by its resident", lead_id, relay_id)

    async def resident_message(self, subject: str, text: str) -> None:
        log.info("a resident wrote to a relay (no hand-off service)")

    async def resident_left(self, subject: str) -> None:
        log.info("a resident left a relay conversation (no hand-off service)")


class Dispatcher:
    """Does one turn for an inbound message and returns the replies to send."""

    def __init__(
        self,
        runner: Runner,
        store: TurnStore,
        nlu: NLU,
        pseudonyms: Pseudonyms,
        case_events: CaseEvents | None = None,
    ) -> None:
        self.runner = runner
        self.store = store
        self.nlu = nlu
        self.pseudonyms = pseudonyms
        self.case_events: CaseEvents = case_events or LoggedCaseEvents()
        self._locks = KeyedLocks()
        self._background: set[asyncio.Task[None]] = set()

    async def handle(self, inbound: Inbound, deliver: Deliver | None = None) -> Sequence[Outbound]:
        """Process ``inbound``; a redelivered message gets no reply at all.

        ``deliver``, when given, sends the replies while the conversation is still
        locked, so a person's next message is answered only after this one.
        """
        subject = self.pseudonyms.subject(inbound.channel, inbound.user_ref)
        async with self._locks.hold(subject):
            understanding = await self._understand(inbound)
            try:
                replies = await self._turn(subject, inbound, understanding)
            except Exception:
                # Nothing was committed: a redelivery will be processed afresh.
                log.exception("turn failed on channel %s", inbound.channel)
                replies = [Outbound(self.runner.flows.glob.messages.broken)]
            if deliver is not None and replies:
                sent = await deliver(replies)
                if sent and any(sent):
                    await self._record_sent(subject, inbound.channel, sent)
            return replies

    async def _record_sent(self, subject: str, channel: str, sent: Sequence[str | None]) -> None:
        """Attach the channel's message ids to this turn's logged replies (for statuses)."""
        hashed = [self.pseudonyms.message(channel, i) if i else None for i in sent]
        try:
            await self.store.transact(subject, channel, lambda tx: tx.set_outbound_ids(hashed))
        except Exception:
            log.exception("could not record sent message ids on %s", channel)

    async def _understand(self, inbound: Inbound) -> Understanding:
        text = clean(inbound.text)
        if inbound.kind is not InboundKind.TEXT or not text or PAYLOAD.match(text):
            return NOTHING
        if len(text) > self.runner.flows.glob.settings.max_text_length:
            return NOTHING
        return await self.nlu.parse(text)

    async def _turn(
        self, subject: str, inbound: Inbound, understanding: Understanding
    ) -> Sequence[Outbound]:
        message_id = (
            self.pseudonyms.inbound(inbound.channel, inbound.user_ref, inbound.message_id)
            if inbound.message_id
            else None
        )
        runner = self.runner  # the version in force when the turn starts

        def work(tx: TurnTx) -> Applied | None:
            stored = tx.load()
            state = ConversationState.from_json(stored.state) if stored else ConversationState()
            keeps_before = stored is not None and stored.keeps_text
            kept_text = redact(clean(inbound.text)).text if keeps_before else None
            if not tx.claim_inbound(message_id, kept_text):
                return None
            if keeps_before:
                tx.touch_contact(inbound.received_at)
            waiting = take_outbox(tx) if keeps_before else []
            context = _case_context(tx) if state.slots.get("lead_status") else {}
            result = runner.run(state, inbound, understanding, context)
            access = runner.flows.glob.messages.access
            applied = apply_effects(tx, inbound, result, runner.render.label, waiting, access)
            forgotten = applied.forgotten
            if not forgotten:
                new = result.state
                tx.save(
                    new.to_json(),
                    exists=stored is not None,
                    turns=(stored.turns if stored else 0) + 1,
                    status=new.status.value,
                    flow=new.flow,
                    step=new.step,
                    flow_version=new.flow_version,
                    source=new.source,
                )
            keeps = not forgotten and result.state.slots.get("consent_contact") == "yes"
            if keeps and not keeps_before:  # consent given in this very turn
                tx.touch_contact(inbound.received_at)
            tx.log_outbound(
                [r.text if keeps else None for r in applied.replies], linked=not forgotten
            )
            return applied

        applied = await self.store.transact(subject, inbound.channel, work)
        if applied is None:
            log.info("dropped a redelivered message on %s", inbound.channel)
            return []
        if applied.forgotten:  # erased rows must not linger in the database files
            await self.store.scrub()
        if applied.forwards or applied.left_bridge or applied.shared_lead or applied.erased:
            # Reaching relays (network, e-mail) must not hold the person's reply back.
            task = asyncio.create_task(self._tell_relays(subject, applied))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
        return applied.replies

    async def drain(self) -> None:
        """Wait for hand-off events still on their way (before shutting down)."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    async def _tell_relays(self, subject: str, applied: Applied) -> None:
        """After the commit: hand-off events. A failure here never undoes the turn."""
        events = self.case_events
        try:
            for text in applied.forwards:
                await events.resident_message(subject, text)
            if applied.left_bridge:
                await events.resident_left(subject)
            if applied.shared_lead is not None:
                await events.case_shared(applied.shared_lead)
            erased = applied.erased
            if erased is not None and erased.relay_id is not None:
                await events.case_withdrawn(erased.lead_id, erased.relay_id)
        except Exception:
            log.exception("a hand-off event failed after the turn was saved")
