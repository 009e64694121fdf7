"""The bot's own questions (offer a person, pick a commune, confirm erasure) and commands."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.domain.messages import Button
from bot.domain.text import fold
from bot.domain.understanding import Understanding
from bot.engine.answers import parse_yes_no, place_slots
from bot.engine.choices import command_key
from bot.engine.loader import FlowSet
from bot.engine.render import Renderer
from bot.engine.schema import Command, FlowRef, InputStep, Target
from bot.engine.state import (
    ConversationState,
    EraseAll,
    Forget,
    Frame,
    Mode,
    ShowData,
    SlotValue,
    Status,
    StopContact,
)
from bot.engine.turn import SYSTEM, Question, Turn
from bot.geo.postal import PostalIndex

INTENT_THRESHOLD = 0.7  # an intent this sure triggers a global command


class SystemQuestions:
    """Part of :class:`~bot.engine.runner.Runner`: what the bot asks and does on its own."""

    flows: FlowSet
    places: PostalIndex
    render: Renderer
    _words: Mapping[str, Command]

    if TYPE_CHECKING:  # provided by Runner

        def _current(self, turn: Turn) -> Question | None: ...
        def _ask_current(self, turn: Turn) -> None: ...
        def _position_exists(self, state: ConversationState) -> bool: ...
        def _restart(
            self,
            turn: Turn,
            source: str | None,
            understanding: Understanding | None = None,
            text: str = "",
        ) -> None: ...
        def _enter(self, turn: Turn, flow_id: str, step_id: str | None) -> None: ...
        def _follow(self, turn: Turn, target: Target | None, after: str) -> None: ...
        def _store(self, turn: Turn, slot: str, value: SlotValue, **extra: SlotValue) -> None: ...

    # ------------------------------------------------------------------ bot's own questions
    def _offer_human(self, turn: Turn) -> None:
        messages = self.flows.glob.messages
        turn.say(
            messages.offer_human,
            (
                Button(f"/{SYSTEM}:human", messages.offer_human_yes),
                Button(f"/{SYSTEM}:retry", messages.offer_human_no),
            ),
        )

    def _answer_offer(self, turn: Turn, text: str, button: str | None) -> None:
        wants = button == f"/{SYSTEM}:human" or (button is None and parse_yes_no(text) is True)
        turn.state = replace(turn.state, mode=Mode.ANSWER, retries=0)
        commands = self.flows.glob.commands
        human = next((c for c in commands if c.id == "human"), None) or next(
            (c for c in commands if isinstance(c.do, FlowRef)), None
        )
        if wants and human is not None:
            self._apply_command(turn, human, fresh=False)
            return
        self._ask_current(turn)

    def _ask_pick(self, turn: Turn) -> None:
        buttons = tuple(
            Button(f"/{SYSTEM}:p{i}", label[:60]) for i, (_, label) in enumerate(turn.state.picks)
        )
        turn.say(
            "J'ai trouvé plusieurs communes. Laquelle est la tienne ?",
            (*buttons, Button(f"/{SYSTEM}:none", "Aucune de celles-ci")),
        )

    def _answer_pick(self, turn: Turn, text: str, button: str | None) -> None:
        picks = turn.state.picks
        index: int | None = None
        pressed = (button or "").removeprefix(f"/{SYSTEM}:p")
        if button is not None and pressed.isdigit():
            index = int(pressed)
        elif button is None and text.isdigit():
            index = int(text) - 1
        elif button is None:
            index = next(
                (i for i, (_, label) in enumerate(picks) if fold(label).startswith(fold(text))),
                None,
            )
        step = self._current(turn)
        turn.state = replace(turn.state, mode=Mode.ANSWER, picks=())
        if index is None or not 0 <= index < len(picks) or not isinstance(step, InputStep):
            if button not in (None, f"/{SYSTEM}:none"):
                turn.say(self.flows.glob.messages.unknown_button)
            self._ask_current(turn)
            return
        postal_code, insee = picks[index][0].split("|")
        place = next(p for p in self.places.by_code(postal_code) if p.insee == insee)
        extra = place_slots(place)
        self._store(turn, step.slot, extra.pop(step.slot, place.postal_code), **extra)
        self._follow(turn, step.next, turn.state.step or "")

    def _ask_erase(self, turn: Turn) -> None:
        turn.say(
            "Tu veux que j'efface tout ce que je sais sur toi ?\n"
            "Je ne pourrai pas revenir en arrière.",
            (
                Button(f"/{SYSTEM}:erase", "Oui, tout effacer"),
                Button(f"/{SYSTEM}:keep", "Non, garder"),
            ),
        )

    def _answer_erase(self, turn: Turn, text: str, button: str | None) -> None:
        confirmed = button == f"/{SYSTEM}:erase" or (button is None and parse_yes_no(text) is True)
        turn.state = replace(turn.state, mode=Mode.ANSWER)
        if confirmed:
            turn.effects.append(EraseAll())
            turn.say("C'est fait : j'ai tout effacé. Si tu m'écris à nouveau, on repart de zéro.")
            turn.state = ConversationState(status=Status.DONE)
            return
        turn.say("D'accord, je ne touche à rien.")
        if self._position_exists(turn.state):
            self._ask_current(turn)

    # ------------------------------------------------------------------ commands
    def _command(
        self,
        text: str,
        button: str | None,
        understanding: Understanding,
        threshold: float = INTENT_THRESHOLD,
    ) -> Command | None:
        if button is not None:
            if button.startswith(f"/{SYSTEM}:cmd_"):
                wanted = button.removeprefix(f"/{SYSTEM}:cmd_")
                return next((c for c in self.flows.glob.commands if c.id == wanted), None)
            return None
        command = self._words.get(command_key(text)) if text else None
        if command is not None:
            return command
        if understanding.intent and understanding.confidence >= threshold:
            return next(
                (c for c in self.flows.glob.commands if understanding.intent in c.intents), None
            )
        return None

    def _apply_command(self, turn: Turn, command: Command, fresh: bool) -> None:
        turn.intent = None  # the message was a command, not an answer for branches to test
        state = turn.state
        if command.do == "stop":
            turn.say(command.reply or "")
            if state.slots.get("consent_contact") != "yes":
                turn.effects.append(Forget())
                turn.state = ConversationState(status=Status.STOPPED)
            else:
                turn.effects.append(StopContact())
                turn.state = replace(state, status=Status.STOPPED, mode=Mode.ANSWER)
            return
        if command.do == "leave":  # "FIN" with nobody to leave: carry on
            if fresh:
                self._restart(turn, state.source)
            else:
                self._ask_current(turn)
            return
        if command.do in ("privacy", "access"):
            turn.say(self.render.fill(command.reply or "", state.slots))
            if command.do == "access":
                turn.effects.append(ShowData())
            if not fresh:
                self._ask_current(turn)
            return
        if command.do == "restart":
            turn.say(command.reply or "")
            self._restart(turn, state.source)
            return
        if command.do == "erase":
            turn.state = replace(state, mode=Mode.CONFIRM_ERASE, status=Status.ACTIVE)
            if not self._position_exists(turn.state):
                turn.state = replace(turn.state, flow=None, step=None)
            self._ask_erase(turn)
            return
        if command.do == "help":
            turn.say(command.reply or "")
            if fresh:
                self._restart(turn, state.source)
            else:
                self._ask_current(turn)
            return
        assert isinstance(command.do, FlowRef)
        turn.say(command.reply or "")
        if fresh:
            # A finished conversation keeps its answers (e.g. to correct one of them).
            kept = state.slots if state.status is Status.DONE else {}
            turn.state = ConversationState(status=Status.ACTIVE, slots=kept, source=state.source)
        elif state.flow and state.step:
            turn.state = replace(state, stack=(*state.stack, Frame(state.flow, state.step)))
        self._enter(turn, command.do.flow, command.do.step)
