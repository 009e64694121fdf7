"""Build the Telegram channel from settings, and manage its webhook at Telegram."""

from __future__ import annotations

import importlib.util
import json
import logging
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from bot.app.settings import Settings, TelegramSettings
from bot.handoff.datafiles import RELAYS
from bot.handoff.reference import Relays, load_relays

if TYPE_CHECKING:  # python-telegram-bot is an optional extra: imported when configured
    from bot.channels.telegram.channel import TelegramChannel

_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _relays(settings: Settings) -> Relays:
    local = settings.handoff.webhook_allow_local
    return load_relays(settings.data_dir / RELAYS, allow_local_webhooks=local)


class TelegramConfigError(ValueError):
    """The Telegram settings cannot work (missing or malformed secret, no token)."""


def _hide_token_from_logs() -> None:
    # httpx logs every request's URL at INFO, and Bot API URLs carry the token.
    httpx_log = logging.getLogger("httpx")
    httpx_log.setLevel(max(logging.WARNING, httpx_log.level))


def _require_extra() -> None:
    if (
        importlib.util.find_spec("telegram") is None
        or importlib.util.find_spec("aiolimiter") is None
    ):
        raise TelegramConfigError("install the Telegram extra: pip install -e '.[telegram]'")


def _token(settings: TelegramSettings) -> str:
    if settings.token is None or not settings.token.get_secret_value():
        raise TelegramConfigError("set BOT_TELEGRAM__TOKEN (from @BotFather)")
    return settings.token.get_secret_value()


def webhook_secret(settings: TelegramSettings) -> str | None:
    """The webhook's secret token; required as soon as a webhook URL is set."""
    if settings.webhook_secret is None:
        if settings.webhook_url:
            raise TelegramConfigError(
                "BOT_TELEGRAM__WEBHOOK_SECRET is required with BOT_TELEGRAM__WEBHOOK_URL"
            )
        return None
    secret = settings.webhook_secret.get_secret_value()
    if not _SECRET.match(secret):
        raise TelegramConfigError(
            "BOT_TELEGRAM__WEBHOOK_SECRET: 1 to 256 characters among A-Z a-z 0-9 _ -"
        )
    return secret


def relay_chats(relays: Relays) -> dict[str, str]:
    """Relay chat id to relay id, for the relays reachable on Telegram."""
    return {
        str(relay.contact.telegram_chat_id): relay.id
        for relay in relays.relays
        if relay.contact.telegram_chat_id is not None
    }


class RelayChats(Mapping[str, str]):
    """Relays' chat ids to relay ids, following the relays file when it is reloaded."""

    def __init__(self, relays: Relays) -> None:
        self._chats = relay_chats(relays)

    def use(self, relays: Relays) -> None:
        """Another version of the relays file (one assignment: readers see one or the other)."""
        self._chats = relay_chats(relays)

    def __getitem__(self, chat_id: str) -> str:
        return self._chats[chat_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._chats)

    def __len__(self) -> int:
        return len(self._chats)


def make_telegram(settings: Settings, chats: Mapping[str, str] | None = None) -> TelegramChannel:
    """The Telegram channel of a served bot: polling, or our webhook route when a URL is set.

    The chats of the relays listed in ``data/relays.yml`` (``chats``, which may follow
    reloads; read from the file when not given) are relays' chats. Polling lets one
    process only read the updates: several workers need the webhook.
    """
    if settings.workers > 1 and not settings.telegram.webhook_url:
        raise TelegramConfigError(
            f"BOT_WORKERS={settings.workers}: Telegram polling lets only one process read "
            "the updates. Set BOT_TELEGRAM__WEBHOOK_URL and BOT_TELEGRAM__WEBHOOK_SECRET, "
            "then run `bot telegram set-webhook`"
        )
    _require_extra()
    _hide_token_from_logs()
    from bot.channels.telegram.channel import TelegramChannel
    from bot.channels.telegram.limits import TelegramRateLimiter
    from bot.channels.telegram.setup import make_application

    config = settings.telegram
    secret = webhook_secret(config)
    polling = not config.webhook_url
    limiter = TelegramRateLimiter(
        chat_per_second=config.chat_per_second,
        chat_burst=config.chat_burst,
        max_retries=config.max_retries,
        max_wait=config.max_retry_wait,
    )
    application = make_application(
        _token(config), base_url=config.base_url, polling=polling, rate_limiter=limiter
    )
    return TelegramChannel(
        application,
        relay_chats=chats if chats is not None else RelayChats(_relays(settings)),
        polling=polling,
        poll_timeout=config.poll_timeout,
        webhook_secret=secret,
    )


async def manage_webhook(settings: Settings, command: str, *, drop_pending: bool = False) -> str:
    """``bot telegram set-webhook|delete-webhook|webhook-info``; returns what to print."""
    _require_extra()
    _hide_token_from_logs()
    from bot.channels.telegram.setup import delete_webhook, make_bot, set_webhook, webhook_info

    config = settings.telegram
    bot = make_bot(_token(config), base_url=config.base_url)
    if command == "set-webhook":
        secret = webhook_secret(config)
        if not config.webhook_url or secret is None:
            raise TelegramConfigError(
                "set BOT_TELEGRAM__WEBHOOK_URL (https://<host>/webhooks/telegram/webhook) "
                "and BOT_TELEGRAM__WEBHOOK_SECRET"
            )
        await set_webhook(bot, config.webhook_url, secret, drop_pending=drop_pending)
        return f"Webhook enregistré : {config.webhook_url}"
    if command == "delete-webhook":
        await delete_webhook(bot, drop_pending=drop_pending)
        return "Webhook supprimé : `bot serve` peut interroger Telegram (polling)."
    return json.dumps(await webhook_info(bot), ensure_ascii=False, indent=2)
