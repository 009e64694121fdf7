"""The pure flow runner: (state, event) -> replies, effects and the new state. No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime

from bot.domain.messages import Inbound, InboundKind, Outbound
from bot.domain.text import clean
from bot.domain.understanding import Understanding
from bot.engine import faq, language
from bot.engine.actions import Action
from bot.engine.answer import answer, read, take
from bot.engine.checkin import check_in, checking_in, seen
from bot.engine.commands import (
    INTENT_THRESHOLD,
    answer_stop,
    apply_command,
    bridged,
    command_by_intent,
    command_by_words,
)
from bot.engine.interpret import Chosen
from bot.engine.kit import FaqValues, Kit, Localise, make_kit
from bot.engine.loader import FlowSet
from bot.engine.own import (
    CONFIRMED,
    OTHER,
    answer_confirm,
    answer_erase,
    answer_pick,
    ask_current,
    ask_stop,
)
from bot.engine.render import PAYLOAD, Renderer
from bot.engine.schema import ChoiceStep, ConsentStep, InputStep
from bot.engine.state import ConversationState, Mode, SlotValue, Status
from bot.engine.translate import translated
from bot.engine.turn import Turn, TurnResult
from bot.engine.walk import absorb, enter, position_exists, restart
from bot.geo.search import PlaceFinder

FREE_TEXT_INTENT_THRESHOLD = 0.9
THANKS = ("thanks", "goodbye")  # after the end, these only get a polite word back


class Runner:
    """Runs coordinators' flows; every dependency is an in-memory value."""

    def __init__(
        self,
        flows: FlowSet,
        finder: PlaceFinder,
        actions: Mapping[str, Action],
        constants: Mapping[str, str] | None = None,
        faq_values: FaqValues | None = None,
        labels: Mapping[tuple[str, str], str] | None = None,
        lang: str = language.SOURCE,
        localise: Localise | None = None,
    ) -> None:
        self.flows = flows
        self.localise = localise  # the reference data in a language (scheme texts)
        self.finder = finder
        self.actions = actions
        self.constants = dict(constants or {})
        self.faq_values = faq_values
        self.labels = dict(labels or {})  # ids of reference data as they read (scheme names)
        # Texts flows may quote: the data controller's details, then the notices.
        known = dict(self.constants)
        notices = {n.name: Renderer(flows, known).fill(n.text, {}) for n in flows.notices.values()}
        known.update({f"notice_{name}": text for name, text in notices.items()})
        self.render = Renderer(flows, known, self.labels)
        extra = {} if faq_values is None else {"faq_values": faq_values}
        self.kit: Kit = make_kit(flows, finder, actions, self.render, lang=lang, **extra)
        # One runner per other language, over the flows (and schemes) with its texts.
        self.by_lang: dict[str, Runner] = {}
        for code, t in flows.translations.items():
            if code not in flows.glob.languages:
                continue
            acts, values = localise(t.texts) if localise else (actions, faq_values)
            self.by_lang[code] = Runner(
                translated(flows, t), finder, acts, constants, values, labels, code
            )
        self.languages = {
            code: lang
            for code, lang in flows.glob.languages.items()
            if code == language.SOURCE or code in self.by_lang
        }

    def speaking(self, lang: str) -> Runner:
        """The runner with the texts of ``lang`` (French for an unknown one)."""
        return self.by_lang.get(lang, self)

    def with_flows(self, flows: FlowSet) -> Runner:
        """The same runner on another version of the flows (hot reload)."""
        return Runner(
            flows,
            self.finder,
            self.actions,
            self.constants,
            self.faq_values,
            self.labels,
            localise=self.localise,
        )

    def with_reference(
        self,
        actions: Mapping[str, Action],
        faq_values: FaqValues | None,
        labels: Mapping[tuple[str, str], str],
        localise: Localise | None = None,
    ) -> Runner:
        """The same runner on another version of the reference data (hot reload)."""
        return Runner(
            self.flows,
            self.finder,
            actions,
            self.constants,
            faq_values,
            labels,
            localise=localise,
        )

    def again(self, state: ConversationState) -> tuple[Outbound, ...]:
        """What the conversation waits for, asked again (a message redelivered after its
        reply was lost); nothing when it waits for nothing."""
        kit = self.speaking(state.lang).kit
        if state.status != Status.ACTIVE or not position_exists(kit, state):
            return ()
        turn = Turn(state)
        ask_current(kit, turn)
        return _in_language(turn.result()).replies

    def check_in(
        self,
        state: ConversationState,
        flow: str,
        step: str,
        context: Mapping[str, SlotValue] | None = None,
        now: datetime | None = None,
    ) -> TurnResult:
        """The bot asks first: a follow-up starting at ``flow.step`` (see
        :func:`bot.engine.checkin.check_in`); ``context`` as for :meth:`run`. In the
        person's language."""
        kit = self.speaking(state.lang).kit
        result = check_in(kit, state, flow, step, context or {}, now or datetime.now(UTC))
        return _in_language(result)

    def run(
        self,
        state: ConversationState,
        inbound: Inbound,
        understanding: Understanding,
        context: Mapping[str, SlotValue] | None = None,
    ) -> TurnResult:
        """Handle one inbound message; ``context`` holds read-only values (the case).

        The person's language is settled first (asked for, or guessed from their first
        messages); the runner with that language's texts does the rest.
        """
        text = clean(inbound.text)
        button = inbound.payload or (text if PAYLOAD.match(text) else None)
        ask = False
        if state.bridge is None and inbound.kind is not InboundKind.START:
            lang = language.chosen(self.languages, text, button)
            if lang is not None:
                return self.speaking(lang).switched(replace(state, lang=lang), inbound)
            lang, ask = language.guessed(self.languages, state, text if button is None else "")
            state = replace(state, lang=lang)
        result = self.speaking(state.lang).answer_turn(state, inbound, understanding, context)
        if result.state.lang != state.lang:  # a restart starts a new state: the language stays
            result = replace(result, state=replace(result.state, lang=state.lang))
        if ask:
            choice = language.offer(self.languages, self.kit.messages.language_ask)
            result = replace(result, replies=(*result.replies, choice))
        return _in_language(result)

    def switched(self, state: ConversationState, inbound: Inbound) -> TurnResult:
        """The person chose this runner's language: say so, then ask again where they were."""
        turn = Turn(state, now=inbound.received_at)
        turn.say(self.kit.messages.language_set)
        if state.status is Status.ACTIVE and position_exists(self.kit, state):
            ask_current(self.kit, turn)
        elif state.status is Status.NEW:
            restart(self.kit, turn, inbound.source or state.source)
        result = turn.result()
        return _in_language(replace(result, state=replace(result.state, lang=state.lang)))

    def answer_turn(
        self,
        state: ConversationState,
        inbound: Inbound,
        understanding: Understanding,
        context: Mapping[str, SlotValue] | None = None,
    ) -> TurnResult:
        """One turn in this runner's language."""
        kit = self.kit
        turn = Turn(state, context=dict(context or {}), now=inbound.received_at)
        text = clean(inbound.text)
        button = inbound.payload or (text if PAYLOAD.match(text) else None)
        turn.intent = understanding.intent if button is None else None
        turn.sure = turn.intent is not None and understanding.confidence >= INTENT_THRESHOLD
        if state.bridge is not None and not checking_in(kit, state):
            bridged(kit, turn, inbound, text, button, understanding)
            return turn.result()
        if state.bridge is not None and state.mode is Mode.UNSEEN:
            # A follow-up's question not shown yet: the message still goes to the relay,
            # then the question comes.
            bridged(kit, turn, inbound, text, button, understanding)
            if checking_in(kit, turn.state) and turn.state.mode is Mode.UNSEEN:
                ask_current(kit, turn)
            return turn.result()
        fresh = state.status != Status.ACTIVE or not position_exists(kit, state)
        if inbound.kind is InboundKind.START:
            if self._after_end(state):  # a deep link opened again: not a new intake
                self._fresh(turn, inbound, "", understanding)
            else:
                restart(kit, turn, inbound.source or state.source)
            return turn.result()
        if state.mode is Mode.CONFIRM_STOP:
            if answer_stop(kit, turn, text, button):
                return turn.result()
            state = turn.state  # something else: read as usual
        command = command_by_words(kit, text, button)
        guessed = command is None and button is None  # only the NLU may find a command
        if guessed:
            command = command_by_intent(kit, understanding, self._threshold(state, fresh))
            if command is not None and not fresh and self._answers(turn, text, understanding):
                command = None  # "appelez-moi" answers "tu préfères quoi ?": not a command
        if command is not None:
            if guessed and command.do == "stop":
                ask_stop(kit, turn)  # « envoie-moi un message » sounds like one: asked first
            else:
                apply_command(kit, turn, command, fresh)
            return turn.result()
        if state.mode is Mode.CONFIRM_ERASE:  # asked with or without a step to go back to
            answer_erase(kit, turn, text, button)
            return turn.result()
        if fresh:
            self._fresh(turn, inbound, text, understanding)
            return turn.result()
        version = self.flows.flows[state.flow or ""].version
        if state.flow_version != version:  # the flow was edited since this person's last turn
            turn.state = replace(state, flow_version=version)
            if state.mode is Mode.ANSWER and isinstance(
                kit.question(state.flow, state.step), ConsentStep
            ):
                # The text on their screen may not be the one in force: ask again, so the
                # consent recorded is the one they read.
                ask_current(kit, turn)
                return turn.result()
        if turn.state.mode is Mode.UNSEEN:
            seen(kit, turn, text, button, understanding)
            return turn.result()
        self._message(turn, inbound, text, button, understanding)
        return turn.result()

    def _threshold(self, state: ConversationState, fresh: bool) -> float:
        """A free-text answer ("une appli pour arrêter de fumer") may sound like a command:
        there, only a very confident intent (or a command's exact words) interrupts."""
        if fresh or state.mode is not Mode.ANSWER:
            return INTENT_THRESHOLD
        step = self.kit.question(state.flow, state.step)
        if isinstance(step, InputStep) and step.expect == "text":
            return FREE_TEXT_INTENT_THRESHOLD
        return INTENT_THRESHOLD

    def _answers(self, turn: Turn, text: str, understanding: Understanding) -> bool:
        """True when ``text`` is a usable answer to the question waiting (not free text)."""
        state = turn.state
        step = self.kit.question(state.flow, state.step)
        if state.mode is not Mode.ANSWER or step is None:
            return False
        if isinstance(step, InputStep) and step.expect == "text":
            return False
        return isinstance(read(self.kit, turn, state.step or "", step, text, understanding), Chosen)

    def _message(
        self,
        turn: Turn,
        inbound: Inbound,
        text: str,
        button: str | None,
        understanding: Understanding,
    ) -> None:
        kit = self.kit
        messages = kit.messages
        mode = turn.state.mode
        if inbound.kind is InboundKind.UNSUPPORTED:
            turn.say(messages.unsupported)
            ask_current(kit, turn)
        elif len(text) > self.flows.glob.settings.max_text_length:
            turn.say(messages.too_long)
            ask_current(kit, turn)
        elif not text and button is None:
            turn.say(messages.empty)
            ask_current(kit, turn)
        elif mode is Mode.PICK and answer_pick(kit, turn, text, button):
            return
        elif mode is Mode.CONFIRM_ANSWER:
            outcome, option_id = answer_confirm(kit, turn, text, button)
            if outcome == CONFIRMED:
                self._confirmed(turn, option_id)
            elif outcome == OTHER:
                self._message(turn, inbound, text, button, understanding)
        else:
            turn.state = replace(turn.state, mode=Mode.ANSWER)  # OFFER_HUMAN of old states
            if button is None:
                absorb(kit, turn, understanding)
            answer(kit, turn, text, button, understanding)

    def _confirmed(self, turn: Turn, option_id: str) -> None:
        """The person confirmed a typed answer that ends the chat: take it."""
        step_id = turn.state.step or ""
        step = self.kit.question(turn.state.flow, step_id)
        if not isinstance(step, (ChoiceStep, InputStep)):
            return
        option = next(o for o in step.options if o.id == option_id)
        take(self.kit, turn, step_id, step, Chosen(option.id, (option,)), "", confirmed=True)

    def _after_end(self, state: ConversationState) -> bool:
        """A finished conversation that kept something goes on in the after-end flow."""
        after = self.flows.glob.settings.after_end
        return state.status is Status.DONE and bool(state.slots) and after in self.flows.flows

    def _fresh(self, turn: Turn, inbound: Inbound, text: str, understanding: Understanding) -> None:
        """A message after the end: questions answered, thanks acknowledged, else the
        after-end flow; a conversation that kept nothing starts over."""
        kit = self.kit
        state = turn.state
        after = self.flows.glob.settings.after_end
        if self._after_end(state):
            entry = faq.match(kit, text, understanding) if text else None
            if entry is not None:
                faq.say_answer(kit, turn, entry, text)
                return
            chatter = kit.messages.chatter.get(turn.intent or "")
            if chatter is not None and turn.intent in THANKS:
                turn.say(chatter)
                return
            turn.state = replace(state, status=Status.ACTIVE, stack=())
            enter(kit, turn, after or "", None)
            return
        if state.status == Status.ACTIVE:  # the step it was on disappeared
            turn.say(kit.messages.welcome_back)
        restart(kit, turn, inbound.source or state.source, understanding, text)


def _in_language(result: TurnResult) -> TurnResult:
    """Replies marked with the person's language (channels add their words in it)."""
    lang = result.state.lang
    if lang in ("", language.SOURCE):  # French: what channels add by default
        return result
    return replace(result, replies=tuple(replace(r, lang=lang) for r in result.replies))
