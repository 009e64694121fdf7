"""The REST channel speaks Rasa's shape and meets bad input with a clear answer, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.app.bot import Bot
from bot.app.build import make_app
from bot.app.settings import Settings
from bot.channels.rest import RestChannel
from bot.store.leads import export_leads
from bot.web.server import make_web_app
from tests.channels.intake import TYPED_INTAKE, check_typed_answer, check_typed_lead
from tests.channels.residents import URL, RestResident
from tests.dbscan import count_rows

AGE = "Q1/7. T-AGE?"


@pytest.fixture
async def client(bot: Bot) -> AsyncIterator[httpx.AsyncClient]:
    rest = RestChannel()
    await rest.start(bot)
    app = make_web_app(rest.routes)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
        yield http


async def test_reply_has_rasa_shape_and_buttons_carry_payloads(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json={"sender": "web-1", "message": "bonjour"})
    assert response.status_code == 200
    messages = response.json()
    assert all(m["recipient_id"] == "web-1" for m in messages)
    question = messages[-1]
    assert AGE in question["text"]
    assert all(set(b) == {"title", "payload"} for b in question["buttons"])
    payload = next(b["payload"] for b in question["buttons"] if b["title"] == "Adult")
    assert payload == "/age:adult"
    assert len(payload.encode()) <= 64
    pressed = await client.post(URL, json={"sender": "web-1", "message": payload})
    assert "Q2/7. T-STAGE?" in pressed.json()[-1]["text"]


async def test_a_redelivered_message_id_is_processed_once(client: httpx.AsyncClient) -> None:
    body = {"sender": "web-2", "message": "salut", "message_id": "abc"}
    first = (await client.post(URL, json=body)).json()
    # The client did not get the reply: the question again, not a second turn.
    assert (await client.post(URL, json=body)).json() == first[-1:]
    with_header = {"sender": "web-2", "message": "/age:adult"}
    headers = {"Idempotency-Key": "k-1"}
    answered = (await client.post(URL, json=with_header, headers=headers)).json()
    assert "Q2/7. T-STAGE?" in answered[-1]["text"]
    again = (await client.post(URL, json=with_header, headers=headers)).json()
    assert again == answered[-1:]  # not "this button is outdated": it was not run again
    assert (await client.post(URL, json=body)).json() == []  # an older message: nothing


async def test_two_senders_may_use_the_same_message_id(client: httpx.AsyncClient) -> None:
    # Each web-chat client numbers its own messages: ids are unique per sender only.
    for sender in ("web-a", "web-b"):
        body = {"sender": sender, "message": "salut", "message_id": "m-1"}
        answered = (await client.post(URL, json=body)).json()
        assert answered and AGE in answered[-1]["text"]
        # Its own retry is not a second turn: the question again.
        assert (await client.post(URL, json=body)).json() == answered[-1:]
    for sender in ("web-a", "web-b"):
        headers = {"Idempotency-Key": "same-key"}
        body = {"sender": sender, "message": "/age:adult"}
        answered = (await client.post(URL, json=body, headers=headers)).json()
        assert answered and "Q2/7. T-STAGE?" in answered[-1]["text"]
        assert (await client.post(URL, json=body, headers=headers)).json() == answered[-1:]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("", "T-EMPTY."),
        ("x" * 20_000, "T-TOO-LONG."),
        ("🙂🙂🙂", "T-NOT-UNDERSTOOD."),
        ("\x00\x07\x1b\u200b\r\n", "T-EMPTY."),
        ("/age:millionaire", "T-UNKNOWN-BUTTON."),  # forged: no such option
        ("/stage:idea", "T-STALE."),  # a later question's button
        ("/lieu:69120", "T-STALE."),  # a step no flow has (an old keyboard)
    ],
)
async def test_odd_messages_get_a_kind_reply(
    client: httpx.AsyncClient, message: str, expected: str
) -> None:
    await client.post(URL, json={"sender": "odd", "message": "salut"})
    response = await client.post(URL, json={"sender": "odd", "message": message})
    assert response.status_code == 200
    texts = " ".join(m["text"] for m in response.json())
    assert expected in texts
    assert texts.index(expected) < texts.index(AGE)  # and the question is asked again
    assert response.json()[-1]["buttons"][0]["payload"] == "/age:under15"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"\xff\xfe\x00binary", 400),
        (b"[1, 2]", 400),
        (b'{"message": "salut"}', 400),
        (b'{"sender": "", "message": "salut"}', 400),
        (b'{"sender": "a", "message": 42}', 400),
        (b'{"sender": {"x": 1}, "message": "salut"}', 400),
        (b'{"sender": "a", "message": "' + b"y" * 70_000 + b'"}', 413),
    ],
)
async def test_malformed_requests_get_a_4xx_and_write_nothing(
    client: httpx.AsyncClient, bot: Bot, body: bytes, status: int
) -> None:
    response = await client.post(URL, content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    assert "error" in response.json()
    assert await count_rows(bot.engine, "messages") == 0


async def test_unknown_routes_and_methods_answer_json(client: httpx.AsyncClient) -> None:
    assert (await client.get(URL)).status_code == 405
    assert (await client.post("/webhooks/nope/webhook", json={})).status_code == 404


async def test_health_answers_200_only_once_the_bot_is_ready(settings: Settings) -> None:
    app = make_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as http:
        assert (await http.get("/health")).status_code == 503
        async with app.router.lifespan_context(app):
            assert (await http.get("/health")).status_code == 200
            reply = await http.post(URL, json={"sender": "h", "message": "salut"})
            assert reply.status_code == 200
            assert AGE in reply.json()[-1]["text"]


async def test_a_lone_number_at_the_age_question_is_an_age_said_back_first(
    client: httpx.AsyncClient, bot: Bot
) -> None:
    resident = RestResident(client, "web-3")
    await resident.say("salut")
    await resident.say("3")  # on REST no number is a button position: 3 years old
    assert resident.said("T-CONFIRM 3 = Under 15 ?")
    assert [b["payload"] for b in resident.buttons] == ["/_sys:yes", "/_sys:no"]
    await resident.say("/_sys:no")  # not what was meant: the question again
    assert resident.said(AGE)
    await resident.say("34")
    assert resident.said("Q2/7. T-STAGE?")
    young = RestResident(client, "web-4")
    await young.say("salut")
    await young.say("3")
    await young.say("/_sys:yes")  # confirmed: the chat ends, as the option says
    assert young.said("T-MINOR.") and not young.buttons


async def test_a_resident_who_only_types_goes_through_to_the_lead_and_after(
    client: httpx.AsyncClient, bot: Bot
) -> None:
    resident = RestResident(client, "web-sms", settle=bot.drainer.settle)
    for typed, expected in TYPED_INTAKE:
        await resident.say(typed)
        check_typed_answer(typed, resident.text, expected)
    check_typed_lead(await export_leads(bot.engine, bot.cipher), "rest", "web-sms")
