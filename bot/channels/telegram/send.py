"""Send a turn's replies to one Telegram chat, in order, and report what happened."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import Bot, InputFile, LinkPreviewOptions, Message
from telegram.error import Forbidden, TelegramError

from bot.channels.telegram.render import CallbackCodec, TelegramMessage, render_telegram
from bot.domain.messages import Outbound

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One channel message id (``<chat>:<message>``) per reply, ``None`` when unsent.

    ``blocked`` is set when Telegram answered ``Forbidden``: the person blocked the bot
    (or removed it from the group), and nothing more can be sent there.
    """

    ids: tuple[str | None, ...]
    blocked: bool = False


def chat_ref(chat_id: str) -> int | str:
    """The Bot API form of a chat id: a number, or an ``@username``."""
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id


class TelegramSender:
    """Sends replies as plain text (no ``parse_mode``: nothing is read as formatting).

    A long text goes out in several parts; its id is the last part's, which carries
    the buttons. After a failure the rest of the turn is not sent, so a question never
    arrives without what led to it.
    """

    def __init__(self, bot: Bot, codec: CallbackCodec) -> None:
        self.bot = bot
        self.codec = codec

    async def send(self, chat_id: str, replies: Sequence[Outbound]) -> Delivery:
        """Send ``replies`` in order to ``chat_id``."""
        ids: list[str | None] = []
        for index, reply in enumerate(replies):
            try:
                ids.append(await self._send_one(chat_id, reply))
            except Forbidden:
                log.info("a Telegram chat blocked the bot")
                return Delivery(_padded(ids, len(replies)), blocked=True)
            except TelegramError as exc:
                log.warning("could not send reply %d on Telegram: %s", index + 1, exc)
                return Delivery(_padded(ids, len(replies)))
        return Delivery(tuple(ids))

    async def _send_one(self, chat_id: str, reply: Outbound) -> str | None:
        last: str | None = None
        for message in render_telegram(reply, self.codec):
            sent = await self._post(chat_ref(chat_id), message)
            last = f"{chat_id}:{sent.message_id}"
        return last

    async def _post(self, chat: int | str, message: TelegramMessage) -> Message:
        if message.document is not None:
            document = message.document
            return await self.bot.send_document(
                chat,
                InputFile(document.content, filename=document.filename),
                reply_markup=message.markup,
                filename=document.filename,
            )
        return await self.bot.send_message(
            chat,
            message.text,
            parse_mode=None,
            reply_markup=message.markup,
            link_preview_options=NO_PREVIEW,
        )


def _padded(ids: list[str | None], size: int) -> tuple[str | None, ...]:
    return tuple(ids) + (None,) * (size - len(ids))
