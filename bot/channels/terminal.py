"""Chat with the bot in a terminal: buttons become numbered choices."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from bot.domain.messages import Button, Inbound, InboundKind, Outbound
from bot.domain.ports import BotFace, NotStarted
from bot.domain.text import fold

CHANNEL = "terminal"
QUIT = {"/quit", "/exit", "/q"}


def render_terminal(replies: Sequence[Outbound]) -> tuple[str, tuple[Button, ...]]:
    """The text to print and the buttons the next answer may refer to by number."""
    lines: list[str] = []
    offered: tuple[Button, ...] = ()
    for reply in replies:
        lines.append(reply.text)
        if reply.buttons:
            offered = reply.buttons
            numbered = (f"{i}. {b.title}" for i, b in enumerate(reply.buttons, 1))
            # Choices the bot already wrote with their numbers are not listed twice.
            lines.extend(f"  {line}" for line in numbered if line not in reply.text)
    return "\n".join(lines), offered


def choose(line: str, offered: Sequence[Button]) -> str | None:
    """The payload of the button named by its number or its label, if any."""
    text = line.strip()
    if text.isdigit() and 1 <= int(text) <= len(offered):
        return offered[int(text) - 1].payload
    folded = fold(text)
    for button in offered:
        if folded and folded == fold(button.title.removeprefix("✔ ")):
            return button.payload
    return None


def parse_terminal(line: str, offered: Sequence[Button], user_ref: str, message_id: str) -> Inbound:
    """A typed line: a press of the button it names (number or label), else text."""
    payload = choose(line, offered)
    return Inbound(
        CHANNEL,
        user_ref,
        payload or line,
        message_id=message_id,
        kind=InboundKind.BUTTON if payload else InboundKind.TEXT,
        payload=payload,
    )


class TerminalChannel:
    """One person chatting in a terminal (``bot chat``); no web routes, cannot write first."""

    name = CHANNEL
    routes = ()
    sender = None

    def __init__(
        self,
        read: Callable[[], str | None],
        write: Callable[[str], None],
        user_ref: str = "local",
    ) -> None:
        self.read = read
        self.write = write
        self.user_ref = user_ref
        self.bot: BotFace = NotStarted()

    async def start(self, bot: BotFace) -> None:
        """Serve ``bot`` (the conversation itself is :meth:`run`)."""
        self.bot = bot

    async def stop(self) -> None:
        """Nothing in hand: each line is answered before the next is read."""

    async def run(self) -> None:
        """Read lines until end of input or ``/quit``; each line is one turn."""
        counter = itertools.count(1)
        session = f"{self.user_ref}-{id(self.read):x}"
        opening = Inbound(
            CHANNEL,
            self.user_ref,
            "",
            message_id=f"{session}-{next(counter)}",
            kind=InboundKind.START,
        )
        replies = await self.bot.handle(opening)
        text, offered = render_terminal(replies)
        self.write(text)
        lang = ""  # the person's language, as the last replies carry it (for « bye »)
        while True:
            lang = next((r.lang for r in reversed(replies)), lang)
            line = self.read()
            if line is None or line.strip() in QUIT:
                self.write(self.bot.channel_texts(lang).bye)
                return
            inbound = parse_terminal(line, offered, self.user_ref, f"{session}-{next(counter)}")
            replies = await self.bot.handle(inbound)
            text, offered = render_terminal(replies)
            self.write(text)
