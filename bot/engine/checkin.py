"""Follow-ups in the pure runner: the bot asks first, and a question not seen yet."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from bot.domain.understanding import Understanding
from bot.engine import faq
from bot.engine.answer import answer
from bot.engine.kit import Kit
from bot.engine.own import ask_current
from bot.engine.render import PAYLOAD
from bot.engine.state import ConversationState, Frame, Mode, SlotValue, Status
from bot.engine.turn import Turn, TurnResult
from bot.engine.walk import enter, position_exists


def check_in(
    kit: Kit,
    state: ConversationState,
    flow_id: str,
    step_id: str,
    context: Mapping[str, SlotValue],
    now: datetime,
) -> TurnResult:
    """Start a follow-up at ``flow_id.step_id`` in the person's conversation.

    A conversation waiting for an answer elsewhere comes back to that question when the
    follow-up ends (like a called flow); an earlier follow-up left unanswered is
    replaced. The question the follow-up waits on is marked :attr:`Mode.UNSEEN` until
    its channel shows it (see :func:`seen`); a relay's conversation (``bridge``) stays.
    """
    stack: tuple[Frame, ...] = ()
    if state.status is Status.ACTIVE and position_exists(kit, state):
        stack = state.stack
        if state.flow != flow_id:
            stack = (*stack, Frame(state.flow or "", state.step or ""))
    turn = Turn(
        replace(
            state,
            status=Status.ACTIVE,
            stack=stack,
            mode=Mode.ANSWER,
            retries=0,
            numbered=False,
            picks=(),
            pending=(),
        ),
        context=dict(context),
        now=now,
    )
    enter(kit, turn, flow_id, step_id)
    if turn.state.status is Status.ACTIVE and turn.state.mode is Mode.ANSWER:
        turn.state = replace(turn.state, mode=Mode.UNSEEN)
    return turn.result()


def checking_in(kit: Kit, state: ConversationState) -> bool:
    """True while the conversation waits on a follow-up's own questions."""
    holder = kit.flows.followups
    return (
        holder is not None
        and state.status is Status.ACTIVE
        and state.flow == holder[0]
        and position_exists(kit, state)
    )


def seen(kit: Kit, turn: Turn, text: str, button: str | None, understanding: Understanding) -> None:
    """The first message after a follow-up's question was kept for the person (their
    channel could not show it): it is not taken as its answer, only a press on one of
    its buttons is. A question to the bot is answered; then the question is shown."""
    state = turn.state
    turn.state = replace(state, mode=Mode.ANSWER)
    pressed = PAYLOAD.match(button) if button else None
    if pressed is not None and pressed.group(1) == state.step:
        answer(kit, turn, text, button, understanding)
        return
    entry = faq.match(kit, text, understanding) if text and button is None else None
    if entry is not None:
        faq.say_answer(kit, turn, entry, text)
    ask_current(kit, turn)
