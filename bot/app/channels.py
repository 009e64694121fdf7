"""The channels a served bot runs: REST always, WhatsApp and Telegram when configured."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from starlette.routing import BaseRoute

from bot.app.settings import Settings
from bot.app.whatsapp import make_whatsapp
from bot.channels.rest import RestChannel
from bot.domain.ports import Channel


def make_channels(
    settings: Settings,
    *,
    whatsapp_transport: httpx.AsyncBaseTransport | None = None,
    relay_chats: Mapping[str, str] | None = None,
) -> list[Channel[BaseRoute]]:
    """Every enabled channel, in start-up order; ``whatsapp_transport`` fakes the Graph API;
    ``relay_chats`` are the relays' Telegram chats (following reloads of the relays file)."""
    channels: list[Channel[BaseRoute]] = [RestChannel()]
    whatsapp = make_whatsapp(settings.whatsapp, transport=whatsapp_transport)
    if whatsapp is not None:
        channels.append(whatsapp)
    if settings.telegram.token is not None:
        from bot.app.telegram import make_telegram  # loads python-telegram-bot (an extra)

        channels.append(make_telegram(settings, relay_chats))
    return channels
