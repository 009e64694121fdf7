"""The Telegram channel: residents and relays, by polling or through our webhook route."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any

from telegram import CallbackQuery, Update
from telegram.error import TelegramError
from telegram.ext import TypeHandler

from bot.channels.telegram_parse import (
    CHANNEL,
    Blocked,
    Edited,
    FromRelay,
    FromResident,
    Ignored,
    parse_update,
)
from bot.channels.telegram_render import CallbackCodec
from bot.channels.telegram_send import TelegramSender
from bot.channels.telegram_setup import ALLOWED_UPDATES, App
from bot.domain.messages import Inbound, Outbound
from bot.domain.relays import OnRelayInbound, RelayInbound

log = logging.getLogger(__name__)

DeliverReplies = Callable[[Sequence[Outbound]], Awaitable[Sequence[str | None]]]
"""Sends a turn's replies; returns the channel id of each one (``None`` if unsent)."""
HandleTurn = Callable[[Inbound, DeliverReplies], Awaitable[object]]
"""Runs one turn and calls ``deliver`` with its replies while the conversation is locked."""
OnUnreachable = Callable[[str], Awaitable[None]]
"""Told the ``user_ref`` of a resident who blocked the bot."""

# An edit is not a new answer: replaying it as one could answer a question already
# passed. The person is told once, plainly, to write again.
EDIT_NOTICE = (
    "J'ai vu que tu as modifié un message 🙂 Je ne lis pas les modifications : "
    "écris-moi plutôt ta réponse dans un nouveau message."
)
SEEN_UPDATES = 2048


class TelegramChannel:
    """Turns updates into turns of the bot (residents) or relay messages, and sends.

    Residents' messages go to ``handle`` with a ``deliver`` that sends the replies in
    their private chat; everything from a chat listed in ``relay_chats`` (chat id to
    relay id) goes to ``on_relay``, whose replies go back to that chat. Button presses
    are always answered, whatever happens next. An update seen twice (a webhook
    redelivery) is dropped here as well as by the dispatcher's de-duplication.
    """

    def __init__(
        self,
        application: App,
        *,
        handle: HandleTurn,
        on_unreachable: OnUnreachable | None = None,
        on_relay: OnRelayInbound | None = None,
        relay_chats: Mapping[str, str] | None = None,
        codec: CallbackCodec | None = None,
        edit_notice: str | None = EDIT_NOTICE,
    ) -> None:
        self.application = application
        self.codec = codec or CallbackCodec()
        self.sender = TelegramSender(application.bot, self.codec)
        self.relay_chats: Mapping[str, str] = dict(relay_chats or {})
        self._handle = handle
        self._on_unreachable = on_unreachable
        self._on_relay = on_relay
        self._edit_notice = edit_notice
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._background: set[asyncio.Task[Any]] = set()
        application.add_handler(TypeHandler(Update, self._on_update))
        application.add_error_handler(self._on_error)

    # ------------------------------------------------------------------ life cycle
    async def start(self, *, polling: bool = False, poll_timeout: int = 10) -> None:
        """Check the token (``getMe``), start processing, and poll when asked to."""
        await self.application.initialize()
        await self.application.start()
        if polling:
            if self.application.updater is None:
                raise RuntimeError("this Telegram application was built without polling")
            await self.application.updater.start_polling(
                timeout=poll_timeout, allowed_updates=list(ALLOWED_UPDATES)
            )

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
        """Queue an update received on the webhook; it is processed in the background."""
        await self.application.update_queue.put(Update.de_json(data, self.application.bot))

    async def idle(self) -> None:
        """Wait until every queued update has been processed and every press answered."""
        await self.application.update_queue.join()
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    # ------------------------------------------------------------------ relays
    async def send_to_chat(self, chat_id: str, message: Outbound) -> str | None:
        """Send ``message`` (e.g. a case card with buttons) to any chat, such as a relay's."""
        delivery = await self.sender.send(chat_id, [message])
        if delivery.blocked:
            log.warning("a relay chat on Telegram no longer accepts the bot's messages")
        return delivery.ids[0]

    async def push(self, user_ref: str, message: Outbound) -> bool:
        """Write first to a resident (a relay's answer...); ``False`` when not delivered.

        A resident's private chat id is their user id. A blocked bot marks them
        unreachable, as during a turn.
        """
        delivery = await self.sender.send(user_ref, [message])
        if delivery.blocked:
            await self._unreachable(user_ref)
        return delivery.ids[0] is not None

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
        parsed = parse_update(update, self.relay_chats, self.codec.decode)
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

    async def _resident(self, parsed: FromResident) -> None:
        async def deliver(replies: Sequence[Outbound]) -> Sequence[str | None]:
            delivery = await self.sender.send(parsed.chat_id, replies)
            if delivery.blocked:
                await self._unreachable(parsed.inbound.user_ref)
            return delivery.ids

        await self._handle(parsed.inbound, deliver)

    async def _relay(self, inbound: RelayInbound) -> None:
        if self._on_relay is None:
            log.info("a relay wrote on Telegram, but nothing handles relay messages")
            return
        replies = await self._on_relay(inbound)
        if replies:
            delivery = await self.sender.send(inbound.chat_id, replies)
            if delivery.blocked:
                log.warning("relay %s no longer accepts the bot's messages", inbound.relay_id)

    async def _edited(self, chat_id: str) -> None:
        if self._edit_notice is None:
            return
        delivery = await self.sender.send(chat_id, [Outbound(self._edit_notice)])
        if delivery.blocked:
            await self._unreachable(chat_id)  # a private chat's id is its user's id

    async def _unreachable(self, user_ref: str) -> None:
        if self._on_unreachable is None:
            return
        try:
            await self._on_unreachable(user_ref)
        except Exception:
            log.exception("could not record that a %s contact is unreachable", CHANNEL)

    async def _on_error(self, _update: object, context: Any) -> None:
        log.error("a Telegram update failed", exc_info=context.error)
