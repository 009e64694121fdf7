"""The terminal chat: buttons as numbered choices, answered by number or by label."""

from __future__ import annotations

from bot.app.bot import Bot
from bot.channels.terminal import TerminalChannel


async def test_numbers_and_labels_press_buttons(bot: Bot) -> None:
    typed = iter(["3", "j'ai une idée", "/quit"])
    shown: list[str] = []
    terminal = TerminalChannel(lambda: next(typed), shown.append, user_ref="term")
    await terminal.start(bot)
    await terminal.run()
    assert "  3. 18 à 25 ans" in shown[0]
    assert "Question 2 sur 8" in shown[1]
    assert "Question 3 sur 8" in shown[2]
    assert shown[-1] == "À bientôt 👋"
