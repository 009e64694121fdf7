"""Wire the Telegram channel to the bot: turns, blocked contacts, relay chats, webhook."""

from __future__ import annotations

import importlib.util
import json
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.app.settings import Settings, TelegramSettings
from bot.domain.messages import Inbound, Outbound
from bot.domain.relays import OnRelayInbound, RelayInbound
from bot.handoff.reference import Relays, load_relays
from bot.store.contacts import mark_unreachable

if TYPE_CHECKING:  # python-telegram-bot is an optional extra: imported when configured
    from starlette.routing import Route

    from bot.app.build import Bot
    from bot.channels.telegram import DeliverReplies, TelegramChannel

log = logging.getLogger(__name__)

CHANNEL = "telegram"  # the same name as bot.channels.telegram_parse.CHANNEL
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


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


async def relay_not_wired(message: RelayInbound) -> Sequence[Outbound]:
    """Until the hand-off handles relay messages, they are only logged."""
    log.info("relay %s wrote on Telegram (hand-off not wired yet)", message.relay_id)
    return []


def stamp_unreachable(get_bot: Callable[[], Bot]) -> Callable[[str], Awaitable[None]]:
    """What the channel calls when a resident blocked the bot: stamp their kept contact."""

    async def on_unreachable(user_ref: str) -> None:
        bot = get_bot()
        subject = bot.dispatcher.pseudonyms.subject(CHANNEL, user_ref)
        kept = await mark_unreachable(bot.dispatcher.store, subject, CHANNEL)
        log.info("a Telegram resident blocked the bot (contact kept: %s)", kept)

    return on_unreachable


@dataclass
class TelegramWiring:
    """The channel, its webhook route, and how ``bot serve`` runs it."""

    channel: TelegramChannel
    routes: list[Route]
    polling: bool
    poll_timeout: int

    async def start(self) -> None:
        """Start the channel (polling when no webhook URL is configured)."""
        await self.channel.start(polling=self.polling, poll_timeout=self.poll_timeout)
        log.info("Telegram channel started (%s)", "polling" if self.polling else "webhook")

    async def stop(self) -> None:
        """Stop the channel, finishing the updates in hand."""
        await self.channel.stop()


def make_telegram(
    settings: Settings,
    get_bot: Callable[[], Bot],
    *,
    on_relay: OnRelayInbound = relay_not_wired,
) -> TelegramWiring:
    """The Telegram channel of a served bot; ``get_bot`` gives the running bot.

    ``on_relay`` handles what relays write from their chats (the hand-off's inbox).
    """
    _require_extra()
    _hide_token_from_logs()
    from bot.channels.telegram import TelegramChannel
    from bot.channels.telegram_limits import TelegramRateLimiter
    from bot.channels.telegram_setup import make_application
    from bot.channels.telegram_webhook import make_telegram_routes

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

    async def handle(inbound: Inbound, deliver: DeliverReplies) -> None:
        await get_bot().handle(inbound, deliver)

    channel = TelegramChannel(
        application,
        handle=handle,
        on_unreachable=stamp_unreachable(get_bot),
        on_relay=on_relay,
        relay_chats=relay_chats(load_relays(settings.data_dir / "relays.yml")),
    )
    routes = make_telegram_routes(channel.enqueue, secret)
    return TelegramWiring(channel, routes, polling, config.poll_timeout)


async def manage_webhook(settings: Settings, command: str, *, drop_pending: bool = False) -> str:
    """``bot telegram set-webhook|delete-webhook|webhook-info``; returns what to print."""
    _require_extra()
    _hide_token_from_logs()
    from bot.channels.telegram_setup import delete_webhook, make_bot, set_webhook, webhook_info

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
