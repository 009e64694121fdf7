"""What every part of the runner reads: flows, texts, matching data, reference data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.domain.text import fold
from bot.engine.actions import Action
from bot.engine.choices import command_key
from bot.engine.interpret import QuestionInfo, question_info
from bot.engine.loader import FlowSet
from bot.engine.messages import Messages
from bot.engine.render import Renderer
from bot.engine.schema import (
    BranchStep,
    ChoiceStep,
    Command,
    ConsentStep,
    EndStep,
    FaqEntry,
    FlowRef,
    InputStep,
    SayStep,
    SetStep,
    Target,
)
from bot.engine.turn import Question
from bot.geo.search import PlaceFinder

FaqValues = Callable[[str], Mapping[str, str]]
"""Values an FAQ answer may quote, found in the question ("c'est quoi l'Adie ?")."""

Localise = Callable[[Mapping[str, Any]], tuple[Mapping[str, Action], FaqValues | None]]
"""The actions and FAQ values over the reference data in one language (its texts by key)."""


def _no_values(text: str) -> Mapping[str, str]:
    return {}


@dataclass(frozen=True, slots=True)
class Kit:
    """The runner's read-only dependencies for one version of the flows."""

    flows: FlowSet
    finder: PlaceFinder
    actions: Mapping[str, Action]
    render: Renderer
    commands: Mapping[str, Command]  # by the folded words that trigger them
    questions: Mapping[tuple[str, str], QuestionInfo]
    faq_values: FaqValues = field(default=_no_values)
    faq_examples: Mapping[str, FaqEntry] = field(default_factory=dict)  # by folded example
    ahead: dict[object, int] = field(default_factory=dict)  # questions left, by position
    # Per flow, the slots whose values the walk reads: by branches (any value: None), by
    # questions typed in (only their buttons' ids count; a free text never does).
    tested: Mapping[str, Mapping[str, frozenset[str] | None]] = field(default_factory=dict)
    lang: str = "fr"  # the language of the texts
    # The steps follow-ups start at (``(flow, step)`` -> follow-up name): their answer is
    # recorded on the lead.
    followup_steps: Mapping[tuple[str, str], str] = field(default_factory=dict)

    @property
    def messages(self) -> Messages:
        return self.flows.glob.messages

    def step(self, flow_id: str, step_id: str) -> object:
        return self.flows.flows[flow_id].flow.steps.get(step_id)

    def question(self, flow_id: str | None, step_id: str | None) -> Question | None:
        """The question at a position, or ``None`` when it is not a question."""
        item = self.flows.flows.get(flow_id or "")
        step = item.flow.steps.get(step_id or "") if item else None
        return step if isinstance(step, (ChoiceStep, InputStep, ConsentStep)) else None

    def info(self, flow_id: str | None, step_id: str | None) -> QuestionInfo:
        return self.questions[(flow_id or "", step_id or "")]


def next_in_file(flows: FlowSet, flow_id: str, step_id: str) -> str | None:
    """The step written after ``step_id`` in its flow, or ``None`` at the end."""
    order = flows.flows[flow_id].order
    index = order.index(step_id) + 1
    return order[index] if index < len(order) else None


def _ends(flows: FlowSet, flow_id: str, target: Target | None, after: str) -> bool:
    """True when going to ``target`` ends the chat (and forgets) before any question."""
    step_id: str | None = after
    nxt = target
    for _ in range(20):
        if isinstance(nxt, FlowRef):
            return False
        step_id = nxt if nxt is not None else next_in_file(flows, flow_id, step_id or "")
        if step_id is None:
            return False
        step = flows.flows[flow_id].flow.steps[step_id]
        if isinstance(step, EndStep):
            return step.forget
        if not isinstance(step, (SayStep, SetStep)):
            return False
        nxt = step.next
    return False


def _tested(steps: list[object]) -> dict[str, frozenset[str] | None]:
    """The slots a walk through ``steps`` reads, and which of their values matter."""
    found: dict[str, frozenset[str] | None] = {}
    for step in steps:
        if isinstance(step, InputStep):
            found.setdefault(step.slot, frozenset(o.id for o in step.options))
    for step in steps:
        if isinstance(step, ChoiceStep):
            found[step.slot] = None
        elif isinstance(step, BranchStep):
            for condition in step.branch:
                for name in {**(condition.if_ or {}), **(condition.unless or {})}:
                    found[name] = None
    return dict(sorted(found.items()))


def make_kit(
    flows: FlowSet,
    finder: PlaceFinder,
    actions: Mapping[str, Action],
    render: Renderer,
    faq_values: FaqValues = _no_values,
    lang: str = "fr",
) -> Kit:
    """Precompute commands and question matching data for ``flows``."""
    commands = {
        command_key(word): command for command in flows.glob.commands for word in command.words
    }
    questions: dict[tuple[str, str], QuestionInfo] = {}
    for flow_id, item in flows.flows.items():
        for step_id, step in item.flow.steps.items():
            if isinstance(step, (ChoiceStep, InputStep)):
                ends = frozenset(
                    o.id for o in step.options if _ends(flows, flow_id, o.next, step_id)
                )
                questions[(flow_id, step_id)] = question_info(step, ends)
            elif isinstance(step, ConsentStep):
                questions[(flow_id, step_id)] = question_info(step)
    examples = {fold(x): entry for entry in flows.faq.faq for x in entry.examples}
    tested = {fid: _tested(list(item.flow.steps.values())) for fid, item in flows.flows.items()}
    followup_steps: dict[tuple[str, str], str] = {}
    if flows.followups is not None:
        holder, settings = flows.followups
        for name, delay in settings.delays().items():
            followup_steps[(holder, delay.step)] = name
    return Kit(
        flows,
        finder,
        actions,
        render,
        commands,
        questions,
        faq_values,
        examples,
        tested=tested,
        lang=lang,
        followup_steps=followup_steps,
    )
