"""The terminal chat: buttons as numbered choices, answered by number or by label."""

from __future__ import annotations

from bot.app.build import Bot
from bot.channels.terminal import run_terminal


async def test_numbers_and_labels_press_buttons(bot: Bot) -> None:
    typed = iter(["3", "j'ai une idée", "/quit"])
    shown: list[str] = []
    await run_terminal(bot.handle, lambda: next(typed), shown.append, user_ref="term")
    assert "  3. 18 à 25 ans" in shown[0]
    assert "Question 2 sur 8" in shown[1]
    assert "Question 3 sur 8" in shown[2]
    assert shown[-1] == "À bientôt 👋"
