"""Test doubles for relays' chats."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from bot.app.bot import Bot
from bot.domain.messages import InboundKind, Outbound
from bot.domain.relays import RelayInbound


class RecordingMessenger:
    """Relays' chats (a ``Sender``) that record what the bot sends them."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Outbound]] = []
        self._ids = itertools.count(1)

    async def deliver(self, address: str, replies: Sequence[Outbound]) -> Sequence[str | None]:
        self.sent.extend((address, message) for message in replies)
        return [f"card-{next(self._ids)}" for _ in replies]

    async def push(self, user_ref: str, outbound: Outbound) -> bool:
        raise AssertionError("the residents of these tests are on the REST channel")

    def to(self, chat_id: str) -> list[Outbound]:
        return [m for c, m in self.sent if c == chat_id]


def give_chat(bot: Bot, relay_id: str, chat_id: str) -> None:
    """Pretend ``relay_id`` reads Telegram chat ``chat_id``."""
    relay = bot.handoffs.relays[relay_id]
    contact = relay.contact.model_copy(update={"telegram_chat_id": chat_id})
    bot.handoffs.relays[relay_id] = relay.model_copy(update={"contact": contact})


def relay_says(
    relay_id: str, chat_id: str, text: str = "", payload: str | None = None
) -> RelayInbound:
    """A message (or, with ``payload``, a button press) from a relay's chat."""
    return RelayInbound(
        channel="telegram",
        relay_id=relay_id,
        chat_id=chat_id,
        sender_ref="member-1",
        text=text,
        kind=InboundKind.BUTTON if payload else InboundKind.TEXT,
        payload=payload,
    )


async def act(bot: Bot, message: RelayInbound) -> list[Outbound]:
    """A relay's message or press, and the jobs it queued (as time passes for people)."""
    replies = list(await bot.relay_inbox.handle(message))
    await bot.drainer.settle()
    return replies
