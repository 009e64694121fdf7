"""Wire the WhatsApp channel: settings, Graph client, webhook, statuses, follow-ups."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

import httpx
from starlette.routing import Route

from bot.app.settings import WhatsAppSettings
from bot.channels.whatsapp_followups import (
    FollowUpOutcome,
    FollowUpResult,
    FollowUps,
    Reach,
    Template,
)
from bot.channels.whatsapp_graph import (
    UNDELIVERABLE,
    GraphClient,
    GraphError,
    Pacer,
    RetryPolicy,
    make_graph_http,
)
from bot.channels.whatsapp_parse import CHANNEL, StatusReport
from bot.channels.whatsapp_send import WhatsAppSender
from bot.channels.whatsapp_webhook import Deliver, WhatsAppChannel
from bot.domain.messages import Inbound, Outbound
from bot.store import deliveries
from bot.store.contacts import mark_unreachable
from bot.store.handoffs import queue_for_resident

if TYPE_CHECKING:
    from bot.app.build import Bot

log = logging.getLogger(__name__)

HANDOFF_TEMPLATE = "handoff"  # key of the template inviting a resident to write back


class WhatsAppConfigError(Exception):
    """The WhatsApp channel is half configured: it refuses to start (fail closed)."""


def _credentials(settings: WhatsAppSettings) -> tuple[str, str, str, str]:
    """Access token, app secret, verify token and phone number id; all are required."""
    values = {
        "ACCESS_TOKEN": settings.access_token.get_secret_value() if settings.access_token else "",
        "APP_SECRET": settings.app_secret.get_secret_value() if settings.app_secret else "",
        "VERIFY_TOKEN": settings.verify_token.get_secret_value() if settings.verify_token else "",
        "PHONE_NUMBER_ID": settings.phone_number_id or "",
    }
    missing = ", ".join(f"BOT_WHATSAPP__{name}" for name, value in values.items() if not value)
    if missing:
        raise WhatsAppConfigError(f"the WhatsApp channel refuses to start: set {missing}")
    access_token, app_secret, verify_token, phone_number_id = values.values()
    return access_token, app_secret, verify_token, phone_number_id


class StoreContactBook:
    """Follow-ups' view of the database, keyed by pseudonyms like every turn."""

    def __init__(self, bot: Bot) -> None:
        self.store = bot.dispatcher.store
        self.pseudonyms = bot.dispatcher.pseudonyms

    def _subject(self, user_ref: str) -> str:
        return self.pseudonyms.subject(CHANNEL, user_ref)

    async def reach(self, user_ref: str, purpose: str) -> Reach | None:
        subject = self._subject(user_ref)
        found = await self.store.transact(
            subject, CHANNEL, lambda tx: deliveries.contact_reach(tx.connection, subject, purpose)
        )
        if found is None:
            return None
        return Reach(found.consented, found.last_inbound_at, found.stopped, found.unreachable)

    async def sent(self, user_ref: str, message_id: str, text: str | None) -> None:
        subject = self._subject(user_ref)
        hashed = self.pseudonyms.message(CHANNEL, message_id)
        await self.store.transact(
            subject,
            CHANNEL,
            lambda tx: deliveries.log_proactive(
                tx.connection,
                conversation_id=subject,
                channel=CHANNEL,
                message_id=hashed,
                text=text,
            ),
        )

    async def unreachable(self, user_ref: str) -> None:
        await mark_unreachable(self.store, self._subject(user_ref), CHANNEL)


class WhatsApp:
    """The channel's parts: webhook routes now, the bot's side once it has started."""

    def __init__(
        self, settings: WhatsAppSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        access_token, app_secret, verify_token, phone_number_id = _credentials(settings)
        self.http = make_graph_http(
            settings.graph_url,
            settings.api_version,
            access_token,
            transport=transport,
        )
        graph = GraphClient(
            self.http,
            phone_number_id,
            pacer=Pacer(settings.max_per_second),
            retry=RetryPolicy(
                settings.max_attempts, settings.retry_delay, settings.max_retry_delay
            ),
        )
        self.sender = WhatsAppSender(graph)
        self.templates = {
            key: Template(t.name, t.language, tuple(t.parameters))
            for key, t in settings.templates.items()
        }
        self.margin = timedelta(minutes=settings.window_margin_minutes)
        self.channel = WhatsAppChannel(
            sender=self.sender,
            handle=self._handle,
            on_status=self._on_status,
            on_send_error=self._on_send_error,
            app_secret=app_secret,
            verify_token=verify_token,
            phone_number_id=phone_number_id,
        )
        self._bot: Bot | None = None
        self._followups: FollowUps | None = None

    @property
    def routes(self) -> list[Route]:
        """The webhook routes (``/webhooks/whatsapp/webhook``)."""
        return self.channel.routes()

    @property
    def bot(self) -> Bot:
        """The running bot (after :meth:`start`)."""
        if self._bot is None:
            raise RuntimeError("the WhatsApp channel has not started")
        return self._bot

    @property
    def followups(self) -> FollowUps:
        """Proactive messages (hand-off news, reminders), within the 24-hour rule."""
        if self._followups is None:
            raise RuntimeError("the WhatsApp channel has not started")
        return self._followups

    async def push(self, user_ref: str, message: Outbound) -> bool:
        """Hand-off news for a resident (the hand-off service's pusher), on contact consent.

        Inside the 24-hour window the message goes out as it is. Outside it, it is kept
        for the person's next message, and the ``handoff`` template (when configured)
        asks them to write back. ``False`` when nothing may be sent or kept.
        """
        try:
            result = await self.followups.send(
                user_ref, message, template=HANDOFF_TEMPLATE, purpose="contact"
            )
        except ValueError:
            log.exception("the %r WhatsApp template must take no parameters", HANDOFF_TEMPLATE)
            result = FollowUpResult(FollowUpOutcome.NO_TEMPLATE)
        if result.outcome is FollowUpOutcome.SENT:
            return True
        if result.outcome in (FollowUpOutcome.NO_CONSENT, FollowUpOutcome.STOPPED):
            return False
        bot = self.bot
        subject = bot.dispatcher.pseudonyms.subject(CHANNEL, user_ref)
        async with bot.engine.begin() as connection:
            await queue_for_resident(connection, subject, bot.cipher.encrypt(message.text) or "")
        return True

    def start(self, bot: Bot) -> None:
        """Bind the running bot: turns, the message log and follow-ups."""
        self._bot = bot
        self._followups = FollowUps(
            self.sender, StoreContactBook(bot), self.templates, margin=self.margin
        )

    async def stop(self) -> None:
        """Finish the webhooks received so far, then close the HTTP client."""
        await self.channel.drain()
        await self.http.aclose()

    # ------------------------------------------------------------------ callbacks
    async def _handle(self, inbound: Inbound, deliver: Deliver) -> Sequence[Outbound]:
        bot = self.bot
        sent: list[str] = []

        async def recording(replies: Sequence[Outbound]) -> Sequence[str | None] | None:
            ids = await deliver(replies)
            sent.extend(i for i in ids or () if i)
            return ids

        replies = await bot.handle(inbound, recording)
        if sent:
            # Statuses may have come in before the ids were attached to the log.
            pseudonyms = bot.dispatcher.pseudonyms
            hashed = [pseudonyms.message(CHANNEL, i) for i in sent]
            subject = pseudonyms.subject(CHANNEL, inbound.user_ref)
            await bot.dispatcher.store.transact(
                subject, CHANNEL, lambda tx: deliveries.reconcile(tx.connection, CHANNEL, hashed)
            )
        return replies

    async def _on_status(self, report: StatusReport) -> None:
        bot = self.bot
        hashed = bot.dispatcher.pseudonyms.message(CHANNEL, report.message_id)
        fresh = await bot.dispatcher.store.transact(
            hashed,
            CHANNEL,
            lambda tx: deliveries.record_status(
                tx.connection,
                channel=CHANNEL,
                message_id=hashed,
                status=report.status,
                error_code=report.error_code,
                reported_at=report.reported_at,
            ),
        )
        if fresh:
            await self.followups.on_status(report)

    async def _on_send_error(self, inbound: Inbound, error: GraphError) -> None:
        if error.code == UNDELIVERABLE:
            await StoreContactBook(self.bot).unreachable(inbound.user_ref)


def make_whatsapp(
    settings: WhatsAppSettings, *, transport: httpx.AsyncBaseTransport | None = None
) -> WhatsApp | None:
    """The WhatsApp channel when configured; ``None`` when none of it is set.

    Raises :class:`WhatsAppConfigError` when it is only partly configured (above all
    without the app secret that authenticates webhooks).
    """
    if not settings.configured:
        return None
    try:
        return WhatsApp(settings, transport=transport)
    except WhatsAppConfigError as exc:
        log.error("%s", exc)
        raise
