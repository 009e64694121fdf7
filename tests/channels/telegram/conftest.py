"""A real PTB Application on a recording request, wired to recording callbacks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from telegram import Update

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.limits import TelegramRateLimiter
from bot.channels.telegram.setup import make_application
from bot.domain.ports import BotFace
from tests.channels.telegram.fakes import (
    TOKEN,
    CallbackBot,
    HandleTurn,
    OnUnreachable,
    RecordingRelays,
    RecordingRequest,
    RecordingSleep,
    RecordingTurns,
    RecordingUnreachable,
)

RELAY_CHAT = "-1009876543210"


@dataclass
class Harness:
    """The channel under test and everything it talked to."""

    channel: TelegramChannel
    request: RecordingRequest
    turns: RecordingTurns
    relays: RecordingRelays
    unreachable: RecordingUnreachable
    sleep: RecordingSleep

    async def receive(self, data: dict[str, Any]) -> None:
        """Process one update through the real Application, and wait for its side work."""
        application = self.channel.application
        await application.process_update(Update.de_json(data, application.bot))
        await self.channel.idle()


async def make_harness(
    handle: HandleTurn | None = None,
    *,
    bot: BotFace | None = None,
    on_unreachable: OnUnreachable | None = None,
    max_retries: int = 3,
    max_wait: float = 60,
) -> Harness:
    """A started channel (``getMe`` answered) with every rate limit off.

    Behind it, ``bot`` (a real one), or recording doubles (``handle`` for turns).
    """
    request = RecordingRequest()
    turns = RecordingTurns()
    relays = RecordingRelays()
    unreachable = RecordingUnreachable()
    sleep = RecordingSleep()
    limiter = TelegramRateLimiter(
        overall_per_second=0,
        chat_per_second=0,
        group_per_minute=0,
        max_retries=max_retries,
        max_wait=max_wait,
        sleep=sleep,
    )
    application = make_application(TOKEN, rate_limiter=limiter, request=request)
    channel = TelegramChannel(application, relay_chats={RELAY_CHAT: "citeslab_vaulx"})
    await channel.start(bot or CallbackBot(handle or turns, relays, on_unreachable or unreachable))
    return Harness(channel, request, turns, relays, unreachable, sleep)


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    """The channel with a recording bot behind it."""
    made = await make_harness()
    try:
        yield made
    finally:
        await made.channel.stop()
