"""Global commands (stop, aide, mes données...) and what reaches the bot during a bridge."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.messages import Inbound, InboundKind
from bot.domain.understanding import Understanding
from bot.engine.choices import command_key
from bot.engine.kit import Kit
from bot.engine.own import answer_erase, ask_current, ask_erase
from bot.engine.schema import Command, FlowRef
from bot.engine.state import (
    ConversationState,
    Forget,
    ForwardToRelay,
    Frame,
    LeaveBridge,
    Mode,
    ShowData,
    Status,
    StopContact,
)
from bot.engine.turn import SYSTEM, Turn
from bot.engine.walk import HUMAN, enter, position_exists, restart
from bot.typed.yesno import Answer, read_yes_no

INTENT_THRESHOLD = 0.7  # an intent this sure triggers a global command
# Commands that still reach the bot while a person talks with a relay.
BRIDGE_COMMANDS = ("stop", "erase", "privacy", "access", "leave")


def command_by_words(kit: Kit, text: str, button: str | None) -> Command | None:
    """A command button, or a message that is exactly one of a command's words."""
    if button is not None:
        wanted = button.removeprefix(f"/{SYSTEM}:")
        if wanted == HUMAN:
            return human_command(kit)
        if wanted.startswith("cmd_"):
            return next((c for c in kit.flows.glob.commands if c.id == wanted[4:]), None)
        return None
    return kit.commands.get(command_key(text)) if text else None


def command_by_intent(
    kit: Kit, understanding: Understanding, threshold: float = INTENT_THRESHOLD
) -> Command | None:
    """The command whose intent the NLU found, when it is sure enough."""
    if understanding.intent and understanding.confidence >= threshold:
        return next((c for c in kit.flows.glob.commands if understanding.intent in c.intents), None)
    return None


def answer_stop(kit: Kit, turn: Turn, text: str, button: str | None) -> bool:
    """The answer to « tu veux que j'arrête ? »: yes stops, no carries on where the person
    was. False for anything else (read as a message of its own)."""
    turn.state = replace(turn.state, mode=Mode.ANSWER)
    answer = read_yes_no(text, strict=True) if button is None else None
    stop = next((c for c in kit.flows.glob.commands if c.do == "stop"), None)
    if (button == f"/{SYSTEM}:stop" or answer is Answer.YES) and stop is not None:
        apply_command(kit, turn, stop, fresh=False)
        return True
    if button == f"/{SYSTEM}:keep" or answer is Answer.NO:
        turn.say(kit.messages.stop_kept)
        if position_exists(kit, turn.state):
            ask_current(kit, turn)
        elif turn.state.bridge is None and turn.state.status is not Status.DONE:
            restart(kit, turn, turn.state.source)
        return True
    return False


def human_command(kit: Kit) -> Command | None:
    """The command leading to a person ("parler à quelqu'un")."""
    commands = kit.flows.glob.commands
    return next((c for c in commands if c.id == "human"), None) or next(
        (c for c in commands if isinstance(c.do, FlowRef)), None
    )


def apply_command(kit: Kit, turn: Turn, command: Command, fresh: bool) -> None:
    """Carry out ``command``; then the question waiting is asked again (or a new start)."""
    turn.intent = None  # the message was a command, not an answer for branches to test
    turn.heard = f"command:{command.id}"
    state = turn.state
    reply = kit.render.fill(command.reply or "", turn.view())
    if command.do == "stop":
        turn.say(reply)
        if state.slots.get("consent_contact") != "yes":
            turn.effects.append(Forget())
            turn.state = ConversationState(status=Status.STOPPED)
        else:
            turn.effects.append(StopContact())
            turn.state = replace(state, status=Status.STOPPED, mode=Mode.ANSWER)
        return
    if command.do == "erase":
        turn.state = replace(state, mode=Mode.CONFIRM_ERASE, status=Status.ACTIVE)
        if not position_exists(kit, turn.state):
            turn.state = replace(turn.state, flow=None, step=None)
        ask_erase(kit, turn)
        return
    if command.do == "restart":
        turn.say(reply)
        restart(kit, turn, state.source)
        return
    if command.do in ("privacy", "access", "help", "leave"):
        if command.do != "leave":  # "FIN" with nobody to leave: carry on
            turn.say(reply)
        if command.do == "access":
            turn.effects.append(ShowData())
        if not fresh:
            ask_current(kit, turn)
        elif command.do in ("help", "leave") and state.status is not Status.DONE:
            restart(kit, turn, state.source)
        return
    assert isinstance(command.do, FlowRef)
    turn.say(reply)
    if fresh:
        # A finished conversation keeps its answers (e.g. to correct one of them).
        kept = state.slots if state.status is Status.DONE else {}
        turn.state = ConversationState(status=Status.ACTIVE, slots=kept, source=state.source)
    elif state.flow and state.step:
        turn.state = replace(
            state, stack=(*state.stack, Frame(state.flow, state.step)), mode=Mode.ANSWER
        )
    enter(kit, turn, command.do.flow, command.do.step)


def bridged(
    kit: Kit,
    turn: Turn,
    inbound: Inbound,
    text: str,
    button: str | None,
    understanding: Understanding,
) -> None:
    """A relay took the case: messages go to them; only rights commands reach the bot."""
    state = turn.state
    if state.mode is Mode.CONFIRM_ERASE:
        answer_erase(kit, turn, text, button)
        return
    if state.mode is Mode.CONFIRM_STOP:  # asked before the relay took the case
        if answer_stop(kit, turn, text, button):
            return
        state = turn.state
    command = command_by_words(kit, text, button)
    if command is None:
        guessed = command_by_intent(kit, understanding)
        # « tu m'envoies un message ? » is for the relay: only « stop » itself stops.
        command = guessed if guessed is not None and guessed.do != "stop" else None
    if command is not None and command.do in BRIDGE_COMMANDS:
        if command.do in ("leave", "stop"):
            turn.effects.append(LeaveBridge())
            turn.state = replace(state, bridge=None)
        if command.do == "leave":
            turn.say(kit.render.fill(command.reply or "", state.slots))
            return
        apply_command(kit, turn, command, fresh=True)
        return
    if inbound.kind is InboundKind.UNSUPPORTED:
        turn.say(kit.messages.bridge_media)
    elif text and button is None:
        turn.effects.append(ForwardToRelay(text))
