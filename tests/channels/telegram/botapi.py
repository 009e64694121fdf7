"""A fake Telegram Bot API server on 127.0.0.1, and a resident who talks to the bot through it."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.channels.telegram.fakes import BOT_USER, TOKEN, Call

JSON_FIELDS = {"reply_markup", "allowed_updates", "link_preview_options"}


def _answer(result: Any, status: int = 200) -> web.Response:
    return web.json_response({"ok": True, "result": result}, status=status)


class FakeBotApi:
    """Answers the Bot API methods the bot uses, over real HTTP.

    Updates pushed with :meth:`push` are served to ``getUpdates`` (long polling,
    answered as soon as one arrives); the ``offset`` of the next call confirms them.
    Every call is recorded; ``sent`` holds the messages the bot sent.
    """

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.sent: list[dict[str, Any]] = []
        self.url = ""
        self._updates: list[dict[str, Any]] = []
        self._confirmed = 0
        self._changed = asyncio.Condition()
        self._ids = itertools.count(1000)
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> FakeBotApi:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def called(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call of ``method``."""
        return [call.params for call in self.calls if call.method == method]

    async def push(self, update: dict[str, Any]) -> None:
        """Make ``update`` available to the bot's next ``getUpdates``."""
        async with self._changed:
            self._updates.append(update)
            self._changed.notify_all()

    async def confirmed(self, update_id: int) -> None:
        """Wait until the bot confirmed ``update_id`` (it then sits in its update queue)."""
        async with self._changed:
            await self._changed.wait_for(lambda: self._confirmed > update_id)

    async def _params(self, request: web.Request) -> dict[str, Any]:
        form = await request.post()
        params: dict[str, Any] = {}
        for name, value in form.items():
            if isinstance(value, web.FileField):
                params[name] = value.filename
            elif name in JSON_FIELDS:
                params[name] = json.loads(str(value))
            else:
                params[name] = str(value)
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return web.json_response(body, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append(Call(method, params))
        if method == "getMe":
            return _answer(BOT_USER)
        if method == "getUpdates":
            return _answer(await self._get_updates(params))
        if method == "sendMessage":
            chat_id = int(params["chat_id"])
            message = {
                "message_id": next(self._ids),
                "date": 1764150000,
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "from": BOT_USER,
                "text": params["text"],
            }
            if "reply_markup" in params:
                message["reply_markup"] = params["reply_markup"]
            self.sent.append(message)
            return _answer(message)
        if method == "getWebhookInfo":
            return _answer({"url": "", "has_custom_certificate": False, "pending_update_count": 0})
        return _answer(True)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        async with self._changed:
            if offset:
                self._confirmed = max(self._confirmed, offset)
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                self._changed.notify_all()
            if not self._updates and timeout:
                # Long polling: answer when an update arrives, or empty at the timeout.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: bool(self._updates)), timeout
                    )
            return list(self._updates)


Deliver = Callable[[dict[str, Any]], Awaitable[None]]


class TelegramResident:
    """A person on Telegram: types, opens deep links, presses the bot's inline buttons.

    ``deliver`` gets each update to the bot (a push for polling, a webhook call) and
    returns once the bot has processed it.
    """

    def __init__(self, server: FakeBotApi, deliver: Deliver, user_id: int = 5123400017) -> None:
        self.server = server
        self.deliver = deliver
        self.user = {"id": user_id, "is_bot": False, "first_name": "Samira", "language_code": "fr"}
        self.chat = {"id": user_id, "first_name": "Samira", "type": "private"}
        self._update_ids = itertools.count(880100000)
        self._message_ids = itertools.count(1)
        self._seen = 0
        self.replies: list[dict[str, Any]] = []
        self.presses = 0

    async def _send(self, update: dict[str, Any]) -> None:
        await self.deliver(update)
        mine = [m for m in self.server.sent if m["chat"]["id"] == self.user["id"]]
        self.replies, self._seen = mine[self._seen :], len(mine)

    def _message(self, text: str, **extra: Any) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids),
            "from": self.user,
            "chat": self.chat,
            "date": 1764150000,
            "text": text,
            **extra,
        }
        return {"update_id": next(self._update_ids), "message": message}

    async def open_link(self, payload: str) -> None:
        """Open ``t.me/<bot>?start=<payload>`` and press Start."""
        entity = {"offset": 0, "length": 6, "type": "bot_command"}
        await self._send(self._message(f"/start {payload}", entities=[entity]))

    async def say(self, text: str) -> None:
        """Type ``text``."""
        await self._send(self._message(text))

    def _keyboard(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The latest message to this person that has inline buttons, and its buttons."""
        for message in reversed(self.server.sent):
            rows = message.get("reply_markup", {}).get("inline_keyboard")
            if message["chat"]["id"] == self.user["id"] and rows:
                return message, [button for row in rows for button in row]
        raise AssertionError("no message with buttons")

    async def _press(self, message: dict[str, Any], button: dict[str, Any]) -> None:
        keys = ("message_id", "chat", "date", "from", "text", "reply_markup")
        query = {
            "id": f"q{next(self._update_ids)}",
            "from": self.user,
            "message": {key: message[key] for key in keys},
            "chat_instance": "-3958200000000000001",
            "data": button["callback_data"],
        }
        self.presses += 1
        await self._send({"update_id": next(self._update_ids), "callback_query": query})

    async def choose(self, option_id: str) -> None:
        """Press the button of the current question whose option id is ``option_id``
        (its callback data is the payload ``/<step>:<option>``)."""
        message, buttons = self._keyboard()
        for button in buttons:
            if button["callback_data"].rsplit(":", 1)[-1] == option_id:
                return await self._press(message, button)
        offered = [b["callback_data"] for b in buttons]
        raise AssertionError(f"no option {option_id!r}; offered: {offered}")

    @property
    def text(self) -> str:
        """The bot's answer to the last action, as the person reads it."""
        return "\n".join(m["text"] for m in self.replies)

    def said(self, fragment: str) -> bool:
        """True when the bot's answer to the last action contains ``fragment``."""
        return any(fragment in m["text"] for m in self.replies)
