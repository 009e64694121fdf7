"""Neutral values and protocols for talking with relays (the people who take cases)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from bot.domain.messages import InboundKind, Outbound


@dataclass(frozen=True, slots=True)
class RelayInbound:
    """A message or a button press from a relay's chat, stripped of its transport.

    ``relay_id`` names the relay directory entry the chat belongs to; ``sender_ref`` is
    who wrote (in a team's group chat, one of its members). ``reply_to`` is the channel
    id of the bot's message being answered or pressed (a case card), as returned by
    :meth:`RelayMessenger.send_to_chat`, so the hand-off can tell which case it is about.
    ``kind`` is ``TEXT``, ``BUTTON`` (``payload`` set) or ``UNSUPPORTED`` (``media`` set).
    """

    channel: str
    relay_id: str
    chat_id: str
    sender_ref: str
    text: str = ""
    kind: InboundKind = InboundKind.TEXT
    payload: str | None = None
    message_id: str | None = None
    reply_to: str | None = None
    media: str | None = None
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))


OnRelayInbound = Callable[[RelayInbound], Awaitable[Sequence[Outbound]]]
"""What a channel calls for each relay message; the replies go back to the relay's chat."""


class RelayMessenger(Protocol):
    """Writes to a relay's chat on one channel (a case card with buttons, a reminder)."""

    async def send_to_chat(self, chat_id: str, message: Outbound) -> str | None:
        """Send ``message``; returns its channel id (``reply_to`` of answers) or ``None``."""
        ...
