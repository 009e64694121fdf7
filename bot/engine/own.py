"""The bot's own questions: which commune, erase everything?, and "c'est bien ça ?"."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.messages import Button
from bot.domain.text import fold
from bot.engine.interpret import place_slots
from bot.engine.kit import Kit
from bot.engine.schema import ChoiceStep, InputStep
from bot.engine.state import (
    ConversationState,
    EraseAll,
    Mode,
    RecordCheckin,
    SlotValue,
    Status,
)
from bot.engine.turn import SYSTEM, Turn
from bot.engine.walk import asked_key, counted, follow, position_exists, question
from bot.geo.postal import Place
from bot.typed.yesno import Answer, read_yes_no

YES, NO = f"/{SYSTEM}:yes", f"/{SYSTEM}:no"


def ask_current(kit: Kit, turn: Turn) -> None:
    """Ask again whatever the conversation waits for."""
    state = turn.state
    if state.mode is Mode.PICK:
        ask_pick(kit, turn)
    elif state.mode is Mode.CONFIRM_ERASE:
        ask_erase(kit, turn)
    elif state.mode is Mode.CONFIRM_STOP:
        ask_stop(kit, turn)
    elif state.mode is Mode.CONFIRM_ANSWER:
        ask_confirm(kit, turn)
    elif kit.question(state.flow, state.step) is not None:
        if state.mode is Mode.UNSEEN:  # a follow-up's question, shown at last
            state = turn.state = replace(state, mode=Mode.ANSWER)
        turn.replies.append(question(kit, state, state.step or "", context=turn.context))


def store(kit: Kit, turn: Turn, slot: str, value: SlotValue, **extra: SlotValue) -> None:
    """Keep an answer; a counted question counts as asked for « Question N sur M »."""
    state = turn.state.with_slots(**{**extra, slot: value})
    turn.answered = value
    step = state.step or ""
    followup = kit.followup_steps.get((state.flow or "", step))
    if followup is not None and isinstance(value, str):  # a follow-up's answer: on the lead
        turn.effects.append(RecordCheckin(followup, value))
    key = asked_key(turn.state, step)
    asked = (*state.asked, key) if counted(kit, turn.state, step) else state.asked
    turn.state = replace(state, retries=0, numbered=False, asked=asked)


# ---------------------------------------------------------------- which commune?
def ask_pick(kit: Kit, turn: Turn) -> None:
    buttons = tuple(
        Button(f"/{SYSTEM}:p{i}", label[:60]) for i, (_, label) in enumerate(turn.state.picks)
    )
    turn.say(kit.messages.pick_place, (*buttons, Button(f"/{SYSTEM}:none", kit.messages.pick_none)))


def offer_places(kit: Kit, turn: Turn, places: tuple[Place, ...]) -> None:
    picks = tuple((f"{p.postal_code}|{p.insee}", f"{p.commune} ({p.postal_code})") for p in places)
    turn.state = replace(turn.state, mode=Mode.PICK, picks=picks)
    ask_pick(kit, turn)


def answer_pick(kit: Kit, turn: Turn, text: str, button: str | None) -> bool:
    """Take the commune picked; ``False`` when the message is not a pick (read it anew)."""
    picks = turn.state.picks
    index: int | None = None
    pressed = (button or "").removeprefix(f"/{SYSTEM}:p")
    if button is not None and pressed.isdigit():
        index = int(pressed)
    elif button is None and text.isdigit():
        index = int(text) - 1
    elif button is None and fold(text):
        index = next(
            (i for i, (_, label) in enumerate(picks) if fold(label).startswith(fold(text))), None
        )
    step = kit.question(turn.state.flow, turn.state.step)
    if button is None and index is None:
        turn.state = replace(turn.state, mode=Mode.ANSWER, picks=())
        return False  # another commune, a question...: answered as a new message
    turn.state = replace(turn.state, mode=Mode.ANSWER, picks=())
    if index is None or not 0 <= index < len(picks) or not isinstance(step, InputStep):
        if button != f"/{SYSTEM}:none":
            turn.say(kit.messages.unknown_button)
        ask_current(kit, turn)
        return True
    postal_code, insee = picks[index][0].split("|")
    place = next(p for p in kit.finder.index.by_code(postal_code) if p.insee == insee)
    extra = place_slots(place)
    store(kit, turn, step.slot, extra.pop(step.slot, place.postal_code), **extra)
    follow(kit, turn, step.next, turn.state.step or "")
    return True


# ---------------------------------------------------------------- erase everything?
def ask_erase(kit: Kit, turn: Turn) -> None:
    messages = kit.messages
    turn.say(
        messages.erase_confirm,
        (
            Button(f"/{SYSTEM}:erase", messages.erase_yes),
            Button(f"/{SYSTEM}:keep", messages.erase_no),
        ),
    )


def ask_stop(kit: Kit, turn: Turn) -> None:
    """« Tu veux que j'arrête de t'écrire ? », when only the NLU heard a stop."""
    messages = kit.messages
    turn.state = replace(turn.state, mode=Mode.CONFIRM_STOP)
    turn.say(
        messages.stop_confirm,
        (
            Button(f"/{SYSTEM}:stop", messages.stop_yes),
            Button(f"/{SYSTEM}:keep", messages.stop_no),
        ),
    )


def answer_erase(kit: Kit, turn: Turn, text: str, button: str | None) -> None:
    confirmed = button == f"/{SYSTEM}:erase" or (
        button is None and read_yes_no(text, strict=True) is Answer.YES
    )
    turn.state = replace(turn.state, mode=Mode.ANSWER)
    if confirmed:
        turn.effects.append(EraseAll())
        turn.say(kit.messages.erased)
        turn.state = ConversationState(status=Status.DONE)
        return
    turn.say(kit.messages.erase_kept)
    if position_exists(kit, turn.state):
        ask_current(kit, turn)


# ---------------------------------------------------------------- "c'est bien ça ?"
def ask_confirm(kit: Kit, turn: Turn) -> None:
    """A typed answer that ends the chat is said back before it is used."""
    step = kit.question(turn.state.flow, turn.state.step)
    option_id, said = (*turn.state.pending, "")[:2]
    label = (
        next(
            (o.label for o in step.options if o.id == option_id),
            option_id,
        )
        if isinstance(step, ChoiceStep | InputStep)
        else option_id
    )
    messages = kit.messages
    text = messages.confirm_answer.replace("{said}", said).replace("{label}", label)
    turn.say(text, (Button(YES, messages.confirm_yes), Button(NO, messages.confirm_no)))


def confirm(kit: Kit, turn: Turn, option_id: str, said: str) -> None:
    turn.state = replace(turn.state, mode=Mode.CONFIRM_ANSWER, pending=(option_id, said))
    ask_confirm(kit, turn)


CONFIRMED, DENIED, OTHER = "confirmed", "denied", "other"


def answer_confirm(kit: Kit, turn: Turn, text: str, button: str | None) -> tuple[str, str]:
    """(``CONFIRMED``, the option id), (``DENIED``, "") after which the question is asked
    again, or (``OTHER``, "") when the message is something else (a new answer...)."""
    option_id = turn.state.pending[0] if turn.state.pending else ""
    answer = read_yes_no(text) if button is None else None
    turn.state = replace(turn.state, mode=Mode.ANSWER, pending=())
    if (button == YES or answer is Answer.YES) and option_id:
        return CONFIRMED, option_id
    if button == NO or answer is Answer.NO:
        ask_current(kit, turn)
        return DENIED, ""
    return OTHER, ""
