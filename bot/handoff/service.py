"""The hand-off lifecycle: offer a case, notify, accept, bridge, close, expire, move on."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.domain.cipher import FieldCipher
from bot.domain.messages import Outbound
from bot.domain.ports import Sender
from bot.handoff.calendar import add_working_hours
from bot.handoff.matching import RelayLoads, rank_relays, wants_growth
from bot.handoff.notify import EmailNotifier, WebhookNotifier
from bot.handoff.reference import Relay, Relays
from bot.handoff.sheet import case_card, close_card, render_sheet, short_ref
from bot.handoff.texts import HandoffTexts, Wording, fill
from bot.store import handoffs as store
from bot.store.audit import record_access
from bot.store.handoffs import HandoffRow
from bot.store.leads import load_lead
from bot.store.outbox import keep_or_find
from bot.store.turns import leads
from bot.store.turnstore import TurnStore

log = logging.getLogger(__name__)

RELAY_CHANNEL = "telegram"  # the channel of relays' chats (``telegram_chat_id``)


@dataclass(frozen=True, slots=True)
class HandoffConfig:
    """How long relays have, and where relays' e-mail links point."""

    accept_within_hours: float = 16
    public_url: str | None = None


class HandoffService:
    """Carries cases from residents to relays and back; implements ``CaseEvents``."""

    def __init__(
        self,
        *,
        turns: TurnStore,
        cipher: FieldCipher,
        relays: Relays,
        loads: RelayLoads,
        wording: Wording,
        senders: Mapping[str, Sender] | None = None,
        email: EmailNotifier | None = None,
        webhook: WebhookNotifier | None = None,
        config: HandoffConfig | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.turns = turns
        self.cipher = cipher
        self.relays = {relay.id: relay for relay in relays.relays}
        self.directory = relays
        self.loads = loads
        self.wording = wording
        self.senders = dict(senders or {})  # by channel: residents' pushes, relays' chats
        self.email = email
        self.webhook = webhook
        self.config = config or HandoffConfig()
        self.clock = clock

    def use_relays(self, relays: Relays) -> None:
        """Another version of the relays file: new cases follow it; a relay removed keeps
        the cases it already has."""
        self.relays = {**self.relays, **{relay.id: relay for relay in relays.relays}}
        self.directory = relays

    @property
    def texts(self) -> HandoffTexts:
        """The coordinators' texts in force (``flows/relais.yml``)."""
        return self.wording.texts

    @property
    def messenger(self) -> Sender | None:
        """How relays' chats are written to, when their channel runs."""
        return self.senders.get(RELAY_CHANNEL)

    # ------------------------------------------------------------------ offering
    async def refresh_loads(self) -> None:
        """Reload the open cases per relay used by matching."""
        self.loads.current = await self.turns.run(store.loads)

    async def case_shared(self, lead_id: str) -> None:
        """The resident agreed to share: offer the case to the relay they were shown."""

        def offer(connection: Connection) -> HandoffRow | None:
            if store.for_lead(connection, lead_id):
                return None  # already offered (the resident corrected an answer)
            lead = connection.execute(
                select(
                    leads.c.id, leads.c.channel, leads.c.relay_id, leads.c.conversation_id
                ).where(leads.c.id == lead_id)
            ).first()
            if lead is None or lead.relay_id not in self.relays:
                return None
            known = {"lead_id": lead.id, "channel": lead.channel, "subject": lead.conversation_id}
            return self._offer(connection, known, lead.relay_id, 1)

        row = await self.turns.run(offer)
        if row is not None:
            await self._notify(row)

    def _offer(
        self, connection: Connection, lead: Mapping[str, Any], relay_id: str, attempt: int
    ) -> HandoffRow:
        subject = lead.get("subject") or self._subject(connection, lead["lead_id"])
        relay = self.relays[relay_id]
        due = add_working_hours(self.clock(), self.config.accept_within_hours)
        row = store.create(
            connection,
            lead_id=lead["lead_id"],
            conversation_id=subject,
            channel=lead["channel"],
            relay_id=relay_id,
            attempt=attempt,
            due_at=None if relay.coverage.national else due,
            relay_name=f"{relay.display_name}, {relay.structure}",
        )
        self.loads.current[relay_id] = self.loads.current.get(relay_id, 0) + 1
        return row

    def _subject(self, connection: Connection, lead_id: str) -> str:
        return str(
            connection.execute(
                select(leads.c.conversation_id).where(leads.c.id == lead_id)
            ).scalar()
        )

    def _reachable(self, relay: Relay) -> bool:
        contact = relay.contact
        return bool(
            (contact.telegram_chat_id is not None and self.messenger is not None)
            or (contact.email and self.email is not None)
            or (contact.webhook_url and self.webhook is not None)
        )

    async def _notify(self, row: HandoffRow) -> None:
        """Send the case to the relay on every way we have to reach them."""
        relay = self.relays[row.relay_id]
        if not self._reachable(relay):
            log.info("relay %s has no configured way to be reached; the case waits", relay.id)
            return
        lead = await self.turns.run(lambda c: load_lead(c, row.lead_id, self.cipher))
        if lead is None:
            return
        card_ref: str | None = None
        reached = False
        chat = relay.contact.telegram_chat_id
        if chat is not None and self.messenger is not None:
            card_ref = await self._to_chat(str(chat), case_card(lead, self.wording, row.id))
            reached = card_ref is not None
        if relay.contact.email and self.email is not None:
            body = render_sheet(lead, self.wording, handoff_id=row.id) + self._links(row)
            subject = fill(self.texts.relais.email_new_subject, ref=short_ref(row.lead_id))
            reached = await self.email.send(relay.contact.email, subject, body) or reached
        if relay.contact.webhook_url and self.webhook is not None:
            event = {"type": "case.offered", "handoff_id": row.id, "case": lead}
            reached = await self.webhook.send(relay.id, relay.contact.webhook_url, event) or reached
        if not reached:
            log.warning("relay %s could not be reached; the case waits for expiry", relay.id)
            return

        def sent(connection: Connection) -> None:
            store.set_status(connection, row, "notified", actor="bot", card_ref=card_ref)
            record_access(
                connection, actor=f"relay:{relay.id}", action="case_sent", lead_id=row.lead_id
            )

        await self.turns.run(sent)

    def _links(self, row: HandoffRow) -> str:
        texts = self.texts.relais
        if not self.config.public_url:
            return "\n\n" + texts.email_no_link
        link = f"{self.config.public_url.rstrip('/')}/relais/cas/{row.id}"
        return "\n\n" + fill(texts.email_link, link=link)

    # ------------------------------------------------------------------ relay actions
    async def accept(self, row: HandoffRow, actor: str) -> list[Outbound]:
        """The relay takes the case: the resident can now talk to them through the bot."""
        if row.status not in store.WAITING:
            return [Outbound(self.texts.relais.not_waiting)]
        relay = self.relays[row.relay_id]

        def take(connection: Connection) -> HandoffRow:
            taken = store.set_status(connection, row, "accepted", actor=actor)
            record_access(connection, actor=actor, action="case_accepted", lead_id=taken.lead_id)
            return taken

        row = await self.turns.run(take)
        await self._set_bridge(row, relay.display_name)
        told = self.texts.personne.accepted
        await self._tell_resident(
            row, fill(told, relay_name=relay.display_name, relay_structure=relay.structure)
        )
        first = await self._first_name(row)
        ref = short_ref(row.lead_id)
        return [
            Outbound(fill(self.texts.relais.accepted, first_name=first, ref=ref)),
            close_card(row.id, self.texts.relais),
        ]

    async def decline(self, row: HandoffRow, actor: str, *, reason: str) -> list[Outbound]:
        """The relay cannot take it (or releases it): offer it to the next one."""
        if row.status not in store.OPEN:
            return [Outbound(self.texts.relais.not_open)]
        was_talking = row.status in store.TALKING
        row = await self.turns.run(
            lambda c: store.set_status(c, row, "declined", actor=actor, detail=reason)
        )
        if was_talking:
            await self._set_bridge(row, None)
        await self._move_on(row)
        return [Outbound(self.texts.relais.declined)]

    async def close(self, row: HandoffRow, actor: str, outcome: str) -> list[Outbound]:
        """The relay closes the case with its outcome; the resident hears it once."""
        if row.status not in store.TALKING:
            return [Outbound(self.texts.relais.not_in_progress)]

        def close(connection: Connection) -> tuple[HandoffRow, dict[str, int]]:
            closed = store.set_status(connection, row, "closed", actor=actor, outcome=outcome)
            return closed, store.loads(connection)

        row, self.loads.current = await self.turns.run(close)
        await self._set_bridge(row, None)
        relay = self.relays[row.relay_id]
        heard = self.texts.relais.outcomes[outcome].resident
        told = fill(self.texts.personne.closed, relay_name=relay.display_name, outcome=heard)
        await self._tell_resident(row, told)
        return [Outbound(fill(self.texts.relais.closed, ref=short_ref(row.lead_id)))]

    async def relay_says(self, row: HandoffRow, actor: str, text: str) -> list[Outbound]:
        """A relay's answer goes to the resident, marked as coming from them."""
        if row.status not in store.TALKING:
            return [Outbound(self.texts.relais.take_first)]
        if row.status == "accepted":
            row = await self.turns.run(
                lambda c: store.set_status(c, row, "in_conversation", actor=actor)
            )
        relay = self.relays[row.relay_id]
        said = fill(self.texts.personne.relay_says, relay_name=relay.display_name, text=text)
        delivered = await self._tell_resident(row, said)
        return [] if delivered else [Outbound(self.texts.relais.resident_stopped)]

    # ------------------------------------------------------------------ resident side
    async def resident_message(self, subject: str, text: str) -> None:
        """Pass a resident's message to the relay who has the case."""

        def talking(connection: Connection) -> HandoffRow | None:
            row = store.talking_for(connection, subject)
            if row is not None and row.status == "accepted":
                row = store.set_status(connection, row, "in_conversation", actor="resident")
            return row

        row = await self.turns.run(talking)
        if row is None:
            return
        first = await self._first_name(row)
        ref = short_ref(row.lead_id)
        said = fill(self.texts.relais.resident_says, first_name=first, ref=ref, text=text)
        await self._tell_relay(row, said)

    async def resident_left(self, subject: str) -> None:
        """The resident typed FIN (or STOP): the relay is told, the case stays theirs."""
        row = await self.turns.run(lambda c: store.talking_for(c, subject))
        if row is not None:
            first = await self._first_name(row)
            left = self.texts.relais.resident_left
            await self._tell_relay(row, fill(left, first_name=first, ref=short_ref(row.lead_id)))

    async def case_withdrawn(self, lead_id: str, relay_id: str) -> None:
        """The resident erased their data: the relay must drop what they noted."""
        relay = self.relays.get(relay_id)
        if relay is None:
            return
        texts = self.texts.relais
        text = fill(texts.withdrawn, ref=short_ref(lead_id))
        if relay.contact.telegram_chat_id is not None and self.messenger is not None:
            await self._to_chat(str(relay.contact.telegram_chat_id), Outbound(text))
        elif relay.contact.email and self.email is not None:
            await self.email.send(relay.contact.email, texts.email_withdrawn_subject, text)
        if relay.contact.webhook_url and self.webhook is not None:
            event = {"type": "case.withdrawn", "lead_id": lead_id}
            await self.webhook.send(relay.id, relay.contact.webhook_url, event)
        await self.refresh_loads()

    # ------------------------------------------------------------------ expiry
    async def expire_due(self) -> int:
        """Cases nobody took in time move on; returns how many."""
        moment = self.clock()

        def expire(connection: Connection) -> list[HandoffRow]:
            overdue = store.due(connection, moment)
            return [store.set_status(connection, row, "expired", actor="bot") for row in overdue]

        expired = await self.turns.run(expire)
        for row in expired:
            await self._move_on(row)
        return len(expired)

    async def _move_on(self, row: HandoffRow) -> None:
        """Offer the case to the next relay (the coordinator last) and say so honestly."""

        def offer_next(connection: Connection) -> tuple[Relay, HandoffRow] | None:
            lead = load_lead(connection, row.lead_id, self.cipher)
            if lead is None:
                return None
            tried = {h.relay_id for h in store.for_lead(connection, row.lead_id)}
            details = lead.get("details") or {}
            candidates = [
                relay
                for relay in rank_relays(
                    self.directory,
                    postal_code=lead.get("postal_code"),
                    insee=details.get("insee"),
                    department=details.get("department"),
                    stage=lead.get("stage"),
                    needs=lead.get("needs") or [],
                    load=store.loads(connection),
                    growth=wants_growth(lead.get("stage"), details.get("maturity")),
                )
                if relay.id not in tried
            ]
            if not candidates:
                log.warning("case %s: no relay left to offer it to", row.lead_id)
                return None
            nxt = candidates[0]
            return nxt, self._offer(connection, lead, nxt.id, attempt=row.attempt + 1)

        offered = await self.turns.run(offer_next)
        if offered is None:
            return
        nxt, new = offered
        old = self.relays[row.relay_id]
        due = self.wording.date(new.due_at) if new.due_at else ""
        moved = fill(
            self.texts.personne.moved,
            old=old.display_name,
            relay_name=nxt.display_name,
            relay_structure=nxt.structure,
            relay_town=nxt.town,
            due=due,
        )
        await self._tell_resident(row, moved)
        await self._notify(new)

    # ------------------------------------------------------------------ plumbing
    async def _first_name(self, row: HandoffRow) -> str:
        lead = await self.turns.run(lambda c: load_lead(c, row.lead_id, self.cipher))
        return (lead or {}).get("first_name") or self.texts.relais.someone

    async def _set_bridge(self, row: HandoffRow, relay_name: str | None) -> None:
        await self.turns.transact(
            row.conversation_id, row.channel, lambda tx: tx.set_state_field("bridge", relay_name)
        )

    async def _to_chat(self, chat_id: str, message: Outbound) -> str | None:
        """Write to a relay's chat; the message's id (``reply_to`` of answers), or ``None``."""
        if self.messenger is None:
            return None
        ids = await self.messenger.deliver(chat_id, [message])
        return ids[0] if ids else None

    async def _tell_relay(self, row: HandoffRow, text: str) -> None:
        relay = self.relays[row.relay_id]
        if relay.contact.telegram_chat_id is not None and self.messenger is not None:
            await self._to_chat(str(relay.contact.telegram_chat_id), Outbound(text))
        elif relay.contact.email and self.email is not None:
            subject = fill(self.texts.relais.email_case_subject, ref=short_ref(row.lead_id))
            await self.email.send(relay.contact.email, subject, text)
        elif relay.contact.webhook_url and self.webhook is not None:
            event = {"type": "case.message", "handoff_id": row.id, "text": text}
            await self.webhook.send(relay.id, relay.contact.webhook_url, event)

    async def _tell_resident(self, row: HandoffRow, text: str) -> bool:
        """Write to the resident: pushed where the channel allows, else kept for their next
        message. Nothing goes to someone who said STOP."""
        sender = self.senders.get(row.channel)
        allowed, user_ref = await self.turns.transact(
            row.conversation_id, row.channel, lambda tx: keep_or_find(tx, text, sender is not None)
        )
        if not allowed or user_ref is None or sender is None:
            return allowed
        return await sender.push(user_ref, Outbound(text))
