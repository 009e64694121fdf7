"""The pure flow runner: (state, event) -> replies, effects and the new state. No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from bot.domain.messages import Inbound, InboundKind
from bot.domain.text import clean
from bot.domain.understanding import Understanding
from bot.engine.absorb import absorb_entities, with_intent
from bot.engine.actions import Action
from bot.engine.answers import Ambiguous, Invalid, Valid, check, parse_yes_no
from bot.engine.choices import command_key, find_option, find_several, holds, option_ids
from bot.engine.loader import FlowSet
from bot.engine.render import DONE, PAYLOAD, Renderer
from bot.engine.schema import (
    ActionStep,
    BranchStep,
    CallStep,
    ChoiceStep,
    Command,
    ConsentStep,
    EndStep,
    FlowRef,
    GotoStep,
    InputStep,
    SayStep,
    SetStep,
    Target,
)
from bot.engine.state import (
    ConversationState,
    Forget,
    ForwardToRelay,
    Frame,
    LeaveBridge,
    Mode,
    Purpose,
    RecordConsent,
    SlotValue,
    Status,
)
from bot.engine.system import INTENT_THRESHOLD, SystemQuestions
from bot.engine.turn import Question, Turn, TurnResult, notice_hash
from bot.geo.postal import PostalIndex
from bot.privacy.sensitive import redact

MAX_STEPS_PER_TURN = 200
FREE_TEXT_INTENT_THRESHOLD = 0.9
OFF_TOPIC = "out_of_scope"  # the NLU's intent for chatter the bot cannot help with
# Commands that still reach the bot while a person talks with a relay.
BRIDGE_COMMANDS = ("stop", "erase", "privacy", "access", "leave")


class Runner(SystemQuestions):
    """Runs coordinators' flows; every dependency is an in-memory value."""

    def __init__(
        self,
        flows: FlowSet,
        places: PostalIndex,
        actions: Mapping[str, Action],
        constants: Mapping[str, str] | None = None,
    ) -> None:
        self.flows = flows
        self.places = places
        self.actions = actions
        self.constants = dict(constants or {})
        # Texts flows may quote: the data controller's details, then the notices.
        known = dict(self.constants)
        notices = {n.name: Renderer(flows, known).fill(n.text, {}) for n in flows.notices.values()}
        known.update({f"notice_{name}": text for name, text in notices.items()})
        self.render = Renderer(flows, known)
        self._words: dict[str, Command] = {
            command_key(word): command for command in flows.glob.commands for word in command.words
        }

    def with_flows(self, flows: FlowSet) -> Runner:
        """The same runner on another version of the flows (hot reload)."""
        return Runner(flows, self.places, self.actions, self.constants)

    # ------------------------------------------------------------------ entry point
    def run(
        self, state: ConversationState, inbound: Inbound, understanding: Understanding
    ) -> TurnResult:
        """Handle one inbound message."""
        turn = Turn(state)
        text = clean(inbound.text)
        button = inbound.payload or (text if PAYLOAD.match(text) else None)
        turn.intent = understanding.intent if button is None else None
        if state.bridge is not None:
            self._bridged(turn, inbound, text, button, understanding)
            return turn.result()
        fresh = state.status != Status.ACTIVE or not self._position_exists(state)
        if inbound.kind is InboundKind.START:
            self._restart(turn, inbound.source or state.source)
            return turn.result()
        command = self._command(text, button, understanding, self._intent_threshold(turn, fresh))
        if command is not None:
            self._apply_command(turn, command, fresh)
            return turn.result()
        if fresh:
            if state.status == Status.ACTIVE:  # the step it was on disappeared
                turn.say(self.flows.glob.messages.welcome_back)
            self._restart(turn, inbound.source or state.source, understanding, text)
            return turn.result()
        version = self.flows.flows[state.flow or ""].version
        if state.flow_version != version:  # the flow was edited since this person's last turn
            turn.state = replace(state, flow_version=version)
            if state.mode is Mode.ANSWER and isinstance(self._current(turn), ConsentStep):
                # The text on their screen may not be the one in force: ask again, so the
                # consent recorded is the one they read.
                self._ask_current(turn)
                return turn.result()
        messages = self.flows.glob.messages
        if inbound.kind is InboundKind.UNSUPPORTED:
            turn.say(messages.unsupported)
            self._ask_current(turn)
        elif len(text) > self.flows.glob.settings.max_text_length:
            turn.say(messages.too_long)
            self._ask_current(turn)
        elif not text and button is None:
            turn.say(messages.empty)
            self._ask_current(turn)
        elif state.mode is Mode.OFFER_HUMAN:
            self._answer_offer(turn, text, button)
        elif state.mode is Mode.PICK:
            self._answer_pick(turn, text, button)
        elif state.mode is Mode.CONFIRM_ERASE:
            self._answer_erase(turn, text, button)
        else:
            if button is None:
                self._absorb_entities(turn, understanding)
            self._answer(turn, text, button, understanding)
        return turn.result()

    # ------------------------------------------------------------------ talking with a relay
    def _bridged(
        self,
        turn: Turn,
        inbound: Inbound,
        text: str,
        button: str | None,
        understanding: Understanding,
    ) -> None:
        """A relay took the case: messages go to them; only rights commands reach the bot."""
        state = turn.state
        if state.mode is Mode.CONFIRM_ERASE:
            self._answer_erase(turn, text, button)
            return
        command = self._command(text, button, understanding)
        if command is not None and command.do in BRIDGE_COMMANDS:
            if command.do in ("leave", "stop"):
                turn.effects.append(LeaveBridge())
                turn.state = replace(state, bridge=None)
            if command.do == "leave":
                turn.say(self.render.fill(command.reply or "", state.slots))
                return
            self._apply_command(turn, command, fresh=True)
            return
        if inbound.kind is InboundKind.UNSUPPORTED:
            turn.say(self.flows.glob.messages.bridge_media)
        elif text and button is None:
            turn.effects.append(ForwardToRelay(text))

    def _intent_threshold(self, turn: Turn, fresh: bool) -> float:
        """A free-text answer ("une appli pour arrêter de fumer") may sound like a command:
        there, only a very confident intent (or a command's exact words) interrupts."""
        if fresh or turn.state.mode is not Mode.ANSWER:
            return INTENT_THRESHOLD
        step = self._current(turn)
        if isinstance(step, InputStep) and step.expect == "text":
            return FREE_TEXT_INTENT_THRESHOLD
        return INTENT_THRESHOLD

    # ------------------------------------------------------------------ positions
    def _position_exists(self, state: ConversationState) -> bool:
        item = self.flows.flows.get(state.flow or "")
        frames = (*state.stack, Frame(state.flow or "", state.step or ""))
        return item is not None and all(
            frame.flow in self.flows.flows and frame.step in self.flows.flows[frame.flow].flow.steps
            for frame in frames
        )

    def _current(self, turn: Turn) -> Question | None:
        state = turn.state
        step = self.flows.flows[state.flow or ""].flow.steps.get(state.step or "")
        return step if isinstance(step, (ChoiceStep, InputStep, ConsentStep)) else None

    def _restart(
        self,
        turn: Turn,
        source: str | None,
        understanding: Understanding | None = None,
        text: str = "",
    ) -> None:
        start = self.flows.glob.settings.start_flow
        turn.state = ConversationState(status=Status.ACTIVE, source=source)
        if understanding is not None and text:
            self._absorb_entities(turn, understanding)
        self._enter(turn, start, None)

    def _enter(self, turn: Turn, flow_id: str, step_id: str | None) -> None:
        item = self.flows.flows[flow_id]
        first = step_id or item.flow.start or item.order[0]
        turn.state = replace(turn.state, flow=flow_id, flow_version=item.version)
        self._advance(turn, first)

    def _follow(self, turn: Turn, target: Target | None, after: str) -> None:
        """Go to ``target``, or to the step written after ``after`` when none is given."""
        if isinstance(target, FlowRef):
            self._enter(turn, target.flow, target.step)
            return
        if target is None:
            order = self.flows.flows[turn.state.flow or ""].order
            index = order.index(after) + 1
            if index >= len(order):
                self._end(turn, None, forget=False)
                return
            target = order[index]
        self._advance(turn, target)

    # ------------------------------------------------------------------ the step loop
    def _advance(self, turn: Turn, step_id: str) -> None:
        """Run steps from ``step_id`` until one waits for the person or the flow ends."""
        for _ in range(MAX_STEPS_PER_TURN):
            flow = self.flows.flows[turn.state.flow or ""].flow
            step = flow.steps[step_id]
            turn.state = replace(turn.state, step=step_id, mode=Mode.ANSWER)
            slots = turn.state.slots
            nxt: Target | None = getattr(step, "next", None)
            if isinstance(step, SayStep):
                turn.say(self.render.fill(step.say, slots))
            elif isinstance(step, (ChoiceStep, InputStep)):
                if step.ask_again or step.slot not in slots:
                    turn.state = replace(turn.state, retries=0)
                    turn.replies.append(self.render.question(step_id, step, slots))
                    return
            elif isinstance(step, ConsentStep):
                if f"consent_{step.consent}" not in slots:
                    turn.state = replace(turn.state, retries=0)
                    turn.replies.append(self.render.consent(step_id, step, slots))
                    return
            elif isinstance(step, BranchStep):
                seen = with_intent(slots, turn.intent)
                nxt = next((c.goto for c in step.branch if holds(c, seen)), nxt)
            elif isinstance(step, SetStep):
                turn.state = turn.state.with_slots(**step.set)
            elif isinstance(step, GotoStep):
                nxt = step.goto
            elif isinstance(step, CallStep):
                after = self._after(turn.state.flow or "", step_id, step.next)
                if after is not None:
                    turn.state = replace(turn.state, stack=(*turn.state.stack, after))
                self._enter(turn, step.call, None)
                return
            elif isinstance(step, ActionStep):
                outcome = self.actions[step.action](slots, step.args)
                turn.state = turn.state.with_slots(**outcome.slots)
                for line in outcome.say:
                    turn.say(line)
                turn.effects.extend(outcome.effects)
            elif isinstance(step, EndStep):
                self._end(turn, step.end, forget=step.forget)
                return
            if isinstance(nxt, FlowRef):
                self._enter(turn, nxt.flow, nxt.step)
                return
            if nxt is None:
                order = self.flows.flows[turn.state.flow or ""].order
                index = order.index(step_id) + 1
                if index >= len(order):
                    self._end(turn, None, forget=False)
                    return
                nxt = order[index]
            step_id = nxt
        turn.say(self.flows.glob.messages.broken)
        turn.state = replace(turn.state, status=Status.DONE)

    def _after(self, flow_id: str, step_id: str, explicit: Target | None) -> Frame | None:
        if isinstance(explicit, str):
            return Frame(flow_id, explicit)
        if isinstance(explicit, FlowRef):
            item = self.flows.flows[explicit.flow]
            return Frame(explicit.flow, explicit.step or item.flow.start or item.order[0])
        order = self.flows.flows[flow_id].order
        index = order.index(step_id) + 1
        return Frame(flow_id, order[index]) if index < len(order) else None

    def _end(self, turn: Turn, text: str | None, *, forget: bool) -> None:
        if text:
            turn.say(self.render.fill(text, turn.state.slots))
        if forget:
            turn.effects.append(Forget())
            turn.state = ConversationState(status=Status.DONE, source=turn.state.source)
            return
        if turn.state.stack:
            frame = turn.state.stack[-1]
            turn.state = replace(turn.state, stack=turn.state.stack[:-1], flow=frame.flow)
            turn.state = replace(turn.state, flow_version=self.flows.flows[frame.flow].version)
            self._advance(turn, frame.step)
            return
        turn.state = replace(turn.state, status=Status.DONE, mode=Mode.ANSWER)

    # ------------------------------------------------------------------ answers
    def _ask_current(self, turn: Turn) -> None:
        state = turn.state
        step = self._current(turn)
        if state.mode is Mode.OFFER_HUMAN:
            self._offer_human(turn)
        elif state.mode is Mode.PICK:
            self._ask_pick(turn)
        elif state.mode is Mode.CONFIRM_ERASE:
            self._ask_erase(turn)
        elif isinstance(step, ConsentStep):
            turn.replies.append(self.render.consent(state.step or "", step, state.slots))
        elif step is not None:
            turn.replies.append(self.render.question(state.step or "", step, state.slots))

    def _answer(
        self, turn: Turn, text: str, button: str | None, understanding: Understanding
    ) -> None:
        step_id = turn.state.step or ""
        step = self._current(turn)
        if step is None:  # a conversation parked on a non-question step: move on
            self._advance(turn, step_id)
            return
        option_id: str | None = None
        if button is not None:
            match = PAYLOAD.match(button)
            pressed_step, option_id = match.groups() if match else ("", "")
            if pressed_step != step_id:
                turn.say(self.flows.glob.messages.stale_button)
                self._ask_current(turn)
                return
            valid = option_ids(step)
            if option_id not in valid:
                turn.say(self.flows.glob.messages.unknown_button)
                self._ask_current(turn)
                return
        if isinstance(step, ConsentStep):
            granted = option_id == "yes" if option_id else parse_yes_no(text)
            if granted is None:
                self._retry(turn, "Réponds avec un des deux boutons.")
                return
            self._consent(turn, step_id, step, granted)
            return
        if isinstance(step, ChoiceStep):
            self._answer_choice(turn, step_id, step, text, option_id, understanding)
            return
        chosen = find_option(step.options, option_id, text)
        if chosen is not None:
            self._store(turn, step.slot, chosen.id)
            self._follow(turn, chosen.next or step.next, step_id)
            return
        if step.expect == "text":
            redaction = redact(text)
            if redaction.categories:
                text = redaction.text
                turn.say(
                    self.flows.glob.messages.redacted.replace(
                        "{categories}", ", ".join(redaction.categories)
                    )
                )
        verdict = check(step, text, self.places)
        if isinstance(verdict, Valid):
            self._store(turn, step.slot, verdict.value, **verdict.extra)
            self._follow(turn, step.next, step_id)
        elif isinstance(verdict, Ambiguous):
            picks = tuple(
                (f"{p.postal_code}|{p.insee}", f"{p.commune} ({p.postal_code})")
                for p in verdict.places
            )
            turn.state = replace(turn.state, mode=Mode.PICK, picks=picks)
            self._ask_pick(turn)
        else:
            self._retry(turn, verdict.reason if isinstance(verdict, Invalid) else "")

    def _answer_choice(
        self,
        turn: Turn,
        step_id: str,
        step: ChoiceStep,
        text: str,
        option_id: str | None,
        understanding: Understanding,
    ) -> None:
        if step.multiple:
            current = turn.state.slots.get(step.slot)
            picked = list(current) if isinstance(current, list) else []
            if option_id == DONE:
                if not picked:
                    self._retry(turn, "Choisis au moins une réponse, puis « C'est tout ».")
                    return
                self._follow(turn, step.next, step_id)
                return
            if option_id is not None:
                picked = (
                    [p for p in picked if p != option_id]
                    if option_id in picked
                    else [*picked, option_id]
                )
                turn.state = turn.state.with_slots(**{step.slot: picked or None})
                question = self.render.question(step_id, step, turn.state.slots)
                noted = self.render.label(step.slot, picked) if picked else "rien pour l'instant"
                text = (
                    f"C'est noté : {noted}.\nAutre chose ? Sinon, appuie sur « {step.done_label} »."
                )
                turn.replies.append(replace(question, text=text))
                return
            several = find_several(step.options, text)
            if several:
                self._store(turn, step.slot, [o.id for o in several])
                self._follow(turn, step.next, step_id)
                return
            self._retry(turn, "Appuie sur les boutons, ou écris les numéros (par exemple 1 3).")
            return
        chosen = find_option(step.options, option_id, text)
        if chosen is None and step.entity:
            value = understanding.entity(step.entity)
            chosen = next((o for o in step.options if o.id == value), None)
        if chosen is None:
            self._retry(turn, "Choisis une des réponses avec les boutons.")
            return
        self._store(turn, step.slot, chosen.id)
        self._follow(turn, chosen.next or step.next, step_id)

    def _store(self, turn: Turn, slot: str, value: SlotValue, **extra: SlotValue) -> None:
        turn.state = replace(turn.state.with_slots(**{**extra, slot: value}), retries=0)

    def _consent(self, turn: Turn, step_id: str, step: ConsentStep, granted: bool) -> None:
        slots = turn.state.slots
        shown = self.render.fill(step.text, slots)
        version = f"{turn.state.flow}.{step_id}@{turn.state.flow_version}"
        relay = slots.get("relay_id") if step.consent == "relay" else None
        turn.effects.append(
            RecordConsent(
                Purpose(step.consent),
                granted,
                version,
                notice_hash(shown),
                relay if isinstance(relay, str) else None,
            )
        )
        self._store(turn, f"consent_{step.consent}", "yes" if granted else "no")
        self._follow(turn, step.next, step_id)

    def _retry(self, turn: Turn, reason: str) -> None:
        messages = self.flows.glob.messages
        if turn.noted:  # not this question's answer, but later ones': say so, ask again
            turn.say(messages.noted.replace("{noted}", ", ".join(turn.noted)))
            self._ask_current(turn)
            return
        chatter = messages.chatter.get(turn.intent or "")
        if chatter is not None and turn.intent != OFF_TOPIC:  # "merci": polite, not lost
            turn.say(chatter)
            self._ask_current(turn)
            return
        reason = chatter or reason  # off-topic: a kind redirect, still a misunderstanding
        retries = turn.state.retries + 1
        turn.state = replace(turn.state, retries=retries)
        if retries >= self.flows.glob.settings.max_retries:
            turn.state = replace(turn.state, mode=Mode.OFFER_HUMAN)
            self._offer_human(turn)
            return
        step = self._current(turn)
        hint = step.hint if isinstance(step, InputStep) and step.hint else ""
        turn.say(self.flows.glob.messages.retry.replace("{reason}", reason).replace("{hint}", hint))
        self._ask_current(turn)

    # ------------------------------------------------------------------ NLU entities
    def _absorb_entities(self, turn: Turn, understanding: Understanding) -> None:
        """Fill empty slots from entities found in free text, so their questions are skipped."""
        turn.state, noted = absorb_entities(
            self.flows, self.places, self.render, turn.state, understanding
        )
        turn.noted.extend(noted)
