"""What relays (the people who take cases) write to the bot, stripped of its transport."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.domain.messages import InboundKind


@dataclass(frozen=True, slots=True)
class RelayInbound:
    """A message or a button press from a relay's chat, stripped of its transport.

    ``relay_id`` names the relay directory entry the chat belongs to; ``sender_ref`` is
    who wrote (in a team's group chat, one of its members). ``reply_to`` is the channel
    id of the bot's message being answered or pressed (a case card), as returned by the
    channel's ``Sender.deliver``, so the hand-off can tell which case it is about.
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
