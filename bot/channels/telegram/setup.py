"""Build python-telegram-bot's Application, and manage the bot's webhook at Telegram."""

from __future__ import annotations

from typing import Any

from telegram import Bot
from telegram.ext import Application, ApplicationBuilder, BaseRateLimiter
from telegram.request import BaseRequest

App = Application[Any, Any, Any, Any, Any, Any]

# Updates the channel acts on; the same list for polling and for the webhook.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")
CONCURRENT_UPDATES = 256  # per-conversation order is kept by the dispatcher's locks
DEFAULT_BASE_URL = "https://api.telegram.org"


def make_application(
    token: str,
    *,
    base_url: str = DEFAULT_BASE_URL,
    polling: bool = False,
    rate_limiter: BaseRateLimiter[Any] | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
) -> App:
    """An Application for ``token``, talking to the Bot API server at ``base_url``.

    Without ``polling`` it has no updater: updates come from our webhook route. No
    persistence and no job queue: state and follow-ups live in our own database.
    ``request`` objects replace the HTTP layer (tests use a recording one).
    """
    root = base_url.rstrip("/")
    builder: Any = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .concurrent_updates(CONCURRENT_UPDATES)
        .job_queue(None)
    )
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    if not polling:
        builder = builder.updater(None)
    application: App = builder.build()
    return application


def make_bot(
    token: str, *, base_url: str = DEFAULT_BASE_URL, request: BaseRequest | None = None
) -> Bot:
    """A bare Bot for one-off calls (webhook management)."""
    root = base_url.rstrip("/")
    return Bot(token, base_url=f"{root}/bot", base_file_url=f"{root}/file/bot", request=request)


async def set_webhook(bot: Bot, url: str, secret: str, *, drop_pending: bool = False) -> bool:
    """Point Telegram at ``url``; it will send ``secret`` in every call's header."""
    async with bot:
        return await bot.set_webhook(
            url,
            secret_token=secret,
            allowed_updates=list(ALLOWED_UPDATES),
            drop_pending_updates=drop_pending,
        )


async def delete_webhook(bot: Bot, *, drop_pending: bool = False) -> bool:
    """Stop webhook delivery (polling works again)."""
    async with bot:
        return await bot.delete_webhook(drop_pending_updates=drop_pending)


async def webhook_info(bot: Bot) -> dict[str, Any]:
    """What Telegram knows of the webhook: URL, pending updates, last error."""
    async with bot:
        info = await bot.get_webhook_info()
    return {
        "url": info.url,
        "pending_update_count": info.pending_update_count,
        "last_error_message": info.last_error_message,
        "last_error_date": info.last_error_date.isoformat() if info.last_error_date else None,
        "allowed_updates": list(info.allowed_updates or ()),
    }
