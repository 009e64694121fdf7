"""The webhook route: the secret token is checked, an update is answered once."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.app.bot import Bot
from bot.channels.telegram.webhook import (
    SECRET_HEADER,
    WEBHOOK_PATH,
    SecretTokenError,
    make_telegram_routes,
    verify_secret_token,
)
from bot.web.server import make_web_app
from tests.channels.telegram.conftest import Harness, make_harness
from tests.channels.telegram.fakes import HandleTurn, payload
from tests.dbscan import count_rows

SECRET = "s3cret-token_of-the-webhook"


async def started(
    handle: HandleTurn | None = None, bot: Bot | None = None
) -> AsyncIterator[Harness]:
    made = await make_harness(handle, bot=bot)
    try:
        yield made
    finally:
        await made.channel.stop()


@pytest.fixture
async def recording() -> AsyncIterator[Harness]:
    """The channel, started (its update queue runs), with a recording bot behind it."""
    async for made in started():
        yield made


@pytest.fixture
async def served(bot: Bot) -> AsyncIterator[Harness]:
    """The channel, started, in front of the real bot."""
    async for made in started(bot=bot):
        yield made


def client_for(harness: Harness, secret: str | None = SECRET) -> httpx.AsyncClient:
    app = make_web_app(make_telegram_routes(harness.channel.enqueue, secret))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot")


def test_the_secret_is_compared_in_full() -> None:
    verify_secret_token(SECRET, SECRET)
    for wrong in (None, "", SECRET[:-1], SECRET + "x", SECRET.upper()):
        with pytest.raises(SecretTokenError):
            verify_secret_token(wrong, SECRET)
    with pytest.raises(SecretTokenError):  # no secret configured: fail closed
        verify_secret_token("", "")


@pytest.mark.parametrize(
    ("configured", "headers"),
    [
        (SECRET, {}),
        (SECRET, {SECRET_HEADER: "guess"}),
        (SECRET, {SECRET_HEADER: SECRET[:-1]}),
        (None, {SECRET_HEADER: ""}),
    ],
)
async def test_a_wrong_or_missing_secret_is_refused_and_nothing_processed(
    recording: Harness, configured: str | None, headers: dict[str, str]
) -> None:
    async with client_for(recording, configured) as http:
        response = await http.post(WEBHOOK_PATH, json=payload("text_message"), headers=headers)
    assert response.status_code == 403
    await recording.channel.idle()
    assert recording.turns.inbounds == []
    assert [c.method for c in recording.request.calls] == ["getMe"]


async def test_the_same_update_twice_is_answered_once(served: Harness, bot: Bot) -> None:
    async with client_for(served) as http:
        for _ in range(2):
            response = await http.post(
                WEBHOOK_PATH, json=payload("text_message"), headers={SECRET_HEADER: SECRET}
            )
            assert response.status_code == 200
            await served.channel.idle()
    first_turn = served.request.sent()
    assert first_turn and "T-AGE?" in first_turn[-1]["text"]
    assert sum("T-WELCOME." in m["text"] for m in first_turn) == 1
    # A second worker (its own memory of updates) gets the redelivery: the database
    # drops it.
    other = await make_harness(bot=bot)
    try:
        await other.receive(payload("text_message"))
        assert other.request.sent() == []
    finally:
        await other.channel.stop()
    assert served.request.sent() == first_turn
    assert await count_rows(bot.engine, "conversations") == 1


PRIVATE = {"id": 5, "type": "private"}
SOMEONE = {"id": 5, "is_bot": False, "first_name": "Samira"}


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        b'{"update_id": "12"}',
        b'{"message": {}}',
        b'{"update_id": 5, "message": "x"}',
        b'{"update_id": 5, "message": {"message_id": 1}}',
        # PTB reads these; our parser used to fail on them after the 200
        json.dumps(
            {
                "update_id": 6,
                "message": {
                    "message_id": 1,
                    "date": 1,
                    "chat": PRIVATE,
                    "from": SOMEONE,
                    "text": 5,
                },
            }
        ).encode(),
        b'{"update_id": 7, "callback_query": {"id": "1", "chat_instance": "x", "data": "a"}}',
        b'{"update_id": 8, "my_chat_member": {"chat": {"id": 1, "type": "private"}}}',
        json.dumps(
            {"update_id": 9, "message": {"message_id": 1, "date": 1, "from": SOMEONE}}
        ).encode(),
        # PTB reads this too, then fails on the list as a key after our handler
        json.dumps(
            {
                "update_id": 11,
                "message": {
                    "message_id": 1,
                    "date": 1,
                    "chat": PRIVATE,
                    "from": {**SOMEONE, "id": [5]},
                    "text": "salut",
                },
            }
        ).encode(),
    ],
)
async def test_an_authenticated_body_that_is_no_update_is_ignored_with_a_warning(
    recording: Harness, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with client_for(recording) as http:
        response = await http.post(
            WEBHOOK_PATH,
            content=body,
            headers={SECRET_HEADER: SECRET, "content-type": "application/json"},
        )
    # Telegram would send it again and again (holding back the updates behind it).
    assert response.status_code == 200
    await recording.channel.idle()
    assert recording.turns.inbounds == []
    assert recording.relays.received == []
    assert recording.unreachable.user_refs == []
    warned = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("malformed Telegram update" in r.getMessage() for r in warned)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_an_authenticated_body_too_large_is_refused(recording: Harness) -> None:
    body = b'{"update_id": 1, "message": "' + b"y" * (1024 * 1024) + b'"}'
    async with client_for(recording) as http:
        response = await http.post(
            WEBHOOK_PATH,
            content=body,
            headers={SECRET_HEADER: SECRET, "content-type": "application/json"},
        )
    assert response.status_code == 413
    await recording.channel.idle()
    assert recording.turns.inbounds == []


def _press(update_id: int, data: str) -> dict[str, object]:
    press = payload("callback_query")
    press["update_id"] = update_id
    press["callback_query"]["id"] = f"press-{update_id}"
    press["callback_query"]["data"] = data
    return press


async def test_a_press_on_an_outdated_or_forged_keyboard_is_handled_kindly(
    served: Harness,
) -> None:
    headers = {SECRET_HEADER: SECRET}
    presses = [
        ("s1:stage:idea", "T-STALE."),  # an old keyboard (another format)
        ("/stage:idea", "T-STALE."),  # a later question's button
        ("/etape:idea", "T-STALE."),  # a step no flow has
        ("/age:millionaire", "T-UNKNOWN-BUTTON."),  # forged
        ("#AAAAAAAAAAAAAAAAAAAA", "T-STALE."),  # an id no worker issued
    ]
    async with client_for(served) as http:
        await http.post(WEBHOOK_PATH, json=payload("text_message"), headers=headers)
        await served.channel.idle()
        for number, (data, expected) in enumerate(presses):
            before = len(served.request.sent())
            response = await http.post(
                WEBHOOK_PATH, json=_press(900 + number, data), headers=headers
            )
            assert response.status_code == 200
            await served.channel.idle()
            answer = served.request.sent()[before:]
            texts = " ".join(m["text"] for m in answer)
            assert expected in texts, data
            assert texts.index(expected) < texts.index("T-AGE?"), data  # asked again
            keyboard = answer[-1]["reply_markup"]["inline_keyboard"]
            assert keyboard[0][0]["callback_data"] == "/age:under15"
            assert "T-CONFIRM" not in texts  # a press is never read as typed words
    assert len(served.request.sent("answerCallbackQuery")) == len(presses)


async def test_a_polled_update_our_parser_cannot_read_is_ignored_with_a_warning(
    recording: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    press = {"update_id": 10, "callback_query": {"id": "1", "chat_instance": "x", "data": "a"}}
    await recording.receive(press)  # polling: nothing checked it on the way in
    assert recording.turns.inbounds == []
    assert any("malformed Telegram update" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
