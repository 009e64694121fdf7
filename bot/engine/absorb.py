"""NLU results in a conversation: entities fill slots, the intent is a read-only pseudo-slot."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.understanding import Understanding
from bot.engine.interpret import Chosen, read_input
from bot.engine.kit import Kit
from bot.engine.schema import INTENT_SLOT, ChoiceStep, InputStep
from bot.engine.state import ConversationState, SlotValue


def with_intent(slots: Mapping[str, SlotValue], intent: str | None) -> Mapping[str, SlotValue]:
    """``slots`` plus the read-only ``intent`` pseudo-slot that branch conditions may test."""
    return {**slots, INTENT_SLOT: intent} if intent else slots


def absorb_entities(
    kit: Kit, state: ConversationState, understanding: Understanding, this_year: int
) -> tuple[ConversationState, list[str]]:
    """Fill empty slots from the entities of a free text, so their questions are skipped.

    Every step of every flow that declares ``entity:`` takes its entity's value when it
    is a valid answer (an option id of a choice, or what the question accepts).

    Returns:
        The new state, and each filled answer as the resident would read it.
    """
    noted: list[str] = []
    if not understanding.entities:
        return state, noted
    for (flow_id, step_id), info in kit.questions.items():
        step = kit.question(flow_id, step_id)
        if not isinstance(step, (ChoiceStep, InputStep)) or not step.entity:
            continue
        value = understanding.entity(step.entity)
        if value is None or step.slot in state.slots:
            continue
        if isinstance(step, ChoiceStep):
            if any(o.id == value for o in step.options):
                state = state.with_slots(**{step.slot: [value] if step.multiple else value})
                noted.append(kit.render.label(step.slot, value))
            continue
        meaning = read_input(step, info, value, kit.finder, this_year=this_year)
        if isinstance(meaning, Chosen) and not meaning.options:
            state = state.with_slots(**{**meaning.extra, step.slot: meaning.value})
            where = meaning.extra.get("commune")
            noted.append(f"{where} ({meaning.value})" if where else str(meaning.value))
    return state, noted
