"""Test doubles for the Telegram channel: a recording Bot API request, recording callbacks."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.domain.delivery import DeliveryStatus, Reach
from bot.domain.messages import ChannelTexts, Inbound, Outbound
from bot.domain.ports import Deliver
from bot.domain.relays import RelayInbound

PAYLOADS = Path(__file__).resolve().parents[2] / "payloads" / "telegram"
TOKEN = "7000000001:TEST-token"
BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Tremplin",
    "username": "tremplin_demo_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


def payload(name: str) -> dict[str, Any]:
    """A sample update from ``tests/payloads/telegram``."""
    data: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))
    return data


@dataclass
class Call:
    """One Bot API call: its method and its parameters."""

    method: str
    params: dict[str, Any]


def _ok(result: Any) -> tuple[int, bytes]:
    return 200, json.dumps({"ok": True, "result": result}).encode()


def _error(status: int, description: str, **parameters: Any) -> tuple[int, bytes]:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return status, json.dumps(body).encode()


class RecordingRequest(BaseRequest):
    """Answers the Bot API offline and records every call (PTB's own suite pattern).

    ``fail(method, status, description, **parameters)`` queues an error answer for the
    next call of ``method`` (a 429 with ``retry_after``, a 403 ``Forbidden``...).
    """

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._failures: dict[str, list[tuple[int, bytes]]] = defaultdict(list)
        self._ids = itertools.count(100)

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def fail(self, method: str, status: int, description: str, **parameters: Any) -> None:
        self._failures[method].append(_error(status, description, **parameters))

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        """Parameters of every call of ``method``, in order."""
        return [call.params for call in self.calls if call.method == method]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data is not None else {}
        self.calls.append(Call(name, params))
        if self._failures[name]:
            return self._failures[name].pop(0)
        if name == "getMe":
            return _ok(BOT_USER)
        if name in ("sendMessage", "sendDocument"):
            chat_id = int(params["chat_id"])
            chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
            message: dict[str, Any] = {
                "message_id": next(self._ids),
                "date": 1764150000,
                "chat": chat,
                "from": BOT_USER,
            }
            if name == "sendMessage":
                message["text"] = params["text"]
            else:
                message["document"] = {"file_id": "doc", "file_unique_id": "doc"}
            return _ok(message)
        if name == "getWebhookInfo":
            return _ok({"url": "", "has_custom_certificate": False, "pending_update_count": 0})
        return _ok(True)


@dataclass
class RecordingTurns:
    """Stands for the bot: records each inbound and delivers the scripted replies."""

    replies: list[Outbound] = field(default_factory=lambda: [Outbound("Bien reçu")])
    inbounds: list[Inbound] = field(default_factory=list)
    delivered: list[Sequence[str | None]] = field(default_factory=list)

    async def __call__(self, inbound: Inbound, deliver: Deliver) -> None:
        self.inbounds.append(inbound)
        self.delivered.append(await deliver(self.replies))


@dataclass
class RecordingRelays:
    """Stands for the hand-off: records relay messages and answers each with one reply."""

    replies: list[Outbound] = field(default_factory=lambda: [Outbound("C'est noté")])
    received: list[RelayInbound] = field(default_factory=list)

    async def __call__(self, message: RelayInbound) -> Sequence[Outbound]:
        self.received.append(message)
        return self.replies


@dataclass
class RecordingUnreachable:
    """Records the residents reported as having blocked the bot."""

    user_refs: list[str] = field(default_factory=list)

    async def __call__(self, user_ref: str) -> None:
        self.user_refs.append(user_ref)


HandleTurn = Callable[[Inbound, Deliver], Awaitable[object]]
OnUnreachable = Callable[[str], Awaitable[None]]


TEXTS = ChannelTexts("T-EDITED.", "T-List", "T-NUMBER-HINT.", "T-NUMBERS-HINT.", "T-BYE.")


@dataclass
class CallbackBot:
    """The bot's face for the channel under test: each part goes to a recording double."""

    turns: HandleTurn
    relays: Callable[[RelayInbound], Awaitable[Sequence[Outbound]]]
    unreachable: OnUnreachable
    languages: dict[str, str] = field(default_factory=dict)  # by chat id: the person's language

    async def handle(self, inbound: Inbound, deliver: Deliver | None = None) -> Sequence[Outbound]:
        assert deliver is not None, "Telegram always delivers the replies itself"
        await self.turns(inbound, deliver)
        return []

    async def handle_relay(self, message: RelayInbound) -> Sequence[Outbound]:
        return await self.relays(message)

    async def mark_unreachable(self, channel: str, user_ref: str) -> bool:
        await self.unreachable(user_ref)
        return True

    async def record_status(self, channel: str, status: DeliveryStatus) -> bool:
        raise AssertionError("Telegram reports no delivery status")

    async def queue_for_resident(self, channel: str, user_ref: str, message: Outbound) -> None:
        raise AssertionError("Telegram can push: nothing is queued")

    async def reach(self, channel: str, user_ref: str, purpose: str) -> Reach | None:
        raise AssertionError("Telegram does not ask about the 24-hour window")

    async def log_proactive(
        self, channel: str, user_ref: str, message_id: str, text: str | None
    ) -> None:
        raise AssertionError("Telegram does not log proactive messages")

    def channel_texts(self, lang: str = "") -> ChannelTexts:
        return TEXTS if lang in ("", "fr") else replace(TEXTS, edited=f"[{lang}] {TEXTS.edited}")

    async def language(self, channel: str, user_ref: str) -> str:
        return self.languages.get(user_ref, "")


@dataclass
class RecordingSleep:
    """Records waits instead of waiting."""

    waits: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
