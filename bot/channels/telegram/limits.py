"""Telegram's sending limits: pace every Bot API call, wait and retry on RetryAfter."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]
Sleep = Callable[[float], Awaitable[None]]
MAX_LIMITERS = 1024


def retry_seconds(exc: RetryAfter) -> float:
    """How long Telegram asks us to wait (PTB 22 moves it from ``int`` to ``timedelta``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = exc.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


def _chat(value: Any) -> int | str | None:
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return str(value)  # "@channelname"


class TelegramRateLimiter(BaseRateLimiter[int]):
    """Keeps the bot within Telegram's limits and retries what it is told to retry.

    Every call aimed at a chat waits for a share of the overall budget (30 messages a
    second) and of its chat's: about one a second in a private chat, with a small burst
    so a turn's two or three messages go out together, and 20 a minute in a group. A
    ``RetryAfter`` (HTTP 429) is waited out and the call retried, up to ``max_retries``
    times, unless Telegram asks for more than ``max_wait`` seconds. ``sleep`` is
    injectable so tests do not wait. ``rate_limit_args`` of a call overrides the number
    of retries.
    """

    def __init__(
        self,
        *,
        overall_per_second: float = 30,
        chat_per_second: float = 1.0,
        chat_burst: int = 3,
        group_per_minute: float = 20,
        max_retries: int = 3,
        max_wait: float = 60.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._overall = AsyncLimiter(overall_per_second, 1) if overall_per_second > 0 else None
        self._chat_rate = chat_per_second
        self._chat_burst = max(1, chat_burst)
        self._group_per_minute = group_per_minute
        self._chats: dict[int | str, AsyncLimiter] = {}
        self._max_retries = max_retries
        self._max_wait = max_wait
        self._sleep = sleep

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def _limiter(self, chat: int | str) -> AsyncLimiter | None:
        limiter = self._chats.get(chat)
        if limiter is not None:
            return limiter
        private = isinstance(chat, int) and chat > 0
        if private and self._chat_rate > 0:
            limiter = AsyncLimiter(self._chat_burst, self._chat_burst / self._chat_rate)
        elif not private and self._group_per_minute > 0:
            limiter = AsyncLimiter(self._group_per_minute, 60)
        else:
            return None
        if len(self._chats) >= MAX_LIMITERS:  # forget chats whose budget is full again
            for key, old in list(self._chats.items()):
                if old.has_capacity(old.max_rate):
                    del self._chats[key]
        self._chats[chat] = limiter
        return limiter

    async def _wait_for_budget(self, chat: int | str | None) -> None:
        if chat is None:  # answers to button presses, webhook management...
            return
        limiter = self._limiter(chat)
        if limiter is not None:
            await limiter.acquire()
        if self._overall is not None:
            await self._overall.acquire()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Run one Bot API call within the limits, retrying after ``RetryAfter``."""
        chat = _chat(data.get("chat_id"))
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        attempt = 0
        while True:
            await self._wait_for_budget(chat)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                wait = retry_seconds(exc)
                if attempt >= retries or wait > self._max_wait:
                    log.warning(
                        "Telegram flood control on %s: giving up (asked to wait %.0f s)",
                        endpoint,
                        wait,
                    )
                    raise
            attempt += 1
            log.info("Telegram flood control on %s: retrying in %.1f s", endpoint, wait)
            await self._sleep(wait)
