"""Protocols for the I/O the core needs: sending messages and handling inbound ones."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from bot.domain.messages import Inbound, Outbound


class Sender(Protocol):
    """Delivers the bot's replies to a person on one channel."""

    async def send(self, user_ref: str, replies: Sequence[Outbound]) -> None:
        """Send ``replies`` in order to ``user_ref``."""
        ...


OnInbound = Callable[[Inbound], Awaitable[Sequence[Outbound]]]
"""What a channel calls for each inbound message; returns the replies of the turn."""


class CaseEvents(Protocol):
    """Tells relays what happened to their cases (implemented by the hand-off service)."""

    async def case_shared(self, lead_id: str) -> None:
        """The resident agreed to send their case to the named relay: offer it."""
        ...

    async def case_withdrawn(self, lead_id: str, relay_id: str) -> None:
        """The resident erased their data: the relay must drop the case."""
        ...

    async def resident_message(self, subject: str, text: str) -> None:
        """The resident wrote while talking with a relay: pass it on."""
        ...

    async def resident_left(self, subject: str) -> None:
        """The resident ended the conversation with the relay (FIN or STOP)."""
        ...
