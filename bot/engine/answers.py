"""Typed validators for free-text answers: text, number, yes/no, postal code, location."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.domain.text import fold, has_words
from bot.engine.schema import InputStep
from bot.engine.state import SlotValue
from bot.geo.postal import Place, PostalIndex

YES = frozenset(
    {
        "oui", "ouais", "ouai", "ok", "okay", "oki", "d'accord", "dac", "dacc", "daccord",
        "yes", "yep", "y", "o", "ui", "wi", "vi", "bien sur", "exactement", "exact",
        "carrement", "grave", "voila", "c'est ca", "cest ca", "c bon", "c'est bon",
        "cest bon", "tout a fait",
    }
)  # fmt: skip
NO = frozenset({"non", "nan", "no", "nope", "n", "pas du tout", "jamais", "non merci"})

_NUMBER = re.compile(r"(\d[\d\s.,]*)\s*(k|m|mille)?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Valid:
    """The answer is usable: the slot's value and any extra slots it fills."""

    value: SlotValue
    extra: dict[str, SlotValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Invalid:
    """The answer cannot be used; ``reason`` is said to the person (French)."""

    reason: str


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """Several places match: the person picks one."""

    places: tuple[Place, ...]


Verdict = Valid | Invalid | Ambiguous


def parse_yes_no(text: str) -> bool | None:
    """``True`` for yes, ``False`` for no, ``None`` when unclear."""
    folded = fold(text)
    if folded in YES:
        return True
    if folded in NO:
        return False
    first = folded.split(" ", 1)[0] if folded else ""
    if first in {"oui", "ouais", "ok", "yes"}:
        return True
    if first in {"non", "nan", "no"}:
        return False
    return None


def parse_number(text: str) -> float | None:
    """Read ``5000``, ``5 000 €``, ``5k``, ``2,5``; ``None`` when there is no number."""
    match = _NUMBER.search(text)
    if not match:
        return None
    digits = re.sub(r"\s", "", match.group(1)).rstrip(".,")
    if re.fullmatch(r"\d{1,3}([.]\d{3})+", digits):
        digits = digits.replace(".", "")
    digits = digits.replace(",", ".")
    try:
        value = float(digits)
    except ValueError:
        return None
    unit = (match.group(2) or "").lower()
    if unit in ("k", "mille"):
        value *= 1000
    elif unit == "m":
        value *= 1_000_000
    return value


def place_slots(place: Place) -> dict[str, SlotValue]:
    """The slots a chosen place fills."""
    return {
        "postal_code": place.postal_code,
        "commune": place.commune,
        "insee": place.insee,
        "department": place.department,
    }


def check(step: InputStep, text: str, places: PostalIndex) -> Verdict:
    """Validate ``text`` as an answer to ``step``."""
    if step.expect == "text":
        if not has_words(text):
            return Invalid("Écris-le avec quelques mots 🙂")
        if len(text) > step.max_length:
            return Invalid(
                f"C'est un peu long : {step.max_length} caractères au plus, s'il te plaît."
            )
        return Valid(text)
    if step.expect == "yes_no":
        answer = parse_yes_no(text)
        return Invalid("Réponds par oui ou par non.") if answer is None else Valid(answer)
    if step.expect == "number":
        number = parse_number(text)
        if number is None:
            return Invalid("Écris un nombre, en chiffres (par exemple 5000).")
        if step.min is not None and number < step.min:
            return Invalid(f"Le nombre doit être au moins {step.min:g}.")
        if step.max is not None and number > step.max:
            return Invalid(f"Le nombre doit être au plus {step.max:g}.")
        return Valid(int(number) if number.is_integer() else number)
    found = tuple(places.search(text))
    if step.expect == "postal_code" and not re.search(r"\d{2}\s?\d{3}", text):
        return Invalid("Écris ton code postal en 5 chiffres (par exemple 69120).")
    if not found:
        if re.search(r"\d", text):
            return Invalid("Je ne trouve pas ce code postal. Vérifie les 5 chiffres.")
        return Invalid("Je ne trouve pas cette commune. Essaie avec ton code postal (5 chiffres).")
    if len(found) == 1:
        return Valid(found[0].postal_code, place_slots(found[0]))
    return Ambiguous(found)
