"""Conditions over slots, the ids a question accepts, and the key of a command word."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from bot.domain.text import fold
from bot.engine.render import DONE
from bot.engine.schema import ChoiceStep, ConsentStep, Scalar
from bot.engine.state import SlotValue
from bot.engine.turn import Question


def command_key(text: str) -> str:
    """Comparison key of a command word ("?" has no letters but is a word)."""
    return fold(text) or text.strip()


class Guarded(Protocol):
    """Anything with an ``if`` and an ``unless`` (branch conditions, FAQ variants)."""

    @property
    def if_(self) -> Mapping[str, Scalar | list[Scalar]] | None: ...
    @property
    def unless(self) -> Mapping[str, Scalar | list[Scalar]] | None: ...


def holds(condition: Guarded, slots: Mapping[str, SlotValue]) -> bool:
    def matches(wanted: Mapping[str, object]) -> bool:
        for name, expected in wanted.items():
            value = slots.get(name)
            if expected is None:
                if value is not None:
                    return False
            elif isinstance(expected, list):
                if isinstance(value, list):
                    if not set(map(str, value)) & set(map(str, expected)):
                        return False
                elif value not in expected:
                    return False
            elif isinstance(value, list):
                if str(expected) not in value:
                    return False
            elif value != expected:
                return False
        return True

    if condition.if_ is not None and not matches(condition.if_):
        return False
    return not (condition.unless is not None and matches(condition.unless))


def option_ids(step: Question) -> set[str]:
    if isinstance(step, ConsentStep):
        return {"yes", "no"}
    ids = {o.id for o in step.options}
    if isinstance(step, ChoiceStep) and step.multiple:
        ids.add(DONE)
    return ids
