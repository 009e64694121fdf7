"""The running bot: the one face its channels talk to, over the dispatcher and the store."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.cipher import FieldCipher
from bot.domain.delivery import DeliveryStatus, Reach
from bot.domain.messages import ChannelTexts, Inbound, InboundKind, Outbound
from bot.domain.ports import Deliver
from bot.domain.relays import RelayInbound
from bot.engine.dispatcher import Dispatcher
from bot.followup.service import FollowupService
from bot.handoff.datafiles import Reference
from bot.handoff.directory import INVITE_PREFIX, RelayDirectory
from bot.handoff.inbox import RelayInbox
from bot.handoff.service import HandoffService
from bot.handoff.texts import fill
from bot.store import deliveries
from bot.store.contacts import mark_unreachable
from bot.store.drainer import Drainer
from bot.store.outbox import queue_for_resident
from bot.store.turnstore import TurnStore


@dataclass
class Bot:
    """A running bot: implements ``BotFace`` for the channels; closes what it opened.

    ``before_turn`` runs before each turn (``bot chat`` looks for edited flows there,
    the terminal keeping the event loop busy between lines).
    """

    engine: AsyncEngine
    dispatcher: Dispatcher
    cipher: FieldCipher
    handoffs: HandoffService
    relay_inbox: RelayInbox
    http: httpx.AsyncClient
    drainer: Drainer
    before_turn: Callable[[], Awaitable[object]] | None = None
    followups: FollowupService | None = None  # check-ins and relays' reminders
    reference: Reference | None = None  # the version of data/ in force (relays: the directory's)
    relays: RelayDirectory | None = None  # the relays directory (the database's), edited on the web
    _jobs: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    @property
    def store(self) -> TurnStore:
        """Where turns and background work are written."""
        return self.dispatcher.store

    def _subject(self, channel: str, user_ref: str) -> str:
        return self.dispatcher.pseudonyms.subject(channel, user_ref)

    # ------------------------------------------------------------------ BotFace
    async def handle(self, inbound: Inbound, deliver: Deliver | None = None) -> list[Outbound]:
        """One turn; ``deliver`` sends its replies while the conversation is locked."""
        if self.before_turn is not None:
            await self.before_turn()
        invited = await self._invited(inbound)
        if invited is not None:
            if deliver is not None:
                await deliver([invited])
                return []
            return [invited]
        if deliver is None:
            return list(await self.dispatcher.handle(inbound))
        sent: list[str] = []

        async def recording(replies: Sequence[Outbound]) -> Sequence[str | None]:
            ids = await deliver(replies)
            sent.extend(i for i in ids if i)
            return ids

        replies = await self.dispatcher.handle(inbound, recording)
        if sent:  # statuses may have come in before the ids were attached to the log
            channel = inbound.channel
            hashed = [self.dispatcher.pseudonyms.message(channel, i) for i in sent]
            await self.store.transact(
                self._subject(channel, inbound.user_ref),
                channel,
                lambda tx: deliveries.reconcile(tx.connection, channel, hashed),
            )
        return list(replies)

    async def _invited(self, inbound: Inbound) -> Outbound | None:
        """A relay opening their invitation link (``/start relais-...`` on Telegram): their
        chat is recorded on their relay, once; ``None`` for anything else (a turn)."""
        source = inbound.source or ""
        if inbound.kind is not InboundKind.START or not source.startswith(INVITE_PREFIX):
            return None
        if self.relays is None or inbound.channel != "telegram":
            return None
        relay = await self.relays.accept_invite(source, inbound.user_ref)
        texts = self.handoffs.texts.relais  # the words of flows/relais.yml in force
        if relay is None:
            return Outbound(texts.invite_stale)
        return Outbound(fill(texts.invited, name=relay.display_name))

    async def handle_relay(self, message: RelayInbound) -> list[Outbound]:
        """What a relay wrote from their chat goes to the hand-off's inbox."""
        return await self.relay_inbox.handle(message)

    async def record_status(self, channel: str, status: DeliveryStatus) -> bool:
        """Keep a delivery status once, keyed by the hashed message id like the log."""
        hashed = self.dispatcher.pseudonyms.message(channel, status.message_id)
        report = dataclasses.replace(status, message_id=hashed)
        return await self.store.run(lambda c: deliveries.record_status(c, channel, report))

    async def mark_unreachable(self, channel: str, user_ref: str) -> bool:
        """Stamp the person's kept contact; cleared when they write again."""
        return await mark_unreachable(self.store, self._subject(channel, user_ref), channel)

    async def queue_for_resident(self, channel: str, user_ref: str, message: Outbound) -> None:
        """Keep ``message`` (encrypted) for the person's next turn."""
        await self.store.transact(
            self._subject(channel, user_ref),
            channel,
            lambda tx: queue_for_resident(tx, message.text),
        )

    async def reach(self, channel: str, user_ref: str, purpose: str) -> Reach | None:
        """Whether we may write first to the person for ``purpose``."""
        subject = self._subject(channel, user_ref)
        return await self.store.transact(
            subject, channel, lambda tx: deliveries.contact_reach(tx.connection, subject, purpose)
        )

    async def log_proactive(
        self, channel: str, user_ref: str, message_id: str, text: str | None
    ) -> None:
        """Log a message sent first (text encrypted) under its hashed id, for its statuses."""
        subject = self._subject(channel, user_ref)
        hashed = self.dispatcher.pseudonyms.message(channel, message_id)
        await self.store.transact(
            subject,
            channel,
            lambda tx: deliveries.log_proactive(
                tx.connection,
                conversation_id=subject,
                channel=channel,
                message_id=hashed,
                text=tx.cipher.encrypt(text),
            ),
        )

    async def language(self, channel: str, user_ref: str) -> str:
        """The language of the person's conversation (empty when none is kept)."""
        subject = self._subject(channel, user_ref)
        stored = await self.store.transact(subject, channel, lambda tx: tx.load())
        lang = stored.state.get("lang") if stored is not None else None
        return lang if isinstance(lang, str) else ""

    def channel_texts(self, lang: str = "") -> ChannelTexts:
        """The words channels add when rendering, from the flows in force, in ``lang``."""
        messages = self.dispatcher.runner.speaking(lang).flows.glob.messages
        return ChannelTexts(
            edited=messages.channel_edited,
            list_button=messages.channel_list_button,
            numbered_hint=messages.channel_numbered_hint,
            numbered_hint_multiple=messages.channel_numbered_hint_multiple,
            bye=messages.channel_bye,
        )

    # ------------------------------------------------------------------ life cycle
    def run_jobs(self) -> None:
        """Start running the outbox's jobs in the background (until ``close``)."""
        if self._jobs is None:
            self._jobs = asyncio.create_task(self.drainer.run_forever(), name="jobs")

    async def close(self) -> None:
        """Stop the jobs, finish pending turns, then release connections (jobs not run
        yet stay queued: the next start runs them)."""
        if self._jobs is not None:
            self._jobs.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._jobs
        await self.store.close()
        await self.http.aclose()
        await self.engine.dispose()
        aclose = getattr(self.dispatcher.nlu, "aclose", None)  # the rasa backend's client
        if aclose is not None:
            await aclose()
