"""Logs never hold secrets or what people write, even at DEBUG with every library talking."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.app.build import make_app
from bot.app.logs import QUIET, RedactingFilter, configure_logging
from bot.app.settings import Settings
from bot.channels.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH
from bot.channels.whatsapp.webhook import PATH as WHATSAPP
from bot.channels.whatsapp.webhook import SIGNATURE_HEADER
from bot.domain.understanding import NLU
from tests.channels.intake import go_through_intake
from tests.channels.residents import RestResident
from tests.channels.telegram.botapi import FakeBotApi
from tests.channels.telegram.fakes import TOKEN, payload
from tests.channels.telegram.test_e2e import SECRET
from tests.channels.whatsapp.fakes import ACCESS_TOKEN, APP_SECRET, FakeGraph, sign
from tests.channels.whatsapp.fakes import payload as whatsapp_payload
from tests.web.conftest import everything_on

FIRST_NAME = "Zoubeida"
TEXT = "je veux ouvrir une boulangerie rue des Lilas"
PHONE = "+33612345678"
WHATSAPP_PHONE = "33698765432"
WHATSAPP_NAME = "Karim"
WHATSAPP_TEXT = "bjr j'ai une micro entreprise de nettoyage"
REST_SENDER = "+33755443322"
REST_TEXT = "mon idée : un food truck de galettes"
REST_NAME = "Nadia-Rose"
LIBRARIES = ("httpx", "httpcore", "telegram", "aiosqlite", "sqlalchemy", "asyncio")


def telegram_update(name: str, update_id: int) -> dict[str, Any]:
    """A sample update from a resident called :data:`FIRST_NAME`, saying :data:`TEXT`."""
    update = payload(name)
    update["update_id"] = update_id
    message = update["message"]
    for person in (message["from"], message["chat"], message.get("contact", {})):
        if "first_name" in person:
            person["first_name"] = FIRST_NAME
    if "text" in message:
        message["text"] = TEXT
    return update


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Put the logging set-up back as it was (levels, handlers, filters)."""
    root = logging.getLogger()
    names = ("", *QUIET, *LIBRARIES)
    levels = {name: logging.getLogger(name).level for name in names}
    handlers = {h: list(h.filters) for h in root.handlers}
    try:
        yield
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        for handler, filters in handlers.items():
            handler.filters = filters
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize("libraries_forced", [False, True])
async def test_a_turn_on_each_channel_logged_at_debug_keeps_no_secret_nor_personal_data(
    settings: Settings, nlu: NLU | None, libraries_forced: bool
) -> None:
    async with FakeBotApi() as bot_api:
        settings = everything_on(settings, bot_api.url).model_copy(update={"log_level": "DEBUG"})
        out = io.StringIO()
        configure_logging(settings, stream=out)
        graph = FakeGraph()
        app = make_app(settings, nlu=nlu, whatsapp_transport=graph.transport)
        if libraries_forced:  # as if someone turned every library up: the filter alone holds
            for name in LIBRARIES:
                logging.getLogger(name).setLevel(logging.DEBUG)
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://bot") as http,
        ):
            for number, name in enumerate(("text_message", "contact_message")):
                update = telegram_update(name, 990000001 + number)
                response = await http.post(
                    WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET}
                )
                assert response.status_code == 200
                await app.state.telegram.idle()
            body = json.dumps(whatsapp_payload("text_message")).encode()
            headers = {SIGNATURE_HEADER: sign(body), "content-type": "application/json"}
            assert (await http.post(WHATSAPP, content=body, headers=headers)).status_code == 200
            await app.state.whatsapp.drain()
            resident = RestResident(http, REST_SENDER, app.state.bot().drainer.settle)
            await resident.say("salut")
            await go_through_intake(resident, first_name=REST_NAME, pitch=REST_TEXT)  # kept
        assert len(bot_api.called("sendMessage")) >= 2 and graph.sent  # the turns were answered
    logged = out.getvalue()
    assert "Telegram channel started" in logged  # DEBUG and INFO records did get through
    for secret in (TOKEN, TOKEN.split(":")[1], SECRET, ACCESS_TOKEN, APP_SECRET):
        assert secret not in logged
    for personal in (FIRST_NAME, TEXT, PHONE, PHONE[1:], WHATSAPP_PHONE, WHATSAPP_NAME):
        assert personal not in logged
    for personal in (WHATSAPP_TEXT, REST_SENDER, REST_TEXT, REST_NAME, "boulangerie", "galettes"):
        assert personal not in logged


def redacted(message: str, *args: object, secrets: tuple[str, ...] = ()) -> str:
    record = logging.LogRecord("any", logging.ERROR, __file__, 1, message, args, None)
    assert RedactingFilter(secrets).filter(record)
    return record.getMessage()


@pytest.mark.parametrize(
    ("message", "hidden"),
    [
        ("GET https://api.telegram.org/bot123456789:AAE-xY_z0123/getMe", "AAE-xY_z0123"),
        ("Authorization: Bearer EAAGm0PX4ZCpsBA", "EAAGm0PX4ZCpsBA"),
        ("postgresql+asyncpg://tremplin:hunter22@db/tremplin", "hunter22"),
        ("Update(message=Message(text='je vends des crêpes', chat=Chat(id=5)))", "crêpes"),
        ("chat=Chat(first_name='Inès', id=5)", "Inès"),
        ("""{"from": "33698765432", "text": {"body": "salut"}}""", "33698765432"),
        ("""{'text': "j'ai une idée", 'chat_id': 5}""", "idée"),
        ("appelle-moi au 06 12 34 56 78 stp", "12 34 56"),
        ("numéro +33 6 12 34 56 78", "12 34 56"),
    ],
)
def test_the_filter_hides_tokens_passwords_bodies_names_and_phones(
    message: str, hidden: str
) -> None:
    assert hidden not in redacted(message)


def test_the_filter_keeps_what_helps_and_hides_configured_secrets_anywhere() -> None:
    kept = redacted("update %d of chat %s: HTTP %d in %.1f s", 880000001, "5123400017", 200, 1.5)
    assert kept == "update 880000001 of chat 5123400017: HTTP 200 in 1.5 s"
    assert redacted("key=%s", "s3cret-value-xyz", secrets=("s3cret-value-xyz",)) == "key=[redacted]"


def test_a_traceback_is_redacted_too() -> None:
    try:
        raise ValueError("cannot reach https://api.telegram.org/bot123456789:AAE-secret/x")
    except ValueError:
        record = logging.LogRecord("any", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    RedactingFilter().filter(record)
    assert record.exc_text and "ValueError" in record.exc_text
    assert "AAE-secret" not in logging.Formatter().format(record)


def test_records_of_chatty_libraries_below_warning_are_dropped() -> None:
    chatty = RedactingFilter()
    for name, level, kept in [
        ("telegram.ext.ExtBot", logging.DEBUG, False),
        ("httpx", logging.INFO, False),
        ("sqlalchemy.engine.Engine", logging.INFO, False),
        ("telegram.ext.Updater", logging.WARNING, True),
        ("bot.engine.dispatcher", logging.DEBUG, True),
        ("telegramme", logging.DEBUG, True),
    ]:
        record = logging.LogRecord(name, level, __file__, 1, "x", (), None)
        assert chatty.filter(record) is kept, name
