"""The Rasa-compatible REST channel: ``POST /webhooks/rest/webhook``."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.channels.webhooks import RefusedError, json_response, parse_json, read_body
from bot.domain.messages import Inbound, Outbound
from bot.domain.ports import BotFace, NotStarted

CHANNEL = "rest"
PATH = "/webhooks/rest/webhook"
MAX_BODY = 64 * 1024
MAX_SENDER = 128


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


class RestChannel:
    """Answers each ``POST`` with the turn's replies; cannot write first.

    With no ``sender``, what relays write to a REST resident waits for their next
    message and comes with its replies.
    """

    name = CHANNEL
    sender = None

    def __init__(self) -> None:
        self.bot: BotFace = NotStarted()
        self.routes = [Route(PATH, self._webhook, methods=["POST"])]

    async def start(self, bot: BotFace) -> None:
        """Serve ``bot``."""
        self.bot = bot

    async def stop(self) -> None:
        """Nothing in hand: every request is answered before it ends."""

    async def exchange(
        self, sender: str, message: str, *, source: str | None = None
    ) -> list[dict[str, Any]]:
        """One message taken as the webhook takes it, answered in the webhook's shape.

        The coordinators' "Essayer le bot" page talks to the bot this way, with its own
        ``source`` (``TRIAL_SOURCE``) so that its conversations are known as tests.
        """
        inbound = parse_rest({"sender": sender, "message": message}, None)
        if isinstance(inbound, str):
            raise ValueError(inbound)
        replies = await self.bot.handle(dataclasses.replace(inbound, source=source))
        return render_rest(inbound.user_ref, replies)

    async def _webhook(self, request: Request) -> Response:
        try:
            data = parse_json(
                await read_body(request, MAX_BODY), "the body must be valid JSON (UTF-8)"
            )
        except RefusedError as refused:
            return refused.response()
        inbound = parse_rest(data, request.headers.get("idempotency-key"))
        if isinstance(inbound, str):
            return RefusedError(400, inbound).response()
        replies = await self.bot.handle(inbound)
        return json_response(render_rest(inbound.user_ref, replies))
