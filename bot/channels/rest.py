"""The Rasa-compatible REST channel: ``POST /webhooks/rest/webhook``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.domain.messages import Inbound, Outbound
from bot.domain.ports import OnInbound

CHANNEL = "rest"
MAX_BODY = 64 * 1024
MAX_SENDER = 128


def _json(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


def _error(message: str, status: int = 400) -> Response:
    return _json({"error": message}, status)


def render_rest(recipient: str, replies: Sequence[Outbound]) -> list[dict[str, Any]]:
    """Rasa's REST reply shape: one object per message, buttons as title/payload."""
    rendered: list[dict[str, Any]] = []
    for reply in replies:
        item: dict[str, Any] = {"recipient_id": recipient, "text": reply.text}
        if reply.buttons:
            item["buttons"] = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
        rendered.append(item)
    return rendered


def parse_rest(data: Any, idempotency_key: str | None) -> Inbound | str:
    """An :class:`Inbound` from a request body, or the reason it is refused."""
    if not isinstance(data, dict):
        return "the body must be a JSON object"
    sender = data.get("sender")
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER:
        return f"'sender' must be a non-empty string of at most {MAX_SENDER} characters"
    message = data.get("message", "")
    if message is None:
        message = ""
    if not isinstance(message, str):
        return "'message' must be a string"
    message_id = data.get("message_id", idempotency_key)
    if message_id is not None and not isinstance(message_id, (str, int)):
        return "'message_id' must be a string"
    return Inbound(
        channel=CHANNEL,
        user_ref=sender,
        text=message,
        message_id=None if message_id is None else str(message_id)[:200],
    )


def make_rest_routes(on_inbound: OnInbound) -> list[Route]:
    """Routes of the REST channel, calling ``on_inbound`` for each message."""

    async def webhook(request: Request) -> Response:
        declared = request.headers.get("content-length", "0")
        if declared.isdigit() and int(declared) > MAX_BODY:
            return _error("body too large", 413)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return _error("body too large", 413)
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            return _error("the body must be valid JSON (UTF-8)")
        inbound = parse_rest(data, request.headers.get("idempotency-key"))
        if isinstance(inbound, str):
            return _error(inbound)
        replies = await on_inbound(inbound)
        return _json(render_rest(inbound.user_ref, replies))

    return [Route("/webhooks/rest/webhook", webhook, methods=["POST"])]
