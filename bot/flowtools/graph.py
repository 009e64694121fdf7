"""The steps of a flow as a graph: where each step can lead, and where flows start."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.engine.loader import FlowSet, LoadedFlow
from bot.engine.schema import (
    ActionStep,
    BranchStep,
    CallStep,
    ChoiceStep,
    Condition,
    ConsentStep,
    EndStep,
    FlowRef,
    GotoStep,
    InputStep,
    SetStep,
    Target,
)

QUESTIONS = (ChoiceStep, InputStep, ConsentStep)
# Slots actions fill (a question on them may be skipped); unknown actions may fill any.
ACTION_SLOTS = {
    "match_relay": {"relay_id", "relay_name", "relay_structure", "relay_town", "relay_email"},
    "suggest_schemes": {"schemes", "schemes_text"},
    "create_lead": {"lead_status"},
}


class Via(StrEnum):
    """Why the bot takes an edge."""

    NEXT = "next"  # after the step (its answer, if a question)
    OPTION = "option"  # one button of a question
    IF = "if"  # a branch whose condition holds
    ELSE = "else"  # a branch where no condition held
    GOTO = "goto"


@dataclass(frozen=True, slots=True)
class Edge:
    """From a step to another step of the same flow, to another flow, or out.

    ``step`` is ``None`` when the edge leaves the flow: to ``flow`` (another flow), or
    off the end of the file (``flow`` is ``None`` too).
    """

    source: str
    step: str | None
    flow: FlowRef | None
    via: Via
    label: str = ""
    holds: Condition | None = None
    fails: tuple[Condition, ...] = ()

    @property
    def falls_off(self) -> bool:
        """True when the flow simply ends after the source step (last of the file)."""
        return self.step is None and self.flow is None


def _following(item: LoadedFlow, step_id: str) -> str | None:
    index = item.order.index(step_id) + 1
    return item.order[index] if index < len(item.order) else None


def _edge(
    item: LoadedFlow,
    source: str,
    target: Target | None,
    via: Via,
    label: str = "",
    holds: Condition | None = None,
    fails: tuple[Condition, ...] = (),
) -> Edge:
    if isinstance(target, FlowRef):
        return Edge(source, None, target, via, label, holds, fails)
    step = target if target is not None else _following(item, source)
    return Edge(source, step, None, via, label, holds, fails)


def prefillable(flows: FlowSet) -> set[str]:
    """Slots that may already hold a value when a question on them comes up."""
    asked: dict[str, int] = {}
    filled: set[str] = set()
    for item in flows.flows.values():
        for step in item.flow.steps.values():
            if isinstance(step, (ChoiceStep, InputStep)):
                asked[step.slot] = asked.get(step.slot, 0) + 1
                if step.entity:
                    filled.add(step.slot)
            elif isinstance(step, SetStep):
                filled.update(k for k, v in step.set.items() if v is not None)
            elif isinstance(step, ActionStep):
                filled.update(ACTION_SLOTS.get(step.action, set()))
    return filled | {slot for slot, count in asked.items() if count > 1}


def edges(item: LoadedFlow, prefilled: set[str]) -> dict[str, list[Edge]]:
    """Every edge out of every step of ``item``, in file order."""
    out: dict[str, list[Edge]] = {}
    for step_id, step in item.flow.steps.items():
        found: list[Edge] = []
        if isinstance(step, EndStep):
            pass
        elif isinstance(step, GotoStep):
            found.append(_edge(item, step_id, step.goto, Via.GOTO))
        elif isinstance(step, BranchStep):
            for index, condition in enumerate(step.branch):
                found.append(
                    _edge(
                        item,
                        step_id,
                        condition.goto,
                        Via.IF,
                        label=describe(condition),
                        holds=condition,
                        fails=tuple(step.branch[:index]),
                    )
                )
            found.append(_edge(item, step_id, step.next, Via.ELSE, fails=tuple(step.branch)))
        elif isinstance(step, (ChoiceStep, InputStep)):
            routed = [o for o in step.options if o.next is not None]
            multiple = isinstance(step, ChoiceStep) and step.multiple
            if not multiple:
                for option in routed:
                    found.append(_edge(item, step_id, option.next, Via.OPTION, label=option.label))
            others = [o.label for o in step.options if multiple or o.next is None]
            skippable = not step.ask_again and step.slot in prefilled
            if multiple or others or isinstance(step, InputStep) or skippable:
                label = " / ".join(others) if isinstance(step, ChoiceStep) else "réponse écrite"
                found.append(_edge(item, step_id, step.next, Via.NEXT, label=label))
        elif isinstance(step, ConsentStep):
            found.append(_edge(item, step_id, step.next, Via.NEXT, label="oui / non"))
        else:  # say, set, action, call: then the next step
            found.append(_edge(item, step_id, getattr(step, "next", None), Via.NEXT))
        out[step_id] = found
    return out


def describe(condition: Condition) -> str:
    """A branch condition in words: ``stage = established et needs vide``."""

    def part(wanted: Mapping[str, object]) -> str:
        words = []
        for slot, value in wanted.items():
            if value is None:
                words.append(f"{slot} vide")
            elif isinstance(value, list):
                words.append(f"{slot} = {' ou '.join(map(str, value))}")
            else:
                words.append(f"{slot} = {value}")
        return " et ".join(words)

    text = part(condition.if_) if condition.if_ else ""
    if condition.unless:
        text += (" sauf si " if text else "sauf si ") + part(condition.unless)
    return text


def entries(flows: FlowSet) -> dict[str, set[str]]:
    """Steps where each flow can be entered: its start, steps other flows jump to, and
    the steps follow-ups start at."""
    found: dict[str, set[str]] = {
        flow_id: {item.flow.start or item.order[0]} for flow_id, item in flows.flows.items()
    }

    def add(ref: FlowRef) -> None:
        if ref.flow in flows.flows and ref.step is not None:
            found[ref.flow].add(ref.step)

    for command in flows.glob.commands:
        if isinstance(command.do, FlowRef):
            add(command.do)
    if flows.followups is not None:  # the bot starts there itself, when a follow-up is due
        holder, settings = flows.followups
        for delay in settings.delays().values():
            add(FlowRef(flow=holder, step=delay.step))
    for item in flows.flows.values():
        for step in item.flow.steps.values():
            for target in _targets(step):
                if isinstance(target, FlowRef):
                    add(target)
    return found


def _targets(step: object) -> Iterable[Target]:
    for name in ("next", "goto"):
        value = getattr(step, name, None)
        if isinstance(value, (str, FlowRef)):
            yield value
    if isinstance(step, BranchStep):
        yield from (c.goto for c in step.branch)
    if isinstance(step, (ChoiceStep, InputStep)):
        yield from (o.next for o in step.options if o.next is not None)


def called(flows: FlowSet) -> set[str]:
    """Flows run by a ``call:`` step: reaching their last step returns to the caller."""
    return {
        step.call
        for item in flows.flows.values()
        for step in item.flow.steps.values()
        if isinstance(step, CallStep)
    }


def reachable(starts: Iterable[str], graph: Mapping[str, list[Edge]]) -> set[str]:
    """Steps reachable from ``starts`` inside one flow."""
    seen: set[str] = set()
    todo = [s for s in starts if s in graph]
    while todo:
        step = todo.pop()
        if step in seen:
            continue
        seen.add(step)
        todo.extend(e.step for e in graph[step] if e.step is not None and e.step not in seen)
    return seen
