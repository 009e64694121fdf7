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

    async def case_withdrawn(self, lead_id: str, relay_id: str) -> None:
        """The resident erased their data: the relay must drop the case."""
        ...
