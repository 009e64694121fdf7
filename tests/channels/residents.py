"""A resident on a web chat speaking the Rasa REST protocol, over HTTP."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

URL = "/webhooks/rest/webhook"


class RestResident:
    """Types, presses buttons (by option id) and reads the replies of one turn.

    ``settle`` runs after each answer (the hand-off's background work, as a person waits).
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        sender: str,
        settle: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.http = http
        self.sender = sender
        self.settle = settle
        self.replies: list[dict[str, Any]] = []

    async def say(self, text: str) -> list[dict[str, Any]]:
        """Send ``text`` (a button press sends its payload as the message)."""
        response = await self.http.post(URL, json={"sender": self.sender, "message": text})
        assert response.status_code == 200, response.text
        self.replies = response.json()
        assert all(r["recipient_id"] == self.sender for r in self.replies)
        if self.settle is not None:
            await self.settle()
        return self.replies

    @property
    def buttons(self) -> list[dict[str, str]]:
        """Buttons of the last reply that has some."""
        for reply in reversed(self.replies):
            if reply.get("buttons"):
                return list(reply["buttons"])
        return []

    async def choose(self, option_id: str) -> list[dict[str, Any]]:
        """Press the button of the current question whose option id is ``option_id``."""
        for button in self.buttons:
            if button["payload"].rsplit(":", 1)[-1] == option_id:
                return await self.say(button["payload"])
        raise AssertionError(f"no option {option_id!r} in {self.buttons}")

    @property
    def text(self) -> str:
        """The texts of the last turn, joined."""
        return "\n".join(r["text"] for r in self.replies)

    def said(self, fragment: str) -> bool:
        """True when the texts of the last turn contain ``fragment``."""
        return fragment in self.text
