"""NLU results in a conversation: entities fill slots, the intent is a read-only pseudo-slot."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.understanding import Understanding
from bot.engine.answers import Valid, check
from bot.engine.loader import FlowSet
from bot.engine.render import Renderer
from bot.engine.schema import INTENT_SLOT, ChoiceStep, InputStep
from bot.engine.state import ConversationState, SlotValue
from bot.geo.postal import PostalIndex


def with_intent(slots: Mapping[str, SlotValue], intent: str | None) -> Mapping[str, SlotValue]:
    """``slots`` plus the read-only ``intent`` pseudo-slot that branch conditions may test."""
    return {**slots, INTENT_SLOT: intent} if intent else slots


def absorb_entities(
    flows: FlowSet,
    places: PostalIndex,
    render: Renderer,
    state: ConversationState,
    understanding: Understanding,
) -> tuple[ConversationState, list[str]]:
    """Fill empty slots from the entities of a free text, so their questions are skipped.

    Every step of every flow that declares ``entity:`` takes its entity's value when it
    is a valid answer (an option id of a choice, or what the validator accepts).

    Returns:
        The new state, and each filled answer as the resident would read it.
    """
    noted: list[str] = []
    if not understanding.entities:
        return state, noted
    for item in flows.flows.values():
        for step in item.flow.steps.values():
            if not isinstance(step, (ChoiceStep, InputStep)) or not step.entity:
                continue
            value = understanding.entity(step.entity)
            if value is None or step.slot in state.slots:
                continue
            if isinstance(step, ChoiceStep):
                if any(o.id == value for o in step.options):
                    state = state.with_slots(**{step.slot: [value] if step.multiple else value})
                    noted.append(render.label(step.slot, value))
                continue
            verdict = check(step, value, places)
            if isinstance(verdict, Valid):
                state = state.with_slots(**{**verdict.extra, step.slot: verdict.value})
                where = verdict.extra.get("commune")
                noted.append(f"{where} ({verdict.value})" if where else str(verdict.value))
    return state, noted
