"""Right-to-left text done right: values written left to right inside Arabic sentences.

A commune (« Vaulx-en-Velin »), a structure (« CitésLab Vaulx (démo) »), a postal code,
a phone number (« 06 12 34 56 78 ») or a case number put inside an Arabic sentence is
reordered by the Unicode bidirectional algorithm: its parentheses flip, and digit groups
separated by spaces come out in reverse order. Wrapped in a first-strong isolate
(U+2068 ... U+2069), such a value lays out on its own, left to right, wherever it sits.
Lines of Arabic that start with such a value also start with a right-to-left mark (U+200F)
so the whole line reads right to left (see ``bot flows check``).
"""

from __future__ import annotations

import unicodedata

RLM = "\u200f"  # right-to-left mark
FSI = "\u2068"  # first strong isolate: the value takes its own direction
PDI = "\u2069"  # pop directional isolate
MARKS = frozenset({RLM, FSI, PDI, "\u200e", "\u2066", "\u2067"})


def _direction(ch: str) -> str:
    return unicodedata.bidirectional(ch)


def right_to_left(text: str) -> bool:
    """True when ``text`` holds a right-to-left letter (Arabic, Hebrew...)."""
    return any(_direction(ch) in ("R", "AL") for ch in text)


def isolate(value: str) -> str:
    """``value`` wrapped in an isolate when it is one line written left to right (letters
    or digits, no right-to-left letter); any other value is returned as it is."""
    if not value or "\n" in value or value.startswith(FSI) or right_to_left(value):
        return value
    if not any(_direction(ch) in ("L", "EN", "AN") for ch in value):
        return value
    return f"{FSI}{value}{PDI}"


def embed(template: str, value: str) -> str:
    """``value`` as it goes into ``template``: isolated when its direction is not the
    template's (a commune inside an Arabic text; an Arabic pitch or first name inside a
    relay's French sheet), untouched otherwise."""
    if right_to_left(template):
        return isolate(value)
    if value and "\n" not in value and not value.startswith(FSI) and right_to_left(value):
        return f"{FSI}{value}{PDI}"
    return value


def strip_marks(text: str) -> str:
    """``text`` without direction marks (to compare what a person reads)."""
    return "".join(ch for ch in text if ch not in MARKS)
