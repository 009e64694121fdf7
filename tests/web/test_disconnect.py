"""A client that hangs up mid-body gets no traceback, on every route that reads a body."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from starlette.applications import Starlette

from bot.channels.rest import PATH as REST
from bot.channels.telegram.webhook import SECRET_HEADER
from bot.channels.telegram.webhook import WEBHOOK_PATH as TELEGRAM
from bot.channels.whatsapp.webhook import PATH as WHATSAPP
from bot.channels.whatsapp.webhook import SIGNATURE_HEADER
from tests.channels.telegram.test_e2e import SECRET
from tests.dbscan import count_rows
from tests.web.conftest import scope


async def hang_up(app: Starlette, path: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    """POST half a body to ``path``, then disconnect; what the app sent back."""
    chunks = [{"type": "http.request", "body": b'{"sender": "x", "mess', "more_body": True}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = {"content-type": "application/json", "content-length": "4000", **headers}
    await app(scope("POST", path, headers), receive, send)
    return sent


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        (REST, {}),
        (TELEGRAM, {SECRET_HEADER: SECRET}),
        (WHATSAPP, {SIGNATURE_HEADER: "sha256=" + "0" * 64}),
        ("/relais/cas/any-link", {"content-type": "application/x-www-form-urlencoded"}),
    ],
)
async def test_a_client_gone_mid_body_is_no_error(
    full_app: Starlette, path: str, headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sent = await hang_up(full_app, path, headers)
    assert sent[0]["status"] == 400
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert await count_rows(full_app.state.bot().engine, "messages") == 0
