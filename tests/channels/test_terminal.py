"""The terminal chat: buttons as numbered choices, answered by number or by label."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.app.bot import Bot
from bot.channels.terminal import TerminalChannel
from bot.domain.messages import ChannelTexts, Inbound, InboundKind, Outbound
from bot.domain.ports import Deliver
from bot.store.leads import export_leads
from tests.channels.intake import TYPED_INTAKE, check_typed_answer, check_typed_lead


@dataclass
class RecordingFace:
    """The real bot's face, recording what the terminal made of each typed line."""

    bot: Bot
    inbounds: list[Inbound] = field(default_factory=list)

    async def handle(self, inbound: Inbound, deliver: Deliver | None = None) -> Sequence[Outbound]:
        self.inbounds.append(inbound)
        replies = await self.bot.handle(inbound, deliver)
        await self.bot.drainer.settle()  # hand-off events, before the next line is read
        return replies

    def channel_texts(self, lang: str = "") -> ChannelTexts:
        return self.bot.channel_texts(lang)

    async def language(self, channel: str, user_ref: str) -> str:
        return await self.bot.language(channel, user_ref)


async def talk(bot: Bot, lines: list[str]) -> tuple[list[str], RecordingFace]:
    """Type ``lines`` (then ``/quit``); what the terminal showed, and what the bot got."""
    typed = iter([*lines, "/quit"])
    shown: list[str] = []
    face = RecordingFace(bot)
    terminal = TerminalChannel(lambda: next(typed), shown.append, user_ref="term")
    await terminal.start(face)  # type: ignore[arg-type]  # the face's methods used
    await terminal.run()
    assert shown[-1] == "T-BYE-TERMINAL."
    return shown[:-1], face


async def test_numbers_and_labels_press_buttons(bot: Bot) -> None:
    shown, face = await talk(bot, ["3", "an idea", "zzz"])
    assert "Q1/7. T-AGE?" in shown[0]
    assert "  3. Adult" in shown[0]
    assert "Q2/7. T-STAGE?" in shown[1]  # "3": the third button, not an age of 3
    assert "T-CONFIRM" not in shown[1]
    assert "Q3/7. T-SECTOR?" in shown[2]  # a label, whatever its case
    assert "T-NOT-UNDERSTOOD." in shown[3]  # anything else is text for the engine
    opening, number, label, other = face.inbounds
    assert opening.kind is InboundKind.START
    assert (number.kind, number.payload) == (InboundKind.BUTTON, "/age:adult")
    assert (label.kind, label.payload) == (InboundKind.BUTTON, "/stage:idea")
    assert (other.kind, other.text, other.payload) == (InboundKind.TEXT, "zzz", None)


async def test_a_number_beyond_the_choices_is_typed_text(bot: Bot) -> None:
    shown, face = await talk(bot, ["16"])
    typed = face.inbounds[-1]
    assert (typed.kind, typed.text, typed.payload) == (InboundKind.TEXT, "16", None)
    assert "Q2/7. T-STAGE?" in shown[1]  # 16 years old: 15-17, no confirmation needed


async def test_a_resident_who_only_types_goes_through_to_the_lead_and_after(bot: Bot) -> None:
    lines = [typed for typed, _ in TYPED_INTAKE]
    shown, face = await talk(bot, lines)
    assert "T-WELCOME." in shown[0] and "Q1/7. T-AGE?" in shown[0]  # the opening
    # The terminal opened the chat: "slt" is a greeting, answered with the question again.
    expected = [("T-HELLO.", "Q1/7. T-AGE?"), *(e for _, e in TYPED_INTAKE[1:])]
    for typed, text, fragments in zip(lines, shown[1:], expected, strict=True):
        check_typed_answer(typed, text, fragments)
    assert all(i.kind is not InboundKind.BUTTON for i in face.inbounds)  # only typed
    check_typed_lead(await export_leads(bot.engine, bot.cipher), "terminal", "term")
