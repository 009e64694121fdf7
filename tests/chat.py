"""Transcript helper: a resident who says things and presses buttons."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Sequence

from bot.domain.messages import Button, Inbound, InboundKind, Outbound

_ids = itertools.count(1)


class Chat:
    """Drives one conversation; keeps the last replies to press their buttons."""

    def __init__(
        self,
        handle: Callable[[Inbound], Awaitable[Sequence[Outbound]]],
        *,
        channel: str = "rest",
        user: str = "resident-1",
    ) -> None:
        self.handle = handle
        self.channel = channel
        self.user = user
        self.replies: list[Outbound] = []
        self.transcript: list[str] = []

    async def send(self, inbound: Inbound) -> list[Outbound]:
        self.replies = list(await self.handle(inbound))
        # Jobs (reaching relays) run after the reply: let them finish, as a person would wait.
        owner = getattr(self.handle, "__self__", None)
        drainer = getattr(owner, "drainer", None)
        if drainer is not None:
            await drainer.settle()
        self.transcript.extend(f"bot: {r.text}" for r in self.replies)
        return self.replies

    async def say(self, text: str, *, message_id: str | None = None) -> list[Outbound]:
        """Type ``text``."""
        self.transcript.append(f"me: {text}")
        return await self.send(
            Inbound(self.channel, self.user, text, message_id=message_id or f"m{next(_ids)}")
        )

    async def start(self, source: str | None = None) -> list[Outbound]:
        """Open the conversation (a deep link may carry a source)."""
        return await self.send(
            Inbound(
                self.channel,
                self.user,
                "",
                message_id=f"m{next(_ids)}",
                kind=InboundKind.START,
                source=source,
            )
        )

    @property
    def buttons(self) -> list[Button]:
        """Buttons of the last message that had some."""
        for reply in reversed(self.replies):
            if reply.buttons:
                return list(reply.buttons)
        return []

    async def press(self, title: str) -> list[Outbound]:
        """Press the button whose title is ``title`` (or starts with it)."""
        for button in self.buttons:
            plain = button.title.removeprefix("✔ ")
            if plain == title or plain.startswith(title):
                self.transcript.append(f"me: [{title}]")
                return await self.send(
                    Inbound(self.channel, self.user, button.payload, message_id=f"m{next(_ids)}")
                )
        offered = [b.title for b in self.buttons]
        raise AssertionError(f"no button {title!r}; offered: {offered}")

    async def choose(self, option_id: str) -> list[Outbound]:
        """Press the button of the current question whose option id is ``option_id``
        (whatever its wording): the payload is ``/<step>:<option>``."""
        for button in self.buttons:
            if button.payload.rsplit(":", 1)[-1] == option_id:
                self.transcript.append(f"me: [{option_id}]")
                return await self.send(
                    Inbound(self.channel, self.user, button.payload, message_id=f"m{next(_ids)}")
                )
        offered = [b.payload for b in self.buttons]
        raise AssertionError(f"no option {option_id!r}; offered: {offered}")

    @property
    def asks(self) -> str | None:
        """The step whose buttons the last reply shows (``None`` without buttons)."""
        for button in self.buttons:
            step = button.payload.removeprefix("/").split(":", 1)[0]
            if step != "_sys":
                return step
        return None

    @property
    def text(self) -> str:
        """All texts of the last turn, joined."""
        return "\n".join(r.text for r in self.replies)

    def said(self, fragment: str) -> bool:
        """True when the last turn contains ``fragment``."""
        return fragment in self.text
