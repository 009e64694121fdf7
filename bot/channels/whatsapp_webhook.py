"""The WhatsApp webhook: verification handshake, signed deliveries, background processing."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Sequence

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.channels.whatsapp_graph import GraphError
from bot.channels.whatsapp_parse import Event, InboundMessage, StatusReport, parse_webhook
from bot.channels.whatsapp_send import WhatsAppSender
from bot.domain.messages import Inbound, Outbound

log = logging.getLogger(__name__)

PATH = "/webhooks/whatsapp/webhook"
MAX_BODY = 4 * 1024 * 1024
SIGNATURE_HEADER = "x-hub-signature-256"

Deliver = Callable[[Sequence[Outbound]], Awaitable[Sequence[str | None] | None]]
HandleInbound = Callable[[Inbound, Deliver], Awaitable[Sequence[Outbound]]]
"""One turn (``Bot.handle``): calls ``deliver`` with the replies, under the lock."""
OnStatus = Callable[[StatusReport], Awaitable[None]]
OnSendError = Callable[[Inbound, GraphError], Awaitable[None]]


class SignatureError(Exception):
    """The body is not signed with our app secret."""


def verify_signature(body: bytes, header: str | None, app_secret: bytes) -> None:
    """Check ``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body); raises if wrong."""
    if not header or not header.startswith("sha256="):
        raise SignatureError("missing signature")
    expected = hmac.new(app_secret, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), header.removeprefix("sha256=").encode()):
        raise SignatureError("bad signature")


def verify_handshake(params: dict[str, str], verify_token: str) -> str:
    """The challenge to echo when Meta's subscription request carries our token."""
    token = params.get("hub.verify_token", "")
    if params.get("hub.mode") != "subscribe" or not hmac.compare_digest(
        token.encode(), verify_token.encode()
    ):
        raise SignatureError("wrong verify token")
    return params.get("hub.challenge", "")


class WhatsAppChannel:
    """Receives signed webhooks, answers 200 at once and processes them in the background.

    The messages of one webhook are processed in order, one after the other; turns of
    one person also keep their order across webhooks (the dispatcher's FIFO lock).
    """

    def __init__(
        self,
        *,
        sender: WhatsAppSender,
        handle: HandleInbound,
        on_status: OnStatus,
        app_secret: str,
        verify_token: str,
        phone_number_id: str,
        on_send_error: OnSendError | None = None,
    ) -> None:
        if not app_secret:
            raise ValueError("the WhatsApp channel needs its app secret (fail closed)")
        self.sender = sender
        self.handle = handle
        self.on_status = on_status
        self.on_send_error = on_send_error
        self.phone_number_id = phone_number_id
        self._secret = app_secret.encode("utf-8")
        self._verify_token = verify_token
        self._tasks: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------------ HTTP
    async def _handshake(self, request: Request) -> Response:
        try:
            challenge = verify_handshake(dict(request.query_params), self._verify_token)
        except SignatureError:
            log.warning("WhatsApp webhook verification refused: wrong token")
            return JSONResponse({"error": "forbidden"}, status_code=403)
        return PlainTextResponse(challenge)

    async def _receive(self, request: Request) -> Response:
        declared = request.headers.get("content-length", "0")
        if declared.isdigit() and int(declared) > MAX_BODY:
            return JSONResponse({"error": "body too large"}, status_code=413)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return JSONResponse({"error": "body too large"}, status_code=413)
        try:
            verify_signature(body, request.headers.get(SIGNATURE_HEADER), self._secret)
        except SignatureError as exc:
            log.warning("WhatsApp webhook refused: %s", exc)
            return JSONResponse({"error": "invalid signature"}, status_code=401)
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            return JSONResponse({"error": "the body must be JSON"}, status_code=400)
        events = parse_webhook(data, self.phone_number_id)
        if events:
            self._spawn(events)
        return JSONResponse({"status": "received"})

    def routes(self) -> list[Route]:
        """``GET`` (handshake) and ``POST`` (signed events) on the webhook path."""
        return [
            Route(PATH, self._handshake, methods=["GET"]),
            Route(PATH, self._receive, methods=["POST"]),
        ]

    # ------------------------------------------------------------------ background
    def _spawn(self, events: list[Event]) -> None:
        task = asyncio.create_task(self.process(events), name="whatsapp-webhook")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait until every webhook received so far has been processed."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def process(self, events: Sequence[Event]) -> None:
        """Process a webhook's events in order; one failure does not stop the others."""
        for event in events:
            try:
                if isinstance(event, InboundMessage):
                    await self._message(event)
                else:
                    await self.on_status(event)
            except Exception:
                log.exception("WhatsApp event failed")

    async def _message(self, event: InboundMessage) -> None:
        async def deliver(replies: Sequence[Outbound]) -> list[str | None]:
            sent, error = await self.sender.deliver(event.address, replies)
            if error is not None and self.on_send_error is not None:
                await self.on_send_error(event.inbound, error)
            return sent

        await self.handle(event.inbound, deliver)
