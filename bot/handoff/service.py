"""The hand-off lifecycle: offer a case, notify its relay, expire it and move it on.

Every change of a case is a compare-and-set on its status, in one transaction with what
must follow it (the next offer, news for the resident, an alert), queued as jobs of the
outbox (``bot/store/jobs.py``); the jobs that reach people run in the drainer.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.domain import jobs as kinds
from bot.domain.cipher import FieldCipher
from bot.domain.ports import Sender
from bot.handoff.actions import RelayActions
from bot.handoff.calendar import add_working_hours
from bot.handoff.hooks import CaseHooks, NoHooks
from bot.handoff.links import CaseLinks
from bot.handoff.matching import RelayLoads, rank_relays, wants_growth
from bot.handoff.notify import EmailNotifier, WebhookNotifier
from bot.handoff.reach import HandoffConfig, Reach
from bot.handoff.reference import Relay, Relays
from bot.handoff.sheet import short_ref
from bot.handoff.texts import HandoffTexts, ResidentTexts, Wording, fill
from bot.store import handoffs as store
from bot.store.audit import record_access
from bot.store.drainer import GiveUpError, Handler
from bot.store.handoffs import HandoffRow
from bot.store.jobs import Job, enqueue, only_one
from bot.store.leads import load_lead
from bot.store.turns import TurnTx, conversations, leads
from bot.store.turnstore import TurnStore
from bot.store.web import record_message

log = logging.getLogger(__name__)


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
        self.reach = Reach(self)  # relays' and the coordinator's ways, read at each use
        self.actions = RelayActions(self)  # what relays do with a case

    def use_relays(self, relays: Relays) -> None:
        """Another version of the relays file: new cases follow it; a relay removed keeps
        the cases it already has."""
        self.relays = {**self.relays, **{relay.id: relay for relay in relays.relays}}
        self.directory = relays

    @property
    def texts(self) -> HandoffTexts:
        """The coordinators' texts in force (``flows/relais.yml``)."""
        return self.wording.texts

    def handlers(self) -> dict[str, Handler]:
        """The jobs this service runs, for the drainer."""
        return {
            kinds.CASE_SHARED: Handler(self._shared),
            kinds.CASE_NOTIFY: Handler(self._notify, dead=self._not_reached),
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
                self.move_on(connection, known, None, attempt=0, why="relay removed")

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

    async def _notify(self, job: Job) -> None:
        """Send the case to the relay on every way we have; the resident hears once it
        arrived. Failing everywhere is tried again later, then given up (``_not_reached``)."""
        handoff_id = str(job.payload["handoff_id"])
        row = await self.turns.run(lambda c: store.get(c, handoff_id))
        if row is None or row.status != "offered":
            return  # erased, taken, moved on, or already told
        relay = self.relays.get(row.relay_id)
        if relay is None or not self.reach.can_reach(relay):
            raise GiveUpError(f"no way to reach relay {row.relay_id}")
        lead = await self.turns.run(lambda c: load_lead(c, row.lead_id, self.cipher))
        if lead is None:
            return
        reached, card_ref = await self.reach.offer(relay, row, lead)
        if not reached:
            raise RuntimeError(f"relay {relay.id} could not be reached")

        def sent(connection: Connection) -> None:
            told = self.transition(
                connection, row.id, "notified", ("offered",), actor="bot", card_ref=card_ref
            )
            if told is None:
                return  # expired or erased while we were sending
            record_access(
                connection, actor=f"relay:{relay.id}", action="case_sent", lead_id=row.lead_id
            )
            resident = self.resident(connection, told.conversation_id)
            sent_text = fill(resident.sent, relay_name=relay.display_name)
            self.tell(connection, told, sent_text)
            self.hooks.notified(connection, told)

        await self._run(sent)

    def _not_reached(self, connection: Connection, job: Job, error: str) -> None:
        """Nobody could be reached for this attempt: say so, alert, offer the next one."""
        row = store.get(connection, str(job.payload["handoff_id"]))
        if row is None:
            return
        failed = self.transition(
            connection, row.id, "unreachable", ("offered",), actor="bot", detail=error
        )
        if failed is None:
            return
        relay = self.relays.get(failed.relay_id)
        self.alert(
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
        self.move_on(connection, failed.lead_ref, relay, attempt=failed.attempt, why="unreachable")

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
                if self.transition(connection, row.id, "expired", waiting, actor="bot") is None:
                    continue  # accepted meanwhile
                relay = self.relays.get(row.relay_id)
                self.move_on(connection, row.lead_ref, relay, attempt=row.attempt, why="expired")
                count += 1
            return count

        return int(await self._run(expire))

    def move_on(
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
            and self.reach.can_reach(relay)
        ]
        lead_id = str(lead_ref["lead_id"])
        old_name = old.display_name if old else self.texts.relais.someone
        if not candidates:
            log.warning("case %s: no relay left to offer it to (%s)", lead_id, why)
            resident = self.resident(connection, str(lead_ref["subject"]))
            stuck = fill(resident.not_reached, relay_name=old_name)
            self._tell_lead(connection, lead_ref, stuck, key=f"stuck:{lead_id}:{attempt}")
            alert = fill(
                self.texts.relais.alert_no_relay,
                ref=short_ref(lead_id),
                commune=lead.get("commune") or "",
            )
            self.alert(connection, f"no_relay:{lead_id}:{attempt}", alert)
            return
        nxt = candidates[0]
        new = self._offer(connection, lead_ref, nxt.id, attempt=attempt + 1)
        if old is None:
            return  # the first offer: the resident was told already whom it goes to
        due = self.wording.date(new.due_at) if new.due_at else ""
        moved = fill(
            self.resident(connection, str(lead_ref["subject"])).moved,
            old=old_name,
            relay_name=nxt.display_name,
            relay_structure=nxt.structure,
            relay_town=nxt.town,
            due=due,
        )
        self._tell_lead(connection, lead_ref, moved, key=f"moved:{new.id}")

    def offer(
        self, connection: Connection, lead_ref: Mapping[str, Any], relay_id: str, attempt: int
    ) -> HandoffRow:
        """A new attempt for ``relay_id`` chosen by a person (a hand-over), told as usual."""
        return self._offer(connection, lead_ref, relay_id, attempt)

    def date(self, moment: datetime) -> str:
        """A date as residents and relays read it."""
        return self.wording.date(moment)

    # ------------------------------------------------------------------ for the others
    async def tell_relay(self, row: HandoffRow, text: str) -> bool:
        """Write to the relay of ``row`` on their first way; ``True`` once it went out."""
        return await self.reach.tell(self.relays[row.relay_id], row, text)

    # ------------------------------------------------------------------ plumbing
    def transition(
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

    async def transact(self, row: HandoffRow, work: Callable[[TurnTx], Any]) -> Any:
        """Work on a case and on its resident's conversation in one transaction, under the
        conversation's lock; wakes the drainer for what it queued."""
        result = await self.turns.transact(row.conversation_id, row.channel, work)
        self.on_queued()
        return result

    def resident(self, connection: Connection, subject: str) -> ResidentTexts:
        """What the resident of ``subject`` hears, in the language they speak with the bot."""
        state = connection.execute(
            select(conversations.c.state).where(conversations.c.id == subject)
        ).scalar()
        lang = state.get("lang") if isinstance(state, dict) else None
        return self.wording.resident(str(lang or "fr"))

    def tell(self, connection: Connection, row: HandoffRow, text: str) -> None:
        """Queue news of their case for the resident of ``row``."""
        self._tell_lead(connection, row.lead_ref, text, key=f"tell:{uuid.uuid4().hex}")

    def _tell_lead(
        self, connection: Connection, where: Mapping[str, Any], text: str, *, key: str
    ) -> None:
        payload = {"channel": where["channel"], "text": self.cipher.encrypt(text)}
        enqueue(connection, kinds.RESIDENT_TELL, key, payload, subject=where["subject"])

    def keep(
        self, connection: Connection, row: HandoffRow, author: str, text: str, *, key: str
    ) -> None:
        """Keep a message of the thread for the relay's web page (once per ``key``)."""
        record_message(
            connection,
            self.cipher,
            key=key,
            lead_id=row.lead_id,
            conversation_id=row.conversation_id,
            relay_id=row.relay_id,
            author=author,
            text=text,
        )

    def alert(self, connection: Connection, key: str, text: str) -> None:
        """Queue an alert for the coordinator (something a person must look at), in the
        caller's transaction."""
        log.warning("coordinator alert queued: %s", key.split(":")[0])
        enqueue(connection, kinds.COORDINATOR_ALERT, f"alert:{key}", {"text": text})

    async def first_name(self, row: HandoffRow) -> str:
        lead = await self.turns.run(lambda c: load_lead(c, row.lead_id, self.cipher))
        return (lead or {}).get("first_name") or self.texts.relais.someone
