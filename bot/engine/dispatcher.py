"""One turn: lock the conversation, drop duplicates, understand, run, save, reply."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from bot.domain.messages import Inbound, InboundKind, Outbound
from bot.domain.text import clean
from bot.domain.understanding import NLU, NOTHING, Understanding
from bot.engine.locks import KeyedLocks
from bot.engine.render import PAYLOAD
from bot.engine.runner import Runner, TurnResult
from bot.engine.state import (
    ConversationState,
    CreateLead,
    EraseAll,
    Forget,
    Purpose,
    RecordConsent,
    SlotValue,
)
from bot.privacy.pseudonyms import Pseudonyms
from bot.store.turns import TurnTx
from bot.store.turnstore import TurnStore

log = logging.getLogger(__name__)

Deliver = Callable[[Sequence[Outbound]], Awaitable[Sequence[str | None] | None]]
"""Sends a turn's replies; may return the channel's id of each message sent."""

SKIPPED = "skip"  # option id of "je préfère ne pas dire" on free-text questions
DETAIL_SLOTS = (
    "age_band",
    "company_age",
    "headcount",
    "growth_needs",
    "insee",
    "department",
    "relay_town",
)


def _str(slots: Mapping[str, SlotValue], name: str) -> str | None:
    value = slots.get(name)
    if value is None or value == SKIPPED:
        return None
    return str(value)


def _list(slots: Mapping[str, SlotValue], name: str) -> list[str]:
    value = slots.get(name)
    return [str(v) for v in value] if isinstance(value, list) else []


def lead_fields(slots: Mapping[str, SlotValue], source: str | None) -> dict[str, Any]:
    """Columns of a lead from a conversation's slots."""
    relay_name = _str(slots, "relay_name")
    structure = _str(slots, "relay_structure")
    return {
        "stage": _str(slots, "stage"),
        "sector": _str(slots, "sector"),
        "postal_code": _str(slots, "postal_code"),
        "commune": _str(slots, "commune"),
        "needs": _list(slots, "needs"),
        "pitch": _str(slots, "pitch"),
        "first_name": _str(slots, "first_name"),
        "contact_pref": _str(slots, "contact_pref"),
        "relay_id": _str(slots, "relay_id") if slots.get("consent_relay") == "yes" else None,
        "relay_name": (
            f"{relay_name}, {structure}"
            if relay_name and structure and slots.get("consent_relay") == "yes"
            else None
        ),
        "status": _str(slots, "lead_status") or "new",
        "schemes": _list(slots, "schemes"),
        "source": source,
        "details": {k: slots[k] for k in DETAIL_SLOTS if slots.get(k) is not None},
    }


class Dispatcher:
    """Does one turn for an inbound message and returns the replies to send."""

    def __init__(
        self,
        runner: Runner,
        store: TurnStore,
        nlu: NLU,
        pseudonyms: Pseudonyms,
    ) -> None:
        self.runner = runner
        self.store = store
        self.nlu = nlu
        self.pseudonyms = pseudonyms
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
            self.pseudonyms.message(inbound.channel, inbound.message_id)
            if inbound.message_id
            else None
        )
        runner = self.runner  # the version in force when the turn starts

        def work(tx: TurnTx) -> tuple[Outbound, ...] | None:
            stored = tx.load()
            state = ConversationState.from_json(stored.state) if stored else ConversationState()
            kept_text = clean(inbound.text) if stored and stored.keeps_text else None
            if not tx.claim_inbound(message_id, kept_text):
                return None
            if stored and stored.keeps_text:
                tx.touch_contact(inbound.received_at)
            result = runner.run(state, inbound, understanding)
            forgotten = _apply(tx, inbound, result)
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
            tx.log_outbound(
                [r.text if keeps else None for r in result.replies], linked=not forgotten
            )
            return result.replies

        replies = await self.store.transact(subject, inbound.channel, work)
        if replies is None:
            log.info("dropped a redelivered message on %s", inbound.channel)
            return []
        return replies


def _apply(tx: TurnTx, inbound: Inbound, result: TurnResult) -> bool:
    """Carry out the turn's effects; True when the conversation was erased."""
    slots = result.state.slots
    for effect in result.effects:
        if isinstance(effect, RecordConsent):
            tx.record_consent(
                purpose=effect.purpose.value,
                granted=effect.granted,
                notice_version=effect.notice_version,
                notice_hash=effect.notice_hash,
                relay_id=effect.relay_id,
            )
            if effect.purpose is Purpose.CONTACT and effect.granted:
                tx.save_contact(inbound.user_ref, _str(slots, "first_name"))
        elif isinstance(effect, CreateLead):
            tx.save_contact(inbound.user_ref, _str(effect.slots, "first_name"))
            tx.upsert_lead(inbound.user_ref, lead_fields(effect.slots, result.state.source))
        elif isinstance(effect, Forget):
            tx.forget()
            return True
        elif isinstance(effect, EraseAll):
            tx.erase_all()
            return True
    return False
