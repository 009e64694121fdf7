"""The hand-off lifecycle: offer a case, notify, accept, bridge, close, expire, move on.

Every change of a case is a compare-and-set on its status, in one transaction with what
must follow it (the next offer, news for the resident, an alert), queued as jobs of the
outbox (``bot/store/jobs.py``); the jobs that reach people run in the drainer.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.domain import jobs as kinds
from bot.domain.cipher import FieldCipher
from bot.domain.messages import Outbound
from bot.domain.ports import Sender
from bot.handoff.calendar import add_working_hours
from bot.handoff.hooks import CaseHooks, NoHooks
from bot.handoff.links import CaseLinks
from bot.handoff.matching import RelayLoads, rank_relays, wants_growth
from bot.handoff.notify import EmailNotifier, WebhookNotifier
from bot.handoff.reference import Relay, Relays
from bot.handoff.sheet import case_card, case_fields, close_card, render_sheet, short_ref
from bot.handoff.texts import HandoffTexts, ResidentTexts, Wording, fill
from bot.store import handoffs as store
from bot.store.audit import record_access
from bot.store.drainer import GiveUpError, Handler
from bot.store.handoffs import HandoffRow
from bot.store.jobs import Job, enqueue, only_one
from bot.store.leads import load_lead
from bot.store.outbox import keep_or_find
from bot.store.turns import TurnTx, contacts, conversations, leads
from bot.store.turnstore import TurnStore

log = logging.getLogger(__name__)

RELAY_CHANNEL = "telegram"  # the channel of relays' chats (``telegram_chat_id``)


@dataclass(frozen=True, slots=True)
class HandoffConfig:
    """How long relays have, where relays' e-mail links point, who hears of trouble."""

    accept_within_hours: float = 16
    public_url: str | None = None
    coordinator_email: str | None = None
    coordinator_chat_id: str | None = None


class HandoffService:
    """Carries cases from residents to relays and back; its ``handlers`` run the jobs."""

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
        links: CaseLinks | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_queued: Callable[[], None] = lambda: None,
        hooks: CaseHooks | None = None,
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
        # Signed links for relays' pages, the opaque reference of webhooks. Without one
        # given, a key of this process only: links die with it (the app passes its own).
        self.links = links or CaseLinks(secrets.token_bytes(32))
        self.clock = clock
        self.on_queued = on_queued  # jobs were committed: wake the drainer
        self.hooks: CaseHooks = hooks or NoHooks()  # follow-ups plan around cases

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

    def handlers(self) -> dict[str, Handler]:
        """The jobs this service runs, for the drainer."""
        return {
            kinds.CASE_SHARED: Handler(self._shared),
            kinds.CASE_NOTIFY: Handler(self._notify, dead=self._not_reached),
            kinds.CASE_WITHDRAWN: Handler(self._withdrawn),
            kinds.RELAY_MESSAGE: Handler(self._resident_message, dead=self._not_forwarded),
            kinds.RESIDENT_LEFT: Handler(self._resident_left),
            kinds.RESIDENT_TELL: Handler(self._tell_resident),
            kinds.COORDINATOR_ALERT: Handler(self._alert_coordinator),
        }

    # ------------------------------------------------------------------ offering
    async def refresh_loads(self) -> None:
        """Reload the open cases per relay used by matching."""
        self.loads.current = await self.turns.run(store.loads)

    async def _shared(self, job: Job) -> None:
        """The resident agreed to share: offer the case to the relay they were shown."""
        lead_id = str(job.payload["lead_id"])

        def offer(connection: Connection) -> None:
            if store.for_lead(connection, lead_id):
                return  # already offered
            lead = connection.execute(
                select(
                    leads.c.id, leads.c.channel, leads.c.relay_id, leads.c.conversation_id
                ).where(leads.c.id == lead_id)
            ).first()
            if lead is None:
                return  # erased meanwhile
            known = {"lead_id": lead.id, "channel": lead.channel, "subject": lead.conversation_id}
            if lead.relay_id in self.relays:  # unreachable, it fails and moves on, told
                self._offer(connection, known, lead.relay_id, 1)
            else:  # gone from the directory since: the next one
                self._move_on(connection, known, None, attempt=0, why="relay removed")

        await self._run(offer)

    def _offer(
        self, connection: Connection, lead: Mapping[str, Any], relay_id: str, attempt: int
    ) -> HandoffRow:
        """A new attempt for ``relay_id``, and the job that tells them (``lead``: which
        case, on which channel, about whom)."""
        relay = self.relays[relay_id]
        due = add_working_hours(self.clock(), self.config.accept_within_hours)
        row = store.create(
            connection,
            lead_id=lead["lead_id"],
            conversation_id=lead["subject"],
            channel=lead["channel"],
            relay_id=relay_id,
            attempt=attempt,
            due_at=None if relay.coverage.national else due,
            relay_name=f"{relay.display_name}, {relay.structure}",
        )
        enqueue(
            connection,
            kinds.CASE_NOTIFY,
            f"notify:{row.id}",
            {"handoff_id": row.id},
            subject=row.conversation_id,
        )
        self.loads.current[relay_id] = self.loads.current.get(relay_id, 0) + 1
        self.hooks.offered(connection, row)
        return row

    def _reachable(self, relay: Relay) -> bool:
        contact = relay.contact
        return bool(
            (contact.telegram_chat_id is not None and self.messenger is not None)
            or (contact.email and self.email is not None)
            or (contact.webhook_url and self.webhook is not None)
        )

    async def _notify(self, job: Job) -> None:
        """Send the case to the relay on every way we have; the resident hears once it
        arrived. Failing everywhere is tried again later, then given up (``_not_reached``)."""
        handoff_id = str(job.payload["handoff_id"])
        row = await self.turns.run(lambda c: store.get(c, handoff_id))
        if row is None or row.status != "offered":
            return  # erased, taken, moved on, or already told
        relay = self.relays.get(row.relay_id)
        if relay is None or not self._reachable(relay):
            raise GiveUpError(f"no way to reach relay {row.relay_id}")
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
            ref = self.links.case_ref(row.lead_id, relay.id)  # never the page's key
            event = {"type": "case.offered", "case_ref": ref, "case": case_fields(lead)}
            reached = await self.webhook.send(relay.id, relay.contact.webhook_url, event) or reached
        if not reached:
            raise RuntimeError(f"relay {relay.id} could not be reached")

        def sent(connection: Connection) -> None:
            told = self._transition(
                connection, row.id, "notified", ("offered",), actor="bot", card_ref=card_ref
            )
            if told is None:
                return  # expired or erased while we were sending
            record_access(
                connection, actor=f"relay:{relay.id}", action="case_sent", lead_id=row.lead_id
            )
            resident = self._resident(connection, told.conversation_id)
            sent_text = fill(resident.sent, relay_name=relay.display_name)
            self._tell(connection, told, sent_text)
            self.hooks.notified(connection, told)

        await self._run(sent)

    def _not_reached(self, connection: Connection, job: Job, error: str) -> None:
        """Nobody could be reached for this attempt: say so, alert, offer the next one."""
        row = store.get(connection, str(job.payload["handoff_id"]))
        if row is None:
            return
        failed = self._transition(
            connection, row.id, "unreachable", ("offered",), actor="bot", detail=error
        )
        if failed is None:
            return
        relay = self.relays.get(failed.relay_id)
        self._alert(
            connection,
            f"unreachable:{failed.id}",
            fill(
                self.texts.relais.alert_unreachable,
                relay_name=relay.display_name if relay else failed.relay_id,
                relay_structure=relay.structure if relay else "",
                ref=short_ref(failed.lead_id),
                reason=error,
            ),
        )
        self._move_on(connection, _where(failed), relay, attempt=failed.attempt, why="unreachable")

    def _links(self, row: HandoffRow) -> str:
        texts = self.texts.relais
        if not self.config.public_url:
            return "\n\n" + texts.email_no_link
        link = self.links.url(self.config.public_url, row.id, row.relay_id)
        until = self.wording.date(self.links.expiry())
        return "\n\n" + fill(texts.email_link, link=link, until=until)

    # ------------------------------------------------------------------ relay actions
    async def accept(self, row: HandoffRow, actor: str) -> list[Outbound]:
        """The relay takes the case: the resident can now talk to them through the bot."""
        relay = self.relays[row.relay_id]

        def take(tx: TurnTx) -> HandoffRow | None:
            taken = self._transition(tx.connection, row.id, "accepted", store.WAITING, actor=actor)
            if taken is None:
                return None
            record_access(tx.connection, actor=actor, action="case_accepted", lead_id=taken.lead_id)
            tx.set_state_field("bridge", relay.display_name)
            told = fill(
                self._resident(tx.connection, taken.conversation_id).accepted,
                relay_name=relay.display_name,
                relay_structure=relay.structure,
            )
            self._tell(tx.connection, taken, told)
            return taken

        taken = await self._transact(row, take)
        if taken is None:
            return [Outbound(self.texts.relais.not_waiting)]
        first = await self._first_name(taken)
        ref = short_ref(taken.lead_id)
        return [
            Outbound(fill(self.texts.relais.accepted, first_name=first, ref=ref)),
            close_card(taken.id, self.texts.relais),
        ]

    async def decline(self, row: HandoffRow, actor: str, *, reason: str) -> list[Outbound]:
        """The relay cannot take it (or releases it): offer it to the next one."""

        def give_back(tx: TurnTx) -> HandoffRow | None:
            declined = self._transition(
                tx.connection, row.id, "declined", store.OPEN, actor=actor, detail=reason
            )
            if declined is None:
                return None
            if row.status in store.TALKING:
                tx.set_state_field("bridge", None)
            relay = self.relays.get(row.relay_id)
            self._move_on(tx.connection, _where(row), relay, attempt=row.attempt, why="declined")
            return declined

        if await self._transact(row, give_back) is None:
            return [Outbound(self.texts.relais.not_open)]
        return [Outbound(self.texts.relais.declined)]

    async def close(self, row: HandoffRow, actor: str, outcome: str) -> list[Outbound]:
        """The relay closes the case with its outcome; the resident hears it once."""
        relay = self.relays[row.relay_id]

        def close(tx: TurnTx) -> HandoffRow | None:
            closed = self._transition(
                tx.connection, row.id, "closed", store.TALKING, actor=actor, outcome=outcome
            )
            if closed is None:
                return None
            tx.set_state_field("bridge", None)
            heard = self.texts.relais.outcomes[outcome].resident
            resident = self._resident(tx.connection, closed.conversation_id)
            told = fill(resident.closed, relay_name=relay.display_name, outcome=heard)
            self._tell(tx.connection, closed, told)
            return closed

        closed = await self._transact(row, close)
        if closed is None:
            return [Outbound(self.texts.relais.not_in_progress)]
        await self.refresh_loads()
        return [Outbound(fill(self.texts.relais.closed, ref=short_ref(closed.lead_id)))]

    async def relay_says(self, row: HandoffRow, actor: str, text: str) -> list[Outbound]:
        """A relay's answer goes to the resident, marked as coming from them."""
        if row.status not in store.TALKING:
            return [Outbound(self.texts.relais.take_first)]
        relay = self.relays[row.relay_id]

        def answer(tx: TurnTx) -> bool:
            self._transition(tx.connection, row.id, "in_conversation", ("accepted",), actor=actor)
            if not _may_write(tx):
                return False
            says = self._resident(tx.connection, row.conversation_id).relay_says
            self._tell(tx.connection, row, fill(says, relay_name=relay.display_name, text=text))
            return True

        told = await self._transact(row, answer)
        return [] if told else [Outbound(self.texts.relais.resident_stopped)]

    # ------------------------------------------------------------------ resident side
    async def _resident_message(self, job: Job) -> None:
        """Pass a resident's message to the relay who has the case."""
        subject = job.subject
        if subject is None:
            return

        def talking(connection: Connection) -> HandoffRow | None:
            row = store.talking_for(connection, subject)
            if row is not None and row.status == "accepted":
                moved = self._transition(
                    connection, row.id, "in_conversation", ("accepted",), actor="resident"
                )
                row = moved or row
            return row

        row = await self.turns.run(talking)
        if row is None:
            return  # the case closed meanwhile
        text = self.cipher.decrypt(str(job.payload.get("text") or "")) or ""
        first = await self._first_name(row)
        ref = short_ref(row.lead_id)
        said = fill(self.texts.relais.resident_says, first_name=first, ref=ref, text=text)
        if not await self._tell_relay(row, said):
            raise RuntimeError(f"relay {row.relay_id} could not be reached")

    def _not_forwarded(self, connection: Connection, job: Job, error: str) -> None:
        """A resident's message could not reach their relay: they hear it, and so does the
        coordinator."""
        if job.subject is None:
            return
        row = store.talking_for(connection, job.subject)
        if row is None:
            return
        relay = self.relays.get(row.relay_id)
        name = relay.display_name if relay else self.texts.relais.someone
        resident = self._resident(connection, row.conversation_id)
        self._tell(connection, row, fill(resident.not_forwarded, relay_name=name))
        ref = short_ref(row.lead_id)
        alert = fill(self.texts.relais.alert_not_forwarded, ref=ref, relay_name=name)
        self._alert(connection, f"not_forwarded:{job.id}", alert)

    async def _resident_left(self, job: Job) -> None:
        """The resident typed FIN (or STOP): the relay is told, the case stays theirs."""
        subject = job.subject
        if subject is None:
            return
        row = await self.turns.run(lambda c: store.talking_for(c, subject))
        if row is not None:
            first = await self._first_name(row)
            left = self.texts.relais.resident_left
            said = fill(left, first_name=first, ref=short_ref(row.lead_id))
            if not await self._tell_relay(row, said):
                raise RuntimeError(f"relay {row.relay_id} could not be reached")

    async def _withdrawn(self, job: Job) -> None:
        """The resident erased their data: the relay must drop what they noted."""
        lead_id = str(job.payload["lead_id"])
        relay = self.relays.get(str(job.payload["relay_id"]))
        if relay is None:
            return
        texts = self.texts.relais
        text = fill(texts.withdrawn, ref=short_ref(lead_id))
        sent: list[bool] = []
        if relay.contact.telegram_chat_id is not None and self.messenger is not None:
            chat = str(relay.contact.telegram_chat_id)
            sent.append(await self._to_chat(chat, Outbound(text)) is not None)
        elif relay.contact.email and self.email is not None:
            subject = texts.email_withdrawn_subject
            sent.append(await self.email.send(relay.contact.email, subject, text))
        if relay.contact.webhook_url and self.webhook is not None:
            event = {"type": "case.withdrawn", "case_ref": self.links.case_ref(lead_id, relay.id)}
            sent.append(await self.webhook.send(relay.id, relay.contact.webhook_url, event))
        if sent and not any(sent):
            raise RuntimeError(f"relay {relay.id} could not be reached")
        await self.refresh_loads()

    # ------------------------------------------------------------------ expiry
    async def expire_due(self) -> int:
        """Cases nobody took in time move on; returns how many. One worker at a time."""
        moment = self.clock()

        def expire(connection: Connection) -> int:
            if not only_one(connection, "handoff-expiry"):
                return 0
            count = 0
            for row in store.due(connection, moment):
                waiting = store.WAITING
                if self._transition(connection, row.id, "expired", waiting, actor="bot") is None:
                    continue  # accepted meanwhile
                relay = self.relays.get(row.relay_id)
                self._move_on(connection, _where(row), relay, attempt=row.attempt, why="expired")
                count += 1
            return count

        return int(await self._run(expire))

    def _move_on(
        self,
        connection: Connection,
        lead_ref: Mapping[str, Any],
        old: Relay | None,
        *,
        attempt: int,
        why: str,
    ) -> None:
        """Offer the case to the next relay we can reach (the coordination last) and tell
        the resident honestly; when nobody is left, tell them and alert the coordinator."""
        lead = load_lead(connection, lead_ref["lead_id"], self.cipher)
        if lead is None:
            return
        tried = {h.relay_id for h in store.for_lead(connection, lead_ref["lead_id"])}
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
            and relay.id != (old.id if old else None)
            and self._reachable(relay)
        ]
        lead_id = str(lead_ref["lead_id"])
        old_name = old.display_name if old else self.texts.relais.someone
        if not candidates:
            log.warning("case %s: no relay left to offer it to (%s)", lead_id, why)
            resident = self._resident(connection, str(lead_ref["subject"]))
            stuck = fill(resident.not_reached, relay_name=old_name)
            self._tell_lead(connection, lead_ref, stuck, key=f"stuck:{lead_id}:{attempt}")
            alert = fill(
                self.texts.relais.alert_no_relay,
                ref=short_ref(lead_id),
                commune=lead.get("commune") or "",
            )
            self._alert(connection, f"no_relay:{lead_id}:{attempt}", alert)
            return
        nxt = candidates[0]
        new = self._offer(connection, lead_ref, nxt.id, attempt=attempt + 1)
        if old is None:
            return  # the first offer: the resident was told already whom it goes to
        due = self.wording.date(new.due_at) if new.due_at else ""
        moved = fill(
            self._resident(connection, str(lead_ref["subject"])).moved,
            old=old_name,
            relay_name=nxt.display_name,
            relay_structure=nxt.structure,
            relay_town=nxt.town,
            due=due,
        )
        self._tell_lead(connection, lead_ref, moved, key=f"moved:{new.id}")

    # ------------------------------------------------------------------ follow-ups
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
        found = await self.turns.run(lambda c: store.open_for_conversation(c, conversation_id))
        if found is None:
            return None
        row = found

        def give_back(tx: TurnTx) -> HandoffRow | None:
            declined = self._transition(
                tx.connection, row.id, "declined", store.OPEN, actor="resident", detail=why
            )
            if declined is None:
                return None
            if row.status in store.TALKING:
                tx.set_state_field("bridge", None)
            relay = self.relays.get(row.relay_id)
            self._move_on(tx.connection, _where(row), relay, attempt=row.attempt, why=why)
            if also is not None:
                also(tx.connection, row)
            return row

        given_back: HandoffRow | None = await self._transact(row, give_back)
        if given_back is not None:
            await self.refresh_loads()
        return given_back

    def alert(self, connection: Connection, key: str, text: str) -> None:
        """Queue an alert for the coordinator, in the caller's transaction."""
        self._alert(connection, key, text)

    async def tell_relay(self, row: HandoffRow, text: str) -> bool:
        """Write to the relay of ``row`` on their first way; ``True`` once it went out."""
        return await self._tell_relay(row, text)

    async def to_chat(self, chat_id: str, message: Outbound) -> str | None:
        """Write to a relay's chat; the message's id, or ``None``."""
        return await self._to_chat(chat_id, message)

    # ------------------------------------------------------------------ plumbing
    def _transition(
        self,
        connection: Connection,
        handoff_id: str,
        status: str,
        allowed: tuple[str, ...],
        **changes: Any,
    ) -> HandoffRow | None:
        """A compare-and-set of the attempt's status (``store.transition``); what follows
        from it for follow-ups is planned in the same transaction."""
        row = store.transition(connection, handoff_id, status, allowed, **changes)
        if row is not None:
            self.hooks.changed(connection, row)
        return row

    async def _run(self, chore: Callable[[Connection], Any]) -> Any:
        """Background work in one transaction; wakes the drainer for what it queued."""
        result = await self.turns.run(chore)
        self.on_queued()
        return result

    async def _transact(self, row: HandoffRow, work: Callable[[TurnTx], Any]) -> Any:
        """Work on a case and on its resident's conversation in one transaction, under the
        conversation's lock; wakes the drainer for what it queued."""
        result = await self.turns.transact(row.conversation_id, row.channel, work)
        self.on_queued()
        return result

    def _resident(self, connection: Connection, subject: str) -> ResidentTexts:
        """What the resident of ``subject`` hears, in the language they speak with the bot."""
        state = connection.execute(
            select(conversations.c.state).where(conversations.c.id == subject)
        ).scalar()
        lang = state.get("lang") if isinstance(state, dict) else None
        return self.wording.resident(str(lang or "fr"))

    def _tell(self, connection: Connection, row: HandoffRow, text: str) -> None:
        """Queue news of their case for the resident of ``row``."""
        self._tell_lead(connection, _where(row), text, key=f"tell:{uuid.uuid4().hex}")

    def _tell_lead(
        self, connection: Connection, where: Mapping[str, Any], text: str, *, key: str
    ) -> None:
        payload = {"channel": where["channel"], "text": self.cipher.encrypt(text)}
        enqueue(connection, kinds.RESIDENT_TELL, key, payload, subject=where["subject"])

    def _alert(self, connection: Connection, key: str, text: str) -> None:
        """Queue an alert for the coordinator (something a person must look at)."""
        log.warning("coordinator alert queued: %s", key.split(":")[0])
        enqueue(connection, kinds.COORDINATOR_ALERT, f"alert:{key}", {"text": text})

    async def _tell_resident(self, job: Job) -> None:
        """Write to the resident: pushed where the channel allows, else kept for their next
        message. Nothing goes to someone who said STOP or erased everything."""
        subject = job.subject
        if subject is None:
            return
        channel = str(job.payload["channel"])
        text = self.cipher.decrypt(str(job.payload.get("text") or "")) or ""
        sender = self.senders.get(channel)
        allowed, user_ref = await self.turns.transact(
            subject, channel, lambda tx: keep_or_find(tx, text, sender is not None)
        )
        if not allowed or user_ref is None or sender is None:
            return
        if not await sender.push(user_ref, Outbound(text)):
            raise RuntimeError(f"the {channel} channel did not take the message")

    async def _alert_coordinator(self, job: Job) -> None:
        text = str(job.payload.get("text") or "")
        config = self.config
        chat = config.coordinator_chat_id
        if chat and self.messenger is not None and await self._to_chat(chat, Outbound(text)):
            return
        if config.coordinator_email and self.email is not None:
            subject = self.texts.relais.alert_subject
            if await self.email.send(config.coordinator_email, subject, text):
                return
        if not (config.coordinator_chat_id or config.coordinator_email):
            raise GiveUpError("no coordinator contact configured (BOT_HANDOFF__COORDINATOR_*)")
        raise RuntimeError("the coordinator could not be reached")

    async def _first_name(self, row: HandoffRow) -> str:
        lead = await self.turns.run(lambda c: load_lead(c, row.lead_id, self.cipher))
        return (lead or {}).get("first_name") or self.texts.relais.someone

    async def _to_chat(self, chat_id: str, message: Outbound) -> str | None:
        """Write to a relay's chat; the message's id (``reply_to`` of answers), or ``None``."""
        if self.messenger is None:
            return None
        ids = await self.messenger.deliver(chat_id, [message])
        return ids[0] if ids else None

    async def _tell_relay(self, row: HandoffRow, text: str) -> bool:
        """Write to the relay of ``row`` on their first way; ``True`` once it went out."""
        relay = self.relays[row.relay_id]
        if relay.contact.telegram_chat_id is not None and self.messenger is not None:
            chat = str(relay.contact.telegram_chat_id)
            return await self._to_chat(chat, Outbound(text)) is not None
        if relay.contact.email and self.email is not None:
            subject = fill(self.texts.relais.email_case_subject, ref=short_ref(row.lead_id))
            return await self.email.send(relay.contact.email, subject, text)
        if relay.contact.webhook_url and self.webhook is not None:
            ref = self.links.case_ref(row.lead_id, relay.id)
            event = {"type": "case.message", "case_ref": ref, "text": text}
            return await self.webhook.send(relay.id, relay.contact.webhook_url, event)
        return False


def _where(row: HandoffRow) -> dict[str, Any]:
    """Which case, on which channel, about whom: what offers and news need of an attempt."""
    return {"lead_id": row.lead_id, "channel": row.channel, "subject": row.conversation_id}


def _may_write(tx: TurnTx) -> bool:
    """May the resident of ``tx`` be written to (a kept contact, no STOP)?"""
    contact = tx.connection.execute(
        select(contacts.c.stopped_at).where(contacts.c.conversation_id == tx.conversation_id)
    ).first()
    return contact is not None and contact.stopped_at is None
