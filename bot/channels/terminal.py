"""Chat with the bot in a terminal: buttons become numbered choices."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

from bot.domain.messages import Button, Inbound, InboundKind, Outbound
from bot.domain.ports import OnInbound
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
            lines.extend(f"  {i}. {b.title}" for i, b in enumerate(reply.buttons, 1))
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


async def run_terminal(
    on_inbound: OnInbound,
    read: Callable[[], str | None],
    write: Callable[[str], None],
    user_ref: str = "local",
) -> None:
    """Read lines until end of input or ``/quit``; each line is one turn."""
    counter = itertools.count(1)
    session = f"{user_ref}-{id(read):x}"
    replies = await on_inbound(
        Inbound(
            CHANNEL, user_ref, "", message_id=f"{session}-{next(counter)}", kind=InboundKind.START
        )
    )
    text, offered = render_terminal(replies)
    write(text)
    while True:
        line = read()
        if line is None or line.strip() in QUIT:
            write("À bientôt 👋")
            return
        payload = choose(line, offered)
        inbound = Inbound(
            CHANNEL,
            user_ref,
            payload or line,
            message_id=f"{session}-{next(counter)}",
            kind=InboundKind.BUTTON if payload else InboundKind.TEXT,
            payload=payload,
        )
        text, offered = render_terminal(await on_inbound(inbound))
        write(text)
