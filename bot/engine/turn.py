"""One turn being built by the runner: replies, effects and state, and its result."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.domain.messages import Button, Outbound
from bot.engine.schema import ChoiceStep, ConsentStep, InputStep
from bot.engine.state import ConversationState, Effect, SlotValue

SYSTEM = "_sys"  # step id used by the bot's own buttons (offer a person, pick a place)
Question = ChoiceStep | InputStep | ConsentStep


@dataclass(frozen=True, slots=True)
class TurnResult:
    """What one turn produced."""

    replies: tuple[Outbound, ...]
    effects: tuple[Effect, ...]
    state: ConversationState
    heard: str = ""  # how the message was taken: see :attr:`Turn.heard`
    answered: SlotValue = None  # the value kept for the question answered, if any


@dataclass(slots=True)
class Turn:
    """The turn in progress (mutable while the runner works on it)."""

    state: ConversationState
    replies: list[Outbound] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    intent: str | None = None  # of the message being answered (the ``intent`` pseudo-slot)
    sure: bool = False  # the NLU is sure of ``intent`` (a polite word back is safe)
    noted: list[str] = field(default_factory=list)  # answers taken from the message's entities
    context: Mapping[str, SlotValue] = field(default_factory=dict)  # read-only values (case)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))  # when the message came
    # How the message was taken (for scoring understanding and for figures): "answer",
    # "confirm" (said back first), "pick" (which one?), "dont_know", "faq:<id>",
    # "faq:unknown", "unclear", "command:<id>", "chatter", or "" (nothing to read).
    heard: str = ""
    answered: SlotValue = None  # the value kept for the question answered this turn

    def view(self) -> Mapping[str, SlotValue]:
        """The slots texts and conditions see: the state's, plus the read-only context."""
        return {**self.context, **self.state.slots} if self.context else self.state.slots

    def say(self, text: str, buttons: tuple[Button, ...] = ()) -> None:
        if text.strip():
            self.replies.append(Outbound(text.strip(), buttons))

    def result(self) -> TurnResult:
        return TurnResult(
            tuple(self.replies), tuple(self.effects), self.state, self.heard, self.answered
        )


def notice_hash(text: str) -> str:
    """Short hash of the exact notice text a person saw."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
