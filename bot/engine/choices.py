"""Matching answers to buttons and conditions: numbers, labels, typos, several at once."""

from __future__ import annotations

from collections.abc import Mapping

from rapidfuzz import fuzz

from bot.domain.text import fold
from bot.engine.render import DONE
from bot.engine.schema import ChoiceStep, Condition, ConsentStep, Option
from bot.engine.state import SlotValue
from bot.engine.turn import Question


def command_key(text: str) -> str:
    """Comparison key of a command word ("?" has no letters but is a word)."""
    return fold(text) or text.strip()


def holds(condition: Condition, slots: Mapping[str, SlotValue]) -> bool:
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


def find_option(options: list[Option], option_id: str | None, text: str) -> Option | None:
    """The option pressed, or named by its number, label or one of its words."""
    if option_id is not None:
        return next((o for o in options if o.id == option_id), None)
    folded = fold(text)
    if not folded or not options:
        return None
    if folded.isdigit() and 1 <= int(folded) <= len(options):
        return options[int(folded) - 1]
    for option in options:
        if folded == fold(option.label) or folded in (fold(w) for w in option.words):
            return option
    best = max(options, key=lambda o: fuzz.ratio(folded, fold(o.label)))
    return best if fuzz.ratio(folded, fold(best.label)) >= 85 else None


def find_several(options: list[Option], text: str) -> list[Option]:
    """Several options named at once: "1 3", "1, 3 et 4", or labels separated by commas."""
    folded = fold(text.replace(",", " , "))
    parts = [p for p in folded.replace(" et ", " , ").split(",") if p.strip()]
    numbers = folded.replace(",", " ").split()
    if numbers and all(n.isdigit() for n in numbers):
        found = [options[int(n) - 1] if 1 <= int(n) <= len(options) else None for n in numbers]
    else:
        found = [find_option(options, None, part) for part in parts]
    if not found or any(o is None for o in found):
        return []
    unique = {o.id: o for o in found if o is not None}
    return list(unique.values())
