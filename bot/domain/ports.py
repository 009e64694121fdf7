"""The channel contract and the core's other ports: the bot's face, senders, case events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Protocol, TypeVar

from bot.domain.delivery import DeliveryStatus, Reach
from bot.domain.messages import ChannelTexts, Inbound, Outbound
from bot.domain.relays import RelayInbound

RouteT_co = TypeVar("RouteT_co", covariant=True)

Deliver = Callable[[Sequence[Outbound]], Awaitable[Sequence[str | None]]]
"""Sends a turn's replies in order; returns the channel id of each one (``None`` if unsent)."""


class BotFace(Protocol):
    """All a channel may ask of the running bot (implemented in ``bot.app.bot``)."""

    async def handle(self, inbound: Inbound, deliver: Deliver | None = None) -> Sequence[Outbound]:
        """One turn; ``deliver`` sends its replies while the conversation is still locked."""
        ...

    async def handle_relay(self, message: RelayInbound) -> Sequence[Outbound]:
        """What a relay wrote from their chat; the replies go back to that chat."""
        ...

    async def record_status(self, channel: str, status: DeliveryStatus) -> bool:
        """Keep a delivery status once; ``False`` when it was already received."""
        ...

    async def mark_unreachable(self, channel: str, user_ref: str) -> bool:
        """The channel can no longer write to this person; ``False`` when no contact is kept."""
        ...

    async def queue_for_resident(self, channel: str, user_ref: str, message: Outbound) -> None:
        """Keep ``message`` for the person's next message (the channel cannot write now)."""
        ...

    async def reach(self, channel: str, user_ref: str, purpose: str) -> Reach | None:
        """Whether we may write first to this person for ``purpose``; ``None``: no contact."""
        ...

    async def log_proactive(
        self, channel: str, user_ref: str, message_id: str, text: str | None
    ) -> None:
        """Log a message the bot sent first, so that its statuses land on it."""
        ...

    def channel_texts(self, lang: str = "") -> ChannelTexts:
        """The words channels add when rendering (they follow the flows in force), in
        ``lang`` (an :class:`Outbound`'s; French when empty)."""
        ...

    async def language(self, channel: str, user_ref: str) -> str:
        """The language this person speaks with the bot (empty: not known, read as French),
        for what a channel says on its own (an edited message's notice)."""
        ...


class Sender(Protocol):
    """Writes to people on one channel."""

    async def deliver(self, address: str, replies: Sequence[Outbound]) -> Sequence[str | None]:
        """Send ``replies`` in order to a chat; the channel id of each (``None`` if unsent)."""
        ...

    async def push(
        self,
        user_ref: str,
        outbound: Outbound,
        *,
        purpose: str = "contact",
        values: Mapping[str, str] | None = None,
    ) -> bool:
        """Write first to a resident; ``False`` when ``outbound`` did not reach them.

        ``purpose`` is the consent it relies on: ``contact`` (news of their case, a
        relay's answer: a channel may keep it for their next message and count it as
        sent) or ``followup`` (a follow-up's question: ``True`` only once shown; a
        channel may instead invite them to write back, with ``values`` filling its
        template).
        """
        ...


class Channel(Protocol[RouteT_co]):
    """What a channel registers with the app; the app loops over the enabled ones.

    ``routes`` are its web routes (``/webhooks/<name>/webhook``), ``sender`` how to
    write first (``None`` for a channel that only answers). ``start`` hands it the
    bot: its only way to the core. ``stop`` finishes the work in hand.
    """

    @property
    def name(self) -> str:
        """The channel's name, as in ``Inbound.channel``."""
        ...

    @property
    def routes(self) -> Sequence[RouteT_co]:
        """Web routes to serve (empty for a channel that is not served over HTTP)."""
        ...

    @property
    def sender(self) -> Sender | None:
        """How the bot writes first on this channel, if it can."""
        ...

    async def start(self, bot: BotFace) -> None:
        """Begin serving ``bot``."""
        ...

    async def stop(self) -> None:
        """Finish what was received, then let go of connections."""
        ...


class NotStarted:
    """The bot of a channel that has not started yet: every call says so."""

    def _refuse(self) -> RuntimeError:
        return RuntimeError("the channel has not started: no bot to talk to")

    async def handle(self, inbound: Inbound, deliver: Deliver | None = None) -> Sequence[Outbound]:
        raise self._refuse()

    async def handle_relay(self, message: RelayInbound) -> Sequence[Outbound]:
        raise self._refuse()

    async def record_status(self, channel: str, status: DeliveryStatus) -> bool:
        raise self._refuse()

    async def mark_unreachable(self, channel: str, user_ref: str) -> bool:
        raise self._refuse()

    async def queue_for_resident(self, channel: str, user_ref: str, message: Outbound) -> None:
        raise self._refuse()

    async def reach(self, channel: str, user_ref: str, purpose: str) -> Reach | None:
        raise self._refuse()

    async def log_proactive(
        self, channel: str, user_ref: str, message_id: str, text: str | None
    ) -> None:
        raise self._refuse()

    def channel_texts(self, lang: str = "") -> ChannelTexts:
        raise self._refuse()

    async def language(self, channel: str, user_ref: str) -> str:
        raise self._refuse()
