"""The jobs that carry words: a resident's message to their relay, news to residents,
alerts to the coordinator, and the relay told when a resident leaves or erases."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from bot.domain import jobs as kinds
from bot.domain.messages import Outbound
from bot.handoff.service import HandoffService
from bot.handoff.sheet import short_ref
from bot.handoff.texts import fill
from bot.store import handoffs as store
from bot.store.drainer import Handler
from bot.store.handoffs import HandoffRow
from bot.store.jobs import Job
from bot.store.outbox import keep_or_find
from bot.store.turns import TurnTx


class Carrier:
    """Runs the jobs that carry words between residents, relays and the coordinator."""

    def __init__(self, cases: HandoffService) -> None:
        self.cases = cases

    def handlers(self) -> dict[str, Handler]:
        """The jobs it runs, for the drainer."""
        return {
            kinds.CASE_WITHDRAWN: Handler(self._withdrawn),
            kinds.RELAY_MESSAGE: Handler(self._resident_message, dead=self._not_forwarded),
            kinds.RESIDENT_LEFT: Handler(self._resident_left),
            kinds.RESIDENT_TELL: Handler(self._tell_resident),
            kinds.COORDINATOR_ALERT: Handler(self._alert_coordinator),
        }

    async def _resident_message(self, job: Job) -> None:
        """Pass a resident's message to the relay who has the case."""
        subject = job.subject
        if subject is None:
            return

        def talking(connection: Connection) -> HandoffRow | None:
            row = store.talking_for(connection, subject)
            if row is not None and row.status == "accepted":
                moved = self.cases.transition(
                    connection, row.id, "in_conversation", ("accepted",), actor="resident"
                )
                row = moved or row
            return row

        row = await self.cases.turns.run(talking)
        if row is None:
            return  # the case closed meanwhile
        text = self.cases.cipher.decrypt(str(job.payload.get("text") or "")) or ""
        talked = row  # for the closure below (mypy keeps ``row``'s optional type there)
        await self.cases.turns.run(
            lambda c: self.cases.keep(c, talked, "resident", text, key=f"resident:{job.id}")
        )
        first = await self.cases.first_name(row)
        ref = short_ref(row.lead_id)
        said = fill(self.cases.texts.relais.resident_says, first_name=first, ref=ref, text=text)
        if not await self.cases.tell_relay(row, said):
            raise RuntimeError(f"relay {row.relay_id} could not be reached")

    def _not_forwarded(self, connection: Connection, job: Job, error: str) -> None:
        """A resident's message could not reach their relay: they hear it, and so does the
        coordinator."""
        if job.subject is None:
            return
        row = store.talking_for(connection, job.subject)
        if row is None:
            return
        relay = self.cases.relays.get(row.relay_id)
        name = relay.display_name if relay else self.cases.texts.relais.someone
        resident = self.cases.resident(connection, row.conversation_id)
        self.cases.tell(connection, row, fill(resident.not_forwarded, relay_name=name))
        ref = short_ref(row.lead_id)
        alert = fill(self.cases.texts.relais.alert_not_forwarded, ref=ref, relay_name=name)
        self.cases.alert(connection, f"not_forwarded:{job.id}", alert)

    async def _resident_left(self, job: Job) -> None:
        """The resident typed FIN (or STOP): the relay is told, the case stays theirs."""
        subject = job.subject
        if subject is None:
            return
        row = await self.cases.turns.run(lambda c: store.talking_for(c, subject))
        if row is not None:
            first = await self.cases.first_name(row)
            left = self.cases.texts.relais.resident_left
            said = fill(left, first_name=first, ref=short_ref(row.lead_id))
            if not await self.cases.tell_relay(row, said):
                raise RuntimeError(f"relay {row.relay_id} could not be reached")

    async def _withdrawn(self, job: Job) -> None:
        """The resident erased their data: the relay must drop what they noted."""
        lead_id = str(job.payload["lead_id"])
        relay = self.cases.relays.get(str(job.payload["relay_id"]))
        if relay is None:
            return
        await self.cases.reach.withdrawn(relay, lead_id)
        await self.cases.refresh_loads()

    async def _tell_resident(self, job: Job) -> None:
        """Write to the resident: pushed where the channel allows, else kept for their next
        message. Nothing goes to someone who said STOP or erased everything."""
        subject = job.subject
        if subject is None:
            return
        channel = str(job.payload["channel"])
        text = self.cases.cipher.decrypt(str(job.payload.get("text") or "")) or ""
        sender = self.cases.senders.get(channel)

        def find(tx: TurnTx) -> tuple[bool, str | None, str]:
            allowed, user_ref = keep_or_find(tx, text, sender is not None)
            stored = tx.load()  # the person's language: a template and buttons follow it
            lang = stored.state.get("lang") if stored is not None else None
            return allowed, user_ref, lang if isinstance(lang, str) else ""

        allowed, user_ref, lang = await self.cases.turns.transact(subject, channel, find)
        if not allowed or user_ref is None or sender is None:
            return
        if not await sender.push(user_ref, Outbound(text, lang=lang)):
            raise RuntimeError(f"the {channel} channel did not take the message")

    async def _alert_coordinator(self, job: Job) -> None:
        await self.cases.reach.alert_coordinator(str(job.payload.get("text") or ""))
