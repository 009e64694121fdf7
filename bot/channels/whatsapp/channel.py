"""The WhatsApp channel: signed webhooks processed in the background, replies, writing first."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.channels.webhooks import RefusedError, json_response, parse_json, read_body
from bot.channels.whatsapp.followups import FollowUpOutcome, FollowUpResult, FollowUps, Template
from bot.channels.whatsapp.graph import UNDELIVERABLE
from bot.channels.whatsapp.parse import CHANNEL, Address, Event, InboundMessage, parse_webhook
from bot.channels.whatsapp.send import WhatsAppSender
from bot.channels.whatsapp.webhook import (
    PATH,
    SIGNATURE_HEADER,
    SignatureError,
    verify_handshake,
    verify_signature,
)
from bot.domain.delivery import DeliveryStatus, Reach
from bot.domain.messages import Outbound
from bot.domain.ports import BotFace, NotStarted, Sender

log = logging.getLogger(__name__)

MAX_BODY = 4 * 1024 * 1024
HANDOFF_TEMPLATE = "handoff"  # key of the template inviting a resident to write back
FOLLOWUP_TEMPLATE = FOLLOWUP = "followup"  # a follow-up's template key, and its consent


class WhatsAppChannel:
    """Receives signed webhooks, answers 200 at once and processes them in the background.

    The messages of one webhook are processed in order, one after the other; turns of
    one person also keep their order across webhooks (the dispatcher's FIFO lock).
    Writing first goes through :class:`FollowUps` (the 24-hour rule), which asks the
    bot about the person through this channel (its ``ContactBook``).
    """

    name = CHANNEL

    def __init__(
        self,
        *,
        poster: WhatsAppSender,
        app_secret: str,
        verify_token: str,
        phone_number_id: str,
        templates: Mapping[str, Template] | None = None,
        margin: timedelta = timedelta(minutes=10),
    ) -> None:
        if not app_secret:
            raise ValueError("the WhatsApp channel needs its app secret (fail closed)")
        self.poster = poster
        self.phone_number_id = phone_number_id
        self.bot: BotFace = NotStarted()
        self.followups = FollowUps(poster, self, templates or {}, margin=margin)
        self.routes = [
            Route(PATH, self._handshake, methods=["GET"]),
            Route(PATH, self._receive, methods=["POST"]),
        ]
        self._secret = app_secret.encode("utf-8")
        self._verify_token = verify_token
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def sender(self) -> Sender:
        """The channel writes first within the 24-hour rule (see :meth:`push`)."""
        return self

    async def start(self, bot: BotFace) -> None:
        """Process webhooks for ``bot``."""
        self.bot = bot
        self.poster.texts = bot.channel_texts

    async def stop(self) -> None:
        """Finish the webhooks received so far, then close the HTTP client."""
        await self.drain()
        await self.poster.graph.aclose()

    # ------------------------------------------------------------------ HTTP
    async def _handshake(self, request: Request) -> Response:
        try:
            challenge = verify_handshake(dict(request.query_params), self._verify_token)
        except SignatureError:
            log.warning("WhatsApp webhook verification refused: wrong token")
            return RefusedError(403, "forbidden").response()
        return PlainTextResponse(challenge)

    async def _receive(self, request: Request) -> Response:
        try:
            body = await read_body(request, MAX_BODY)
            try:
                verify_signature(body, request.headers.get(SIGNATURE_HEADER), self._secret)
            except SignatureError as exc:
                log.warning("WhatsApp webhook refused: %s", exc)
                raise RefusedError(401, "invalid signature") from None
            data = parse_json(body, "the body must be JSON")
        except RefusedError as refused:
            return refused.response()
        events = parse_webhook(data, self.phone_number_id)
        if events:
            self._spawn(events)
        return json_response({"status": "received"})

    # ------------------------------------------------------------------ background
    def _spawn(self, events: list[Event]) -> None:
        task = asyncio.create_task(self.process(events), name="whatsapp-webhook")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait until every webhook received so far has been processed."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def process(self, events: Sequence[Event]) -> None:
        """Process a webhook's events in order; one failure does not stop the others."""
        for event in events:
            try:
                if isinstance(event, InboundMessage):
                    await self._message(event)
                else:
                    await self._status(event)
            except Exception:
                log.exception("WhatsApp event failed")

    async def _message(self, event: InboundMessage) -> None:
        async def deliver(replies: Sequence[Outbound]) -> Sequence[str | None]:
            return await self._send(event.address, replies, event.inbound.user_ref)

        await self.bot.handle(event.inbound, deliver)

    async def _status(self, report: DeliveryStatus) -> None:
        if await self.bot.record_status(CHANNEL, report):
            await self.followups.on_status(report)

    # ------------------------------------------------------------------ sending
    async def deliver(self, address: str, replies: Sequence[Outbound]) -> Sequence[str | None]:
        """Send ``replies`` to ``address`` (a phone number or a business-scoped user id)."""
        return await self._send(Address.of(address), replies, address)

    async def _send(
        self, address: Address, replies: Sequence[Outbound], user_ref: str
    ) -> list[str | None]:
        sent, error = await self.poster.deliver(address, replies)
        if error is not None and error.code == UNDELIVERABLE:
            await self.bot.mark_unreachable(CHANNEL, user_ref)
        return sent

    async def push(
        self,
        user_ref: str,
        outbound: Outbound,
        *,
        purpose: str = "contact",
        values: Mapping[str, str] | None = None,
    ) -> bool:
        """Write first to a resident.

        Hand-off news (purpose ``contact``): inside the 24-hour window the message goes
        out as it is; outside it, it is kept for the person's next message, and the
        ``handoff`` template (when configured) asks them to write back. ``False`` when
        nothing may be sent or kept.

        A follow-up's question (purpose ``followup``, its consent): inside the window
        it goes out as it is (``True``); outside it, the ``followup`` template (filled
        with ``values``) asks them to write back and ``False`` says the question itself
        was not shown (the bot shows it at their next message).
        """
        if purpose == FOLLOWUP:
            return await self._follow_up(user_ref, outbound, values or {})
        try:
            result = await self.followups.send(
                user_ref, outbound, template=HANDOFF_TEMPLATE, purpose="contact"
            )
        except ValueError:
            log.exception("the %r WhatsApp template must take no parameters", HANDOFF_TEMPLATE)
            result = FollowUpResult(FollowUpOutcome.NO_TEMPLATE)
        if result.outcome is FollowUpOutcome.SENT:
            return True
        if result.outcome in (FollowUpOutcome.NO_CONSENT, FollowUpOutcome.STOPPED):
            return False
        await self.bot.queue_for_resident(CHANNEL, user_ref, outbound)
        return True

    async def _follow_up(
        self, user_ref: str, outbound: Outbound, values: Mapping[str, str]
    ) -> bool:
        try:
            result = await self.followups.send(
                user_ref, outbound, template=FOLLOWUP_TEMPLATE, values=values, purpose=FOLLOWUP
            )
        except ValueError:
            log.warning("the %r WhatsApp template lacks a value: not sent", FOLLOWUP_TEMPLATE)
            return False
        return result.outcome is FollowUpOutcome.SENT

    # ------------------------------------------------------------------ follow-ups' ContactBook
    async def reach(self, user_ref: str, purpose: str) -> Reach | None:
        """The person's reach, or ``None`` when we keep no contact for them."""
        return await self.bot.reach(CHANNEL, user_ref, purpose)

    async def sent(self, user_ref: str, message_id: str, text: str | None) -> None:
        """Log a proactive message we sent (statuses will update it)."""
        await self.bot.log_proactive(CHANNEL, user_ref, message_id, text)

    async def unreachable(self, user_ref: str) -> None:
        """WhatsApp says the person cannot be reached."""
        await self.bot.mark_unreachable(CHANNEL, user_ref)
