"""Build the WhatsApp channel from settings: credentials, Graph client, templates."""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx

from bot.app.settings import WhatsAppSettings
from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.channels.whatsapp.followups import Template
from bot.channels.whatsapp.graph import GraphClient, Pacer, RetryPolicy, make_graph_http
from bot.channels.whatsapp.send import WhatsAppSender

log = logging.getLogger(__name__)


class WhatsAppConfigError(Exception):
    """The WhatsApp channel is half configured: it refuses to start (fail closed)."""


def _credentials(settings: WhatsAppSettings) -> tuple[str, str, str, str]:
    """Access token, app secret, verify token and phone number id; all are required."""
    values = {
        "ACCESS_TOKEN": settings.access_token.get_secret_value() if settings.access_token else "",
        "APP_SECRET": settings.app_secret.get_secret_value() if settings.app_secret else "",
        "VERIFY_TOKEN": settings.verify_token.get_secret_value() if settings.verify_token else "",
        "PHONE_NUMBER_ID": settings.phone_number_id or "",
    }
    missing = ", ".join(f"BOT_WHATSAPP__{name}" for name, value in values.items() if not value)
    if missing:
        raise WhatsAppConfigError(f"the WhatsApp channel refuses to start: set {missing}")
    access_token, app_secret, verify_token, phone_number_id = values.values()
    return access_token, app_secret, verify_token, phone_number_id


def _channel(
    settings: WhatsAppSettings, transport: httpx.AsyncBaseTransport | None
) -> WhatsAppChannel:
    access_token, app_secret, verify_token, phone_number_id = _credentials(settings)
    http = make_graph_http(
        settings.graph_url, settings.api_version, access_token, transport=transport
    )
    graph = GraphClient(
        http,
        phone_number_id,
        pacer=Pacer(settings.max_per_second),
        retry=RetryPolicy(settings.max_attempts, settings.retry_delay, settings.max_retry_delay),
    )
    return WhatsAppChannel(
        poster=WhatsAppSender(graph),
        app_secret=app_secret,
        verify_token=verify_token,
        phone_number_id=phone_number_id,
        templates={
            key: Template(t.name, t.language, tuple(t.parameters))
            for key, t in settings.templates.items()
        },
        margin=timedelta(minutes=settings.window_margin_minutes),
    )


def make_whatsapp(
    settings: WhatsAppSettings, *, transport: httpx.AsyncBaseTransport | None = None
) -> WhatsAppChannel | None:
    """The WhatsApp channel when configured; ``None`` when none of it is set.

    Raises :class:`WhatsAppConfigError` when it is only partly configured (above all
    without the app secret that authenticates webhooks).
    """
    if not settings.configured:
        return None
    try:
        return _channel(settings, transport)
    except WhatsAppConfigError as exc:
        log.error("%s", exc)
        raise
