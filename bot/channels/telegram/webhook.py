"""The Telegram webhook route: check the secret token, queue the update, answer at once."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.channels.webhooks import RefusedError, json_response, parse_json, read_body

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024

Enqueue = Callable[[dict[str, Any]], Awaitable[None]]


class SecretTokenError(Exception):
    """The request does not carry the webhook's secret token."""


def verify_secret_token(received: str | None, expected: str | None) -> None:
    """Raise unless ``received`` is the configured secret (constant-time comparison).

    With no secret configured every request is refused: the route fails closed.
    """
    if not expected or received is None:
        raise SecretTokenError
    if not hmac.compare_digest(received.encode("utf-8"), expected.encode("utf-8")):
        raise SecretTokenError


def make_telegram_routes(enqueue: Enqueue, secret: str | None) -> list[Route]:
    """The webhook route; each authenticated update goes to ``enqueue``.

    Telegram re-sends an update until it gets a 2xx, so the update is queued and
    answered at once; a failing turn never turns into a 5xx (the dispatcher answers
    the person kindly instead). An authenticated body that is not an update we can
    read is answered 200 too, with a warning: sending it again would not mend it, and
    Telegram holds back the updates behind one it keeps retrying. ``enqueue`` raises
    :class:`MalformedUpdateError` for an update it cannot read.
    """

    async def webhook(request: Request) -> Response:
        try:
            verify_secret_token(request.headers.get(SECRET_HEADER), secret)
        except SecretTokenError:
            log.warning("refused a Telegram webhook call without the right secret token")
            return RefusedError(403, "forbidden").response()
        try:
            body = await read_body(request, MAX_BODY)
        except RefusedError as refused:
            return refused.response()
        try:
            data = parse_json(body)
        except RefusedError:
            return _ignored("its body is not JSON")
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return _ignored("it has no update_id")
        try:
            await enqueue(data)
        except MalformedUpdateError as exc:
            return _ignored(str(exc))
        return json_response({"ok": True})

    return [Route(WEBHOOK_PATH, webhook, methods=["POST"])]


class MalformedUpdateError(Exception):
    """An authenticated update PTB or our parser cannot read (the reason, never its content)."""


def _ignored(reason: str) -> Response:
    log.warning("ignored a malformed Telegram update: %s", reason)
    return json_response({"ok": True})
