"""A fake Graph API (recording what the bot sends) and a resident's WhatsApp phone."""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

PAYLOADS = Path(__file__).resolve().parents[2] / "payloads" / "whatsapp"
PHONE_NUMBER_ID = "210000000000001"
APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
ACCESS_TOKEN = "test-access-token"
API_VERSION = "v24.0"


def payload(name: str) -> dict[str, Any]:
    """A sample webhook body from ``tests/payloads/whatsapp``."""
    data: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text("utf-8"))
    return data


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    """The ``X-Hub-Signature-256`` header Meta would send."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook(value: dict[str, Any]) -> dict[str, Any]:
    """A webhook body around one change value for our business number."""
    metadata = {"display_phone_number": "33180000000", "phone_number_id": PHONE_NUMBER_ID}
    change = {"value": {"messaging_product": "whatsapp", "metadata": metadata, **value}}
    change["field"] = "messages"
    entry = {"id": "300000000000001", "changes": [change]}
    return {"object": "whatsapp_business_account", "entry": [entry]}


def status_webhook(wamid: str, status: str, at: int, code: int | None = None) -> dict[str, Any]:
    """A delivery status of one of the bot's messages."""
    report: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(at),
        "recipient_id": "33698765432",
    }
    if code is not None:
        report["errors"] = [{"code": code, "title": "error"}]
    return webhook({"statuses": [report]})


class FakeGraph:
    """Answers like the Graph API and records each message; can be told to refuse some."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.sent: list[dict[str, Any]] = []
        self.refusals: list[tuple[int, int]] = []
        self.transport = httpx.MockTransport(self.handle)

    def refuse(self, code: int, *, times: int = 1, status: int = 400) -> None:
        """The next ``times`` sends fail with Meta error ``code``."""
        self.refusals.extend([(status, code)] * times)

    def next_id(self) -> str:
        """The id the next accepted message will get."""
        return f"wamid.OUT{len(self.sent) + 1}"

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.endswith("/media"):
            return httpx.Response(200, json={"id": "media-1"})
        if self.refusals:
            status, code = self.refusals.pop(0)
            error = {"message": "refused", "type": "OAuthException", "code": code}
            return httpx.Response(status, json={"error": error})
        body = json.loads(request.content)
        body["id"] = self.next_id()
        self.sent.append(body)
        recipient = body.get("to") or body.get("recipient")
        return httpx.Response(
            200,
            json={
                "messaging_product": "whatsapp",
                "contacts": [{"input": recipient}],
                "messages": [{"id": body["id"]}],
            },
        )

    def to(self, who: str) -> list[dict[str, Any]]:
        """Messages sent to ``who`` (phone number or user id)."""
        return [m for m in self.sent if who in (m.get("to"), m.get("recipient"))]


def message_text(message: dict[str, Any]) -> str:
    """What the person reads: text, interactive body with its choices, template name."""
    kind = message["type"]
    if kind == "text":
        return str(message["text"]["body"])
    if kind == "template":
        return f"[template {message['template']['name']}]"
    if kind == "interactive":
        interactive = message["interactive"]
        parts = [interactive["body"]["text"]]
        for choice in choices(message):
            parts.append(f"[{choice['title']}]")
        return "\n".join(parts)
    return f"[{kind}]"


def choices(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Buttons or list rows of an interactive message: id, title (and description)."""
    interactive = message.get("interactive") or {}
    action = interactive.get("action") or {}
    if interactive.get("type") == "button":
        return [b["reply"] for b in action["buttons"]]
    if interactive.get("type") == "list":
        return [row for section in action["sections"] for row in section["rows"]]
    return []


Post = Callable[[dict[str, Any]], Awaitable[httpx.Response]]


class Phone:
    """A resident on WhatsApp: writes, presses buttons and list rows, reads the replies."""

    def __init__(
        self,
        post: Post,
        graph: FakeGraph,
        *,
        wa_id: str | None = "33698765432",
        user_id: str | None = None,
        name: str = "Karim",
        at: datetime | None = None,
    ) -> None:
        self._post = post
        self.graph = graph
        self.wa_id = wa_id
        self.user_id = user_id
        self.name = name
        self.at = at
        self.received: list[dict[str, Any]] = []
        self._ids = itertools.count(1)

    @property
    def address(self) -> str:
        """Where the bot answers: the phone number when shown, else the user id."""
        return self.wa_id or self.user_id or ""

    def body(self, message: dict[str, Any]) -> dict[str, Any]:
        """A webhook carrying ``message`` (type and content) from this person."""
        moment = self.at or datetime.now(UTC)
        contact: dict[str, Any] = {"profile": {"name": self.name}}
        sender: dict[str, Any] = {}
        if self.wa_id:
            contact["wa_id"] = sender["from"] = self.wa_id
        if self.user_id:
            contact["user_id"] = sender["from_user_id"] = self.user_id
        key = self.user_id or self.wa_id
        full = {
            **sender,
            "id": f"wamid.IN.{key}.{next(self._ids)}.{moment.timestamp()}",
            "timestamp": str(int(moment.timestamp())),
            **message,
        }
        return webhook({"contacts": [contact], "messages": [full]})

    async def send(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        """Send one message; returns what the bot sent back."""
        before = len(self.graph.to(self.address))
        response = await self._post(self.body(message))
        assert response.status_code == 200, response.text
        self.received = self.graph.to(self.address)[before:]
        return self.received

    async def say(self, text: str) -> list[dict[str, Any]]:
        """Type ``text``."""
        return await self.send({"type": "text", "text": {"body": text}})

    def reply_to(self, message: dict[str, Any], choice: dict[str, Any]) -> dict[str, Any]:
        """The message a press of ``choice`` (a button or a list row of ``message``) sends."""
        kind = "button_reply" if message["interactive"]["type"] == "button" else "list_reply"
        return {"type": "interactive", "interactive": {"type": kind, kind: dict(choice)}}

    async def choose(self, option_id: str) -> list[dict[str, Any]]:
        """Press the button or list row of option ``option_id`` (its id is the payload
        ``/<step>:<option>``), whatever its wording."""
        for message in reversed(self.received):
            for choice in choices(message):
                if choice["id"].rsplit(":", 1)[-1] == option_id:
                    return await self.send(self.reply_to(message, choice))
        offered = [c["id"] for m in self.received for c in choices(m)]
        raise AssertionError(f"no option {option_id!r}; offered: {offered}")

    @property
    def text(self) -> str:
        """Everything the bot sent in its last turn, as the person reads it."""
        return "\n".join(message_text(m) for m in self.received)

    def said(self, fragment: str) -> bool:
        """True when the bot's last turn contains ``fragment``."""
        return fragment in self.text


def copy_of(data: dict[str, Any]) -> dict[str, Any]:
    """A deep copy, to change a sample payload."""
    return copy.deepcopy(data)
