"""One turn: lock the conversation, drop duplicates, understand, run, save, reply."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from bot.domain.messages import Inbound, InboundKind, Outbound
from bot.domain.ports import Deliver
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


def case_context(tx: TurnTx) -> dict[str, SlotValue]:
    """Where the person's case stands, for texts and conditions (``{case_relay}``...)."""
    case = case_view(tx)
    if case is None:
        return {}
    return {
        "case_status": case.status,
        "case_relay": case.relay_name,
        "case_due": case.due_at.isoformat() if case.due_at else None,
    }


class Dispatcher:
    """Does one turn for an inbound message and returns the replies to send."""

    def __init__(
        self,
        runner: Runner,
        store: TurnStore,
        nlu: NLU,
        pseudonyms: Pseudonyms,
        on_queued: Callable[[], None] = lambda: None,
    ) -> None:
        self.runner = runner
        self.store = store
        self.nlu = nlu
        self.pseudonyms = pseudonyms
        self.on_queued = on_queued  # jobs were committed: wake the drainer
        self._locks = KeyedLocks()

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
                # Seen before. If it is their latest message and its reply never reached
                # them (lost with a worker), ask again what the conversation waits for.
                lost = stored is not None and message_id is not None and tx.unanswered(message_id)
                return Applied(runner.again(state)) if lost else None
            if keeps_before:
                tx.touch_contact(inbound.received_at)
            waiting = take_outbox(tx) if keeps_before else []
            context = case_context(tx) if state.slots.get("lead_status") else {}
            result = runner.run(state, inbound, understanding, context)
            speaking = runner.speaking(result.state.lang)  # « mes données » in their language
            access = speaking.flows.glob.messages.access
            applied = apply_effects(tx, inbound, result, speaking.render.label, waiting, access)
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
        if applied.queued:  # relays are reached by the drainer, after the commit
            self.on_queued()
        return applied.replies
