"""What relays do with a case (take, give back, close, answer), and a resident passing
it on when nobody got in touch: each a compare-and-set with what follows from it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.domain.messages import Outbound
from bot.handoff.reference import Relay
from bot.handoff.sheet import close_card, short_ref
from bot.handoff.texts import HandoffTexts, ResidentTexts, fill
from bot.store import handoffs as store
from bot.store.audit import record_access
from bot.store.handoffs import HandoffRow
from bot.store.turns import TurnTx, contacts
from bot.store.turnstore import TurnStore


class Cases(Protocol):
    """What the actions need of the hand-off service (``bot/handoff/service.py``)."""

    relays: dict[str, Relay]
    turns: TurnStore

    @property
    def texts(self) -> HandoffTexts: ...
    def transition(
        self,
        connection: Connection,
        handoff_id: str,
        status: str,
        allowed: tuple[str, ...],
        **changes: Any,
    ) -> HandoffRow | None: ...
    async def transact(self, row: HandoffRow, work: Callable[[TurnTx], Any]) -> Any: ...
    def move_on(
        self,
        connection: Connection,
        lead_ref: Mapping[str, Any],
        old: Relay | None,
        *,
        attempt: int,
        why: str,
    ) -> None: ...
    def tell(self, connection: Connection, row: HandoffRow, text: str) -> None: ...
    def resident(self, connection: Connection, subject: str) -> ResidentTexts: ...
    def keep(
        self, connection: Connection, row: HandoffRow, author: str, text: str, *, key: str
    ) -> None: ...
    async def first_name(self, row: HandoffRow) -> str: ...
    async def refresh_loads(self) -> None: ...
    def offer(
        self, connection: Connection, lead_ref: Mapping[str, Any], relay_id: str, attempt: int
    ) -> HandoffRow: ...
    def date(self, moment: datetime) -> str: ...


class RelayActions:
    """A relay's actions on a case, whatever they pressed them in (Telegram, web, e-mail)."""

    def __init__(self, cases: Cases) -> None:
        self.cases = cases

    async def accept(self, row: HandoffRow, actor: str) -> list[Outbound]:
        """The relay takes the case: the resident can now talk to them through the bot."""
        relay = self.cases.relays[row.relay_id]

        def take(tx: TurnTx) -> HandoffRow | None:
            taken = self.cases.transition(
                tx.connection, row.id, "accepted", store.WAITING, actor=actor
            )
            if taken is None:
                return None
            record_access(tx.connection, actor=actor, action="case_accepted", lead_id=taken.lead_id)
            tx.set_state_field("bridge", relay.display_name)
            told = fill(
                self.cases.resident(tx.connection, taken.conversation_id).accepted,
                relay_name=relay.display_name,
                relay_structure=relay.structure,
            )
            self.cases.tell(tx.connection, taken, told)
            return taken

        taken = await self.cases.transact(row, take)
        if taken is None:
            return [Outbound(self.cases.texts.relais.not_waiting)]
        first = await self.cases.first_name(taken)
        ref = short_ref(taken.lead_id)
        return [
            Outbound(fill(self.cases.texts.relais.accepted, first_name=first, ref=ref)),
            close_card(taken.id, taken.lead_id, self.cases.texts.relais),
        ]

    async def decline(self, row: HandoffRow, actor: str, *, reason: str) -> list[Outbound]:
        """The relay cannot take it (or releases it): offer it to the next one."""

        def audited(connection: Connection, given: HandoffRow) -> None:
            record_access(connection, actor=actor, action="case_declined", lead_id=given.lead_id)

        if await self._give_back(row, actor, reason, "declined", audited) is None:
            return [Outbound(self.cases.texts.relais.not_open)]
        return [Outbound(self.cases.texts.relais.declined)]

    async def _give_back(
        self,
        row: HandoffRow,
        actor: str,
        detail: str,
        why: str,
        also: Callable[[Connection, HandoffRow], None] | None = None,
    ) -> HandoffRow | None:
        """Decline the attempt of ``row`` and move the case on, with ``also`` in the same
        transaction; the attempt as it was, or ``None`` when it was no longer open."""

        def give_back(tx: TurnTx) -> HandoffRow | None:
            declined = self.cases.transition(
                tx.connection, row.id, "declined", store.OPEN, actor=actor, detail=detail
            )
            if declined is None:
                return None
            if row.status in store.TALKING:
                tx.set_state_field("bridge", None)
            relay = self.cases.relays.get(row.relay_id)
            self.cases.move_on(tx.connection, row.lead_ref, relay, attempt=row.attempt, why=why)
            if also is not None:
                also(tx.connection, row)
            return row

        given_back: HandoffRow | None = await self.cases.transact(row, give_back)
        return given_back

    async def close(self, row: HandoffRow, actor: str, outcome: str) -> list[Outbound]:
        """The relay closes the case with its outcome; the resident hears it once."""
        relay = self.cases.relays[row.relay_id]

        def close(tx: TurnTx) -> HandoffRow | None:
            closed = self.cases.transition(
                tx.connection, row.id, "closed", store.TALKING, actor=actor, outcome=outcome
            )
            if closed is None:
                return None
            tx.set_state_field("bridge", None)
            record_access(
                tx.connection, actor=actor, action="case_closed", lead_id=closed.lead_id,
                detail=outcome,
            )  # fmt: skip
            heard = self.cases.texts.relais.outcomes[outcome].resident
            resident = self.cases.resident(tx.connection, closed.conversation_id)
            told = fill(resident.closed, relay_name=relay.display_name, outcome=heard)
            self.cases.tell(tx.connection, closed, told)
            return closed

        closed = await self.cases.transact(row, close)
        if closed is None:
            return [Outbound(self.cases.texts.relais.not_in_progress)]
        await self.cases.refresh_loads()
        return [Outbound(fill(self.cases.texts.relais.closed, ref=short_ref(closed.lead_id)))]

    async def relay_says(self, row: HandoffRow, actor: str, text: str) -> list[Outbound]:
        """A relay's answer goes to the resident, marked as coming from them."""
        if row.status not in store.TALKING:
            return [Outbound(self.cases.texts.relais.take_first)]
        relay = self.cases.relays[row.relay_id]

        def answer(tx: TurnTx) -> bool:
            self.cases.transition(
                tx.connection, row.id, "in_conversation", ("accepted",), actor=actor
            )
            if not _may_write(tx):
                return False
            says = self.cases.resident(tx.connection, row.conversation_id).relay_says
            said = fill(says, relay_name=relay.display_name, text=text)
            self.cases.tell(tx.connection, row, said)
            self.cases.keep(tx.connection, row, "relay", text, key=f"relay:{uuid.uuid4().hex}")
            record_access(tx.connection, actor=actor, action="message_sent", lead_id=row.lead_id)
            return True

        told = await self.cases.transact(row, answer)
        return [] if told else [Outbound(self.cases.texts.relais.resident_stopped)]

    async def hand_over(
        self, row: HandoffRow, actor: str, to: Relay, *, note: Callable[[Connection], None]
    ) -> HandoffRow | None:
        """The relay hands the case to a colleague: their attempt ends ("transferred"),
        the colleague gets a new attempt through the usual path (notification, deadline),
        and the resident hears who will contact them now. ``note`` keeps the relay's
        word for the colleague in the same transaction. The new attempt, or ``None`` when
        the case was no longer the relay's to hand over."""
        old = self.cases.relays.get(row.relay_id)
        if to.id == row.relay_id or to.id not in self.cases.relays:
            return None

        def hand(tx: TurnTx) -> HandoffRow | None:
            ended = self.cases.transition(
                tx.connection, row.id, "transferred", store.OPEN, actor=actor,
                detail=f"handed over to {to.id}",
            )  # fmt: skip
            if ended is None:
                return None
            if row.status in store.TALKING:
                tx.set_state_field("bridge", None)  # until the colleague takes it
            new = self.cases.offer(tx.connection, row.lead_ref, to.id, row.attempt + 1)
            record_access(
                tx.connection, actor=actor, action="case_handed_over", lead_id=row.lead_id,
                detail=f"from {row.relay_id} to {to.id}",
            )  # fmt: skip
            note(tx.connection)
            told = fill(
                self.cases.resident(tx.connection, row.conversation_id).handed_over,
                old=old.display_name if old else self.cases.texts.relais.someone,
                relay_name=to.display_name,
                relay_structure=to.structure,
                relay_town=to.town,
                due=self.cases.date(new.due_at) if new.due_at else "",
            )
            self.cases.tell(tx.connection, new, told)
            return new

        new: HandoffRow | None = await self.cases.transact(row, hand)
        if new is not None:
            await self.cases.refresh_loads()
        return new

    async def pass_on(
        self,
        conversation_id: str,
        why: str,
        also: Callable[[Connection, HandoffRow], None] | None = None,
    ) -> HandoffRow | None:
        """The person says nobody got in touch: their open attempt is declined for them
        and the case moves on (the next relay, else the coordinator), as after a
        decline. ``also`` runs in the same transaction with the attempt as it was.
        Returns that attempt, or ``None`` when none was open (closed, erased...)."""
        found = await self.cases.turns.run(
            lambda c: store.open_for_conversation(c, conversation_id)
        )
        if found is None:
            return None
        given_back = await self._give_back(found, "resident", why, why, also)
        if given_back is not None:
            await self.cases.refresh_loads()
        return given_back


def _may_write(tx: TurnTx) -> bool:
    """May the resident of ``tx`` be written to (a kept contact, no STOP)?"""
    contact = tx.connection.execute(
        select(contacts.c.stopped_at).where(contacts.c.conversation_id == tx.conversation_id)
    ).first()
    return contact is not None and contact.stopped_at is None
