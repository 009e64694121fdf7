"""Walking a flow: run steps until one waits for the person, enter and leave flows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime

from bot.domain.messages import Button, Outbound
from bot.domain.understanding import Understanding
from bot.engine.absorb import absorb_entities, with_intent
from bot.engine.choices import holds
from bot.engine.faq import answer_text
from bot.engine.kit import Kit, next_in_file
from bot.engine.schema import (
    ActionStep,
    BranchStep,
    CallStep,
    ChoiceStep,
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
    Frame,
    Mode,
    ShowData,
    SlotValue,
    Status,
)
from bot.engine.turn import SYSTEM, Turn

MAX_STEPS_PER_TURN = 200
HUMAN = "human"  # the bot's own "parler à quelqu'un" button: /_sys:human


def human_button(kit: Kit) -> Button:
    return Button(f"/{SYSTEM}:{HUMAN}", kit.messages.offer_human_yes)


def position_exists(kit: Kit, state: ConversationState) -> bool:
    """True when the step a conversation is on (and every step it returns to) exists."""
    item = kit.flows.flows.get(state.flow or "")
    frames = (*state.stack, Frame(state.flow or "", state.step or ""))
    return item is not None and all(
        frame.flow in kit.flows.flows and frame.step in kit.flows.flows[frame.flow].flow.steps
        for frame in frames
    )


def restart(
    kit: Kit,
    turn: Turn,
    source: str | None,
    understanding: Understanding | None = None,
    text: str = "",
) -> None:
    """Start the first flow afresh (entities of the first message fill their slots)."""
    turn.state = ConversationState(status=Status.ACTIVE, source=source)
    if understanding is not None and text:
        absorb(kit, turn, understanding)
    enter(kit, turn, kit.flows.glob.settings.start_flow, None)


def absorb(kit: Kit, turn: Turn, understanding: Understanding) -> None:
    """Fill empty slots from entities found in free text, so their questions are skipped."""
    turn.state, noted = absorb_entities(kit, turn.state, understanding, turn.now.year)
    turn.noted.extend(noted)


def enter(kit: Kit, turn: Turn, flow_id: str, step_id: str | None) -> None:
    item = kit.flows.flows[flow_id]
    first = step_id or item.flow.start or item.order[0]
    turn.state = replace(turn.state, flow=flow_id, flow_version=item.version)
    advance(kit, turn, first)


def next_step(kit: Kit, flow_id: str, step_id: str, target: Target | None) -> Target | None:
    """Where to go after ``step_id``: ``target``, else the step written after it."""
    return target if target is not None else next_in_file(kit.flows, flow_id, step_id)


def follow(kit: Kit, turn: Turn, target: Target | None, after: str) -> None:
    """Go to ``target``, or to the step written after ``after`` when none is given."""
    nxt = next_step(kit, turn.state.flow or "", after, target)
    if isinstance(nxt, FlowRef):
        enter(kit, turn, nxt.flow, nxt.step)
    elif nxt is None:
        end(kit, turn, None, forget=False)
    else:
        advance(kit, turn, nxt)


def advance(kit: Kit, turn: Turn, step_id: str) -> None:
    """Run steps from ``step_id`` until one waits for the person or the flow ends."""
    for _ in range(MAX_STEPS_PER_TURN):
        flow_id = turn.state.flow or ""
        step = kit.flows.flows[flow_id].flow.steps[step_id]
        turn.state = replace(turn.state, step=step_id, mode=Mode.ANSWER)
        slots = turn.view()
        nxt: Target | None = getattr(step, "next", None)
        if isinstance(step, SayStep):
            turn.say(kit.render.fill(step.say, slots))
        elif isinstance(step, (ChoiceStep, InputStep, ConsentStep)):
            slot = f"consent_{step.consent}" if isinstance(step, ConsentStep) else step.slot
            again = not isinstance(step, ConsentStep) and step.ask_again
            if again or slot not in turn.state.slots:
                turn.state = replace(turn.state, retries=0, numbered=False)
                turn.replies.append(question(kit, turn.state, step_id, context=turn.context))
                return
        elif isinstance(step, BranchStep):
            seen = with_intent(slots, turn.intent)
            nxt = next((c.goto for c in step.branch if holds(c, seen)), nxt)
        elif isinstance(step, SetStep):
            turn.state = turn.state.with_slots(**step.set)
        elif isinstance(step, GotoStep):
            nxt = step.goto
        elif isinstance(step, CallStep):
            after = next_step(kit, flow_id, step_id, step.next)
            if after is not None:
                frame = _frame(kit, flow_id, after)
                turn.state = replace(turn.state, stack=(*turn.state.stack, frame))
            enter(kit, turn, step.call, None)
            return
        elif isinstance(step, ActionStep) and step.action in ENGINE_ACTIONS:
            if step.action == "new_project":
                restart(kit, turn, turn.state.source)
                return
            _engine_action(kit, turn, step)
        elif isinstance(step, ActionStep):
            outcome = kit.actions[step.action](slots, step.args, turn.now)
            turn.state = turn.state.with_slots(**outcome.slots)
            for line in outcome.say:
                turn.say(line)
            turn.effects.extend(outcome.effects)
        elif isinstance(step, EndStep):
            if step.close:
                turn.state = replace(turn.state, stack=())
            end(kit, turn, step.end, forget=step.forget)
            return
        nxt = next_step(kit, flow_id, step_id, nxt)
        if isinstance(nxt, FlowRef):
            enter(kit, turn, nxt.flow, nxt.step)
            return
        if nxt is None:
            end(kit, turn, None, forget=False)
            return
        step_id = nxt
    turn.say(kit.messages.broken)
    turn.state = replace(turn.state, status=Status.DONE)


ENGINE_ACTIONS = ("answer_faq", "show_data", "new_project")
"""Actions about the conversation itself, run by the engine (not in ``kit.actions``)."""


def _engine_action(kit: Kit, turn: Turn, step: ActionStep) -> None:
    if step.action == "answer_faq":
        wanted = str(step.args.get("id", ""))
        entry = next((e for e in kit.flows.faq.faq if e.id == wanted), None)
        turn.say(answer_text(kit, turn, entry, "") if entry else kit.flows.faq.unknown)
    elif step.action == "show_data":
        access = next((c for c in kit.flows.glob.commands if c.do == "access"), None)
        turn.say(kit.render.fill(access.reply or "", turn.view()) if access else "")
        turn.effects.append(ShowData())


def _frame(kit: Kit, flow_id: str, target: Target) -> Frame:
    if isinstance(target, FlowRef):
        item = kit.flows.flows[target.flow]
        return Frame(target.flow, target.step or item.flow.start or item.order[0])
    return Frame(flow_id, target)


def end(kit: Kit, turn: Turn, text: str | None, *, forget: bool) -> None:
    """The flow ends: back to the flow that called it, else the conversation is done."""
    if text:
        turn.say(kit.render.fill(text, turn.view()))
    if forget:
        turn.effects.append(Forget())
        turn.state = ConversationState(status=Status.DONE, source=turn.state.source)
        return
    if turn.state.stack:
        frame = turn.state.stack[-1]
        version = kit.flows.flows[frame.flow].version
        turn.state = replace(
            turn.state, stack=turn.state.stack[:-1], flow=frame.flow, flow_version=version
        )
        advance(kit, turn, frame.step)
        return
    turn.state = replace(turn.state, status=Status.DONE, mode=Mode.ANSWER)


def asked_key(state: ConversationState, step_id: str) -> str:
    """How an answered question is remembered: ``flow.step`` (flows may call others)."""
    return f"{state.flow}.{step_id}"


def counted(kit: Kit, state: ConversationState, step_id: str) -> bool:
    """True for a question that counts in « Question N sur M » and was not answered yet."""
    item = kit.flows.flows[state.flow or ""]
    step = item.flow.steps.get(step_id)
    return (
        item.flow.progress
        and isinstance(step, (ChoiceStep, InputStep))
        and step.progress
        and asked_key(state, step_id) not in state.asked
    )


def progress(kit: Kit, state: ConversationState, step_id: str) -> str:
    """The « Question N sur M. » of a counted question, from the questions really asked."""
    if not counted(kit, state, step_id):
        return ""
    ahead = _questions_ahead(kit, state, step_id)
    n = sum(1 for key in state.asked if key.startswith(f"{state.flow}.")) + 1
    return kit.messages.progress.replace("{n}", str(n)).replace("{total}", str(n + ahead))


def _questions_ahead(kit: Kit, state: ConversationState, step_id: str) -> int:
    """Counted questions after ``step_id`` on the path its answers so far point to
    (remembered per flow version, position, answers and questions asked)."""
    tested = kit.tested.get(state.flow or "", {})
    values = tuple(
        _hashable(value) if ids is None or value in ids else True
        for name, ids in tested.items()
        if (value := state.slots.get(name)) is not None
    )
    # Only what the walk reads: which answers exist, the values branches test and the
    # buttons chosen (a free text is never kept in memory: it reads as True).
    key = (state.flow, step_id, frozenset(state.slots), values, state.asked)
    found = kit.ahead.get(key)
    if found is None:
        if len(kit.ahead) > AHEAD_CACHE:
            kit.ahead.clear()
        found = kit.ahead[key] = _walk_ahead(kit, state, step_id)
    return found


AHEAD_CACHE = 4096


def _hashable(value: SlotValue) -> object:
    return tuple(value) if isinstance(value, list) else value


# Built-in actions are pure: the look-ahead runs them too, so a question skipped on what
# an action finds (« situation_matters ») is not counted. Their clock is not read there.
LOOKAHEAD_NOW = datetime(2000, 1, 1, tzinfo=UTC)


def _walk_ahead(kit: Kit, state: ConversationState, step_id: str) -> int:
    flow_id = state.flow or ""
    steps = kit.flows.flows[flow_id].flow.steps
    slots: dict[str, SlotValue] = dict(state.slots)
    count, seen = 0, {step_id}
    current: str | None = step_id
    for _ in range(MAX_STEPS_PER_TURN):
        step = steps[current or ""]
        nxt: Target | None = getattr(step, "next", None)
        if isinstance(step, (ChoiceStep, InputStep)):
            value = slots.get(step.slot)
            chosen = next((o for o in step.options if o.id == value), None)
            if chosen is not None and chosen.next is not None:
                nxt = chosen.next
            fresh = step.slot not in slots or step.ask_again
            done = asked_key(state, current or "") in state.asked
            if current != step_id and fresh and step.progress and not done:
                count += 1
        elif isinstance(step, BranchStep):
            nxt = next((c.goto for c in step.branch if holds(c, slots)), nxt)
        elif isinstance(step, SetStep):
            slots.update(step.set)
        elif isinstance(step, ActionStep) and step.action in kit.actions:
            found = kit.actions[step.action](slots, step.args, LOOKAHEAD_NOW).slots
            slots.update(found)
            for name in [k for k, v in found.items() if v is None]:
                del slots[name]
        elif isinstance(step, GotoStep):
            nxt = step.goto
        elif isinstance(step, (EndStep, CallStep)):
            break
        following = next_step(kit, flow_id, current or "", nxt)
        if not isinstance(following, str) or following in seen:
            break
        seen.add(following)
        current = following
    return count


def question(
    kit: Kit, state: ConversationState, step_id: str, *, context: Mapping[str, SlotValue] = {}
) -> Outbound:
    """The current question as the person reads it: progress, text, buttons; numbered
    choices and a way to a person after repeated misunderstandings."""
    step = kit.flows.flows[state.flow or ""].flow.steps[step_id]
    slots = {**context, **state.slots}
    prefix = progress(kit, state, step_id)
    if isinstance(step, ConsentStep):
        return kit.render.consent(step_id, step, slots, prefix)
    assert isinstance(step, (ChoiceStep, InputStep))
    stuck = state.retries >= kit.flows.glob.settings.max_retries
    return kit.render.question(
        step_id,
        step,
        slots,
        prefix=prefix,
        numbered=state.numbered,
        human=human_button(kit) if stuck else None,
    )
