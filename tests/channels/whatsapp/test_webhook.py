"""The webhook's security edges: handshake, signatures, redeliveries, fail closed."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from pydantic import SecretStr

from bot.app.bot import Bot
from bot.app.build import make_app
from bot.app.settings import Settings
from bot.app.whatsapp import WhatsAppConfigError
from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.channels.whatsapp.webhook import PATH
from bot.cli import main
from bot.domain.understanding import NLU
from tests.channels.whatsapp.conftest import whatsapp_settings
from tests.channels.whatsapp.fakes import (
    APP_SECRET,
    VERIFY_TOKEN,
    FakeGraph,
    Phone,
    payload,
    sign,
)
from tests.dbscan import count_rows


async def test_the_handshake_echoes_the_challenge_only_with_our_token(
    client: httpx.AsyncClient,
) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158"}
    ok = await client.get(PATH, params=params)
    assert (ok.status_code, ok.text) == (200, "1158")
    wrong = await client.get(PATH, params={**params, "hub.verify_token": "guess"})
    assert wrong.status_code == 403
    assert "1158" not in wrong.text
    assert (await client.get(PATH, params={**params, "hub.mode": "unsubscribe"})).status_code == 403
    assert (await client.get(PATH)).status_code == 403


async def test_unsigned_or_mis_signed_posts_get_401_and_nothing_is_stored(
    client: httpx.AsyncClient, whatsapp: WhatsAppChannel, wa_bot: Bot, graph: FakeGraph
) -> None:
    body = json.dumps(payload("text_message")).encode()
    forged = [
        "",
        "sha256=",
        "sha1=" + "0" * 40,
        sign(b"another body"),
        sign(body, "not-the-app-secret"),
        sign(body).upper(),
    ]
    for signature in [None, *forged]:
        headers = {"content-type": "application/json"}
        if signature is not None:
            headers["x-hub-signature-256"] = signature
        response = await client.post(PATH, content=body, headers=headers)
        assert response.status_code == 401, signature
    await whatsapp.drain()
    assert graph.sent == []
    for table in ("messages", "conversations", "delivery_events"):
        assert await count_rows(wa_bot.engine, table) == 0


async def test_the_signature_covers_the_raw_bytes(
    client: httpx.AsyncClient, whatsapp: WhatsAppChannel, graph: FakeGraph
) -> None:
    raw = json.dumps(payload("text_message"), indent=3).encode()  # not our serialisation
    reserialised = json.dumps(json.loads(raw)).encode()
    refused = await client.post(
        PATH, content=reserialised, headers={"x-hub-signature-256": sign(raw)}
    )
    assert refused.status_code == 401
    accepted = await client.post(PATH, content=raw, headers={"x-hub-signature-256": sign(raw)})
    await whatsapp.drain()
    assert accepted.status_code == 200
    assert graph.to("33698765432")


async def test_the_same_webhook_delivered_three_times_is_answered_once(
    client: httpx.AsyncClient, whatsapp: WhatsAppChannel, wa_bot: Bot, graph: FakeGraph
) -> None:
    body = json.dumps(payload("text_message")).encode()
    headers = {"x-hub-signature-256": sign(body)}
    first = await client.post(PATH, content=body, headers=headers)
    # Two more deliveries, one of them while the first is still being processed.
    more = await asyncio.gather(*(client.post(PATH, content=body, headers=headers) for _ in "ab"))
    await whatsapp.drain()
    assert [r.status_code for r in (first, *more)] == [200, 200, 200]
    answered = graph.to("33698765432")
    assert answered and sum("T-AGE?" in str(m) for m in answered) == 1
    assert await count_rows(wa_bot.engine, "conversations") == 1


async def test_a_redelivery_after_the_bot_restarted_is_still_dropped(
    wa_settings: Settings, graph: FakeGraph, nlu: NLU | None
) -> None:
    body = json.dumps(payload("text_message")).encode()
    headers = {"x-hub-signature-256": sign(body)}
    for _ in range(2):  # two processes in turn, sharing the database
        app = make_app(wa_settings, nlu=nlu, whatsapp_transport=graph.transport)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
                assert (await http.post(PATH, content=body, headers=headers)).status_code == 200
                await app.state.whatsapp.drain()
    assert sum("T-AGE?" in str(m) for m in graph.sent) == 1


async def test_answer_200_before_the_turn_is_processed(
    client: httpx.AsyncClient, whatsapp: WhatsAppChannel, graph: FakeGraph
) -> None:
    body = json.dumps(payload("text_message")).encode()
    response = await client.post(PATH, content=body, headers={"x-hub-signature-256": sign(body)})
    assert response.status_code == 200
    assert graph.sent == []  # the turn runs in the background
    await whatsapp.drain()
    assert graph.sent


async def test_other_numbers_and_signed_junk_are_not_processed(
    client: httpx.AsyncClient, phone: Phone, whatsapp: WhatsAppChannel, graph: FakeGraph
) -> None:
    other = phone.body({"type": "text", "text": {"body": "salut"}})
    other["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    for data in (other, {"object": "page"}, [1, 2]):
        body = json.dumps(data).encode()
        response = await client.post(
            PATH, content=body, headers={"x-hub-signature-256": sign(body)}
        )
        assert response.status_code == 200
    junk = b"{not json"
    response = await client.post(PATH, content=junk, headers={"x-hub-signature-256": sign(junk)})
    assert response.status_code == 400
    await whatsapp.drain()
    assert graph.sent == []


def test_without_an_app_secret_the_channel_refuses_to_start(settings: Settings) -> None:
    for secret in (None, SecretStr("")):
        half = settings.model_copy(update={"whatsapp": whatsapp_settings(app_secret=secret)})
        with pytest.raises(WhatsAppConfigError, match="BOT_WHATSAPP__APP_SECRET"):
            make_app(half)


async def test_without_whatsapp_settings_there_is_no_whatsapp_route(settings: Settings) -> None:
    app = make_app(settings)  # not started: the route table is what matters
    assert app.state.whatsapp is None
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
        body = json.dumps(payload("text_message")).encode()
        response = await http.post(PATH, content=body, headers={"x-hub-signature-256": sign(body)})
    assert response.status_code == 404


def test_secrets_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_WHATSAPP__APP_SECRET", APP_SECRET)
    monkeypatch.setenv("BOT_WHATSAPP__PHONE_NUMBER_ID", "42")
    monkeypatch.setenv(
        "BOT_WHATSAPP__TEMPLATES",
        '{"followup": {"name": "relance", "language": "fr", "parameters": ["first_name"]}}',
    )
    whatsapp = Settings().whatsapp
    assert whatsapp.app_secret == SecretStr(APP_SECRET)
    assert APP_SECRET not in repr(whatsapp)
    assert whatsapp.templates["followup"].parameters == ["first_name"]
    assert whatsapp.configured


def test_bot_serve_refuses_to_start_without_the_app_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_WHATSAPP__PHONE_NUMBER_ID", "42")
    monkeypatch.setenv("BOT_WHATSAPP__ACCESS_TOKEN", "token")
    monkeypatch.delenv("BOT_WHATSAPP__APP_SECRET", raising=False)
    assert main(["serve"]) == 2
    assert "BOT_WHATSAPP__APP_SECRET" in capsys.readouterr().err
