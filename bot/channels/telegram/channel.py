"""The Telegram channel: residents and relays, by polling or through our webhook route."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Coroutine, Mapping, Sequence
from typing import Any

from telegram import CallbackQuery, Update
from telegram.error import TelegramError
from telegram.ext import TypeHandler

from bot.channels.telegram.parse import (
    CHANNEL,
    Blocked,
    Edited,
    FromRelay,
    FromResident,
    Ignored,
    Parsed,
    parse_update,
)
from bot.channels.telegram.render import CallbackCodec
from bot.channels.telegram.send import TelegramSender
from bot.channels.telegram.setup import ALLOWED_UPDATES, App
from bot.channels.telegram.webhook import MalformedUpdateError, make_telegram_routes
from bot.domain.messages import Outbound
from bot.domain.ports import BotFace, NotStarted, Sender
from bot.domain.relays import RelayInbound

log = logging.getLogger(__name__)

SEEN_UPDATES = 2048


class TelegramChannel:
    """Turns updates into turns of the bot (residents) or relay messages, and sends.

    Residents' messages go to the bot's ``handle`` with a ``deliver`` that sends the
    replies in their private chat; everything from a chat listed in ``relay_chats``
    (chat id to relay id) goes to its ``handle_relay``, whose replies go back to that
    chat. Button presses are always answered, whatever happens next. An update seen
    twice (a webhook redelivery) is dropped here as well as by the dispatcher's
    de-duplication. Updates come by polling, or through the webhook route, which
    checks ``webhook_secret`` (none: every call is refused).
    """

    name = CHANNEL

    def __init__(
        self,
        application: App,
        *,
        relay_chats: Mapping[str, str] | None = None,
        codec: CallbackCodec | None = None,
        edit_notice: bool = True,
        polling: bool = False,
        poll_timeout: int = 10,
        webhook_secret: str | None = None,
    ) -> None:
        self.application = application
        self.codec = codec or CallbackCodec()
        self.poster = TelegramSender(application.bot, self.codec)
        # Kept as given: the app passes a mapping that follows reloads of data/relays.yml.
        self.relay_chats: Mapping[str, str] = relay_chats if relay_chats is not None else {}
        self.bot: BotFace = NotStarted()
        self.routes = make_telegram_routes(self.enqueue, webhook_secret)
        self.polling = polling
        self._poll_timeout = poll_timeout
        self._edit_notice = edit_notice
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._background: set[asyncio.Task[Any]] = set()
        application.add_handler(TypeHandler(Update, self._on_update))
        application.add_error_handler(self._on_error)

    @property
    def sender(self) -> Sender:
        """The channel writes first to residents, and to relays' chats."""
        return self

    # ------------------------------------------------------------------ life cycle
    async def start(self, bot: BotFace) -> None:
        """Check the token (``getMe``), start processing for ``bot``, and poll if set to."""
        self.bot = bot
        await self.application.initialize()
        await self.application.start()
        if self.polling:
            if self.application.updater is None:
                raise RuntimeError("this Telegram application was built without polling")
            await self.application.updater.start_polling(
                timeout=self._poll_timeout, allowed_updates=list(ALLOWED_UPDATES)
            )
        log.info("Telegram channel started (%s)", "polling" if self.polling else "webhook")

    async def stop(self) -> None:
        """Stop polling, finish the updates in hand, then close connections."""
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        await self.application.shutdown()

    async def enqueue(self, data: dict[str, Any]) -> None:
        """Queue an update received on the webhook; it is processed in the background.

        Raises :class:`MalformedUpdateError` when it cannot be read: checked here, while
        the webhook can still say so, rather than failing once it has been answered.
        """
        try:
            update = Update.de_json(data, self.application.bot)
            self._parse(update)
        except Exception as exc:  # any shape PTB or parse_update cannot read
            raise MalformedUpdateError(f"unreadable ({type(exc).__name__})") from None
        await self.application.update_queue.put(update)

    async def idle(self) -> None:
        """Wait until every queued update has been processed and every press answered."""
        await self.application.update_queue.join()
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    # ------------------------------------------------------------------ sending
    async def deliver(self, address: str, replies: Sequence[Outbound]) -> Sequence[str | None]:
        """Send ``replies`` to any chat (a relay's: a case card with buttons...).

        A private chat's id is its resident's id: a blocked bot marks them unreachable.
        """
        relay = self.relay_chats.get(address)
        return await self._send(address, replies, resident=None if relay else address)

    async def push(
        self,
        user_ref: str,
        outbound: Outbound,
        *,
        purpose: str = "contact",
        values: Mapping[str, str] | None = None,
    ) -> bool:
        """Write first to a resident (a relay's answer, a follow-up); ``False`` when not
        delivered (a resident who blocked the bot is marked unreachable)."""
        [sent] = await self._send(user_ref, [outbound], resident=user_ref)
        return sent is not None

    async def _send(
        self, chat_id: str, replies: Sequence[Outbound], *, resident: str | None
    ) -> Sequence[str | None]:
        delivery = await self.poster.send(chat_id, replies)
        if delivery.blocked:
            if resident is None:
                log.warning("a relay chat on Telegram no longer accepts the bot's messages")
            else:
                await self._unreachable(resident)
        return delivery.ids

    # ------------------------------------------------------------------ updates
    def _first_time(self, update_id: int) -> bool:
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        if len(self._seen) > SEEN_UPDATES:
            self._seen.popitem(last=False)
        return True

    def _in_background(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _answer(self, query: CallbackQuery) -> None:
        try:
            await query.answer()
        except TelegramError as exc:  # too old, or answered already
            log.debug("could not answer a button press: %s", exc)

    async def _on_update(self, update: Update, _context: Any) -> None:
        if not self._first_time(update.update_id):
            log.info("dropped a redelivered Telegram update")
            return
        if update.callback_query is not None:
            # Answer at once, in the background: the spinner stops, and this update
            # reaches the conversation lock before any later one from the same person.
            self._in_background(self._answer(update.callback_query))
        try:
            parsed = self._parse(update)
        except Exception as exc:  # polled updates are not checked on the way in
            log.warning("ignored a malformed Telegram update (%s)", type(exc).__name__)
            return
        if isinstance(parsed, FromResident):
            await self._resident(parsed)
        elif isinstance(parsed, FromRelay):
            await self._relay(parsed.inbound)
        elif isinstance(parsed, Edited):
            await self._edited(parsed.chat_id)
        elif isinstance(parsed, Blocked):
            await self._unreachable(parsed.user_ref)
        elif isinstance(parsed, Ignored):
            log.debug("ignored a Telegram update: %s", parsed.reason)

    def _parse(self, update: Update) -> Parsed:
        return parse_update(update, self.relay_chats, self.codec.decode)

    async def _resident(self, parsed: FromResident) -> None:
        async def deliver(replies: Sequence[Outbound]) -> Sequence[str | None]:
            return await self._send(parsed.chat_id, replies, resident=parsed.inbound.user_ref)

        await self.bot.handle(parsed.inbound, deliver)

    async def _relay(self, inbound: RelayInbound) -> None:
        replies = await self.bot.handle_relay(inbound)
        if replies:
            delivery = await self.poster.send(inbound.chat_id, replies)
            if delivery.blocked:
                log.warning("relay %s no longer accepts the bot's messages", inbound.relay_id)

    async def _edited(self, chat_id: str) -> None:
        # An edit is not a new answer: replaying it as one could answer a question already
        # passed. The person is told plainly to write again.
        if not self._edit_notice:
            return
        lang = await self.bot.language(CHANNEL, chat_id)
        notice = Outbound(self.bot.channel_texts(lang).edited, lang=lang)
        await self._send(chat_id, [notice], resident=chat_id)  # a private chat's id: the user's

    async def _unreachable(self, user_ref: str) -> None:
        try:
            kept = await self.bot.mark_unreachable(CHANNEL, user_ref)
        except Exception:
            log.exception("could not record that a %s contact is unreachable", CHANNEL)
            return
        log.info("a Telegram resident blocked the bot (contact kept: %s)", kept)

    async def _on_error(self, _update: object, context: Any) -> None:
        log.error("a Telegram update failed", exc_info=context.error)
