"""Numbers as people type them: "34", "34a", "trente ans", "la trentaine", "depuis 2018"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.text import fold

_UNITS = {
    "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
    "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20, "trente": 30,
    "quarante": 40, "cinquante": 50, "soixante": 60, "cent": 100, "cents": 100,
    "mille": 1000,
    # Usual misspellings (never a French word of their own).
    "trante": 30, "quarente": 40, "cinquente": 50, "soixente": 60, "vingts": 20,
    "catre": 4, "katre": 4, "quatres": 4, "sinq": 5, "cinque": 5, "diz": 10,
    "seze": 16, "douz": 12, "kinz": 15, "troi": 3, "neuff": 9, "deuxs": 2,
}  # fmt: skip
# "Une trentaine": about thirty, i.e. anything from 30 to 39.
_ABOUT = {
    "dizaine": (10, 10), "douzaine": (12, 12), "quinzaine": (15, 15),
    "vingtaine": (20, 29), "trentaine": (30, 39), "quarantaine": (40, 49),
    "cinquantaine": (50, 59), "soixantaine": (60, 69), "centaine": (100, 199),
}  # fmt: skip
# Words after a number saying it counts years.
YEARS = frozenset({"an", "ans", "a", "piges", "pige", "balais", "berges", "annees", "annee"})
MANY = 10_000.0  # the open end of "plus de 10"
_DIGITS = re.compile(r"\d+")
_GLUED = re.compile(r"(\d)([a-z])")  # "34ans", "34a", "8e"
_ORDINAL = re.compile(r"^(\d+)(?:e|er|eme|ieme|em|ieme|me)$")
_YEAR = re.compile(r"\b(?:depuis|en|nee?|creee?|creation|annee)\s+((?:19|20)\d\d)\b")
_COMPANIONS = re.compile(r"\b(?:plus|avec|et)\s+moi\b|\bmoi\s+(?:plus|et)\s+\d+\b")


@dataclass(frozen=True, slots=True)
class Reading:
    """A number read in a text: exact (``low == high``) or a span ("la trentaine").

    ``years`` says a years word followed it ("34 ans"); ``said`` is how it was written.
    """

    low: float
    high: float
    said: str
    years: bool = False

    @property
    def exact(self) -> bool:
        return self.low == self.high


@dataclass(frozen=True, slots=True)
class _Found:
    reading: Reading
    start: int  # token index where the number starts


def _words_value(words: list[str]) -> int:
    """Value of a run of French number words ("quatre vingt dix sept" -> 97)."""
    total = current = previous = 0
    for word in words:
        value = _UNITS[word]
        if value == 100:
            current = max(current, 1) * 100
        elif value == 1000:
            total += max(current, 1) * 1000
            current = 0
        elif value == 20 and previous == 4:
            current += 80 - 4  # "quatre vingt"
        else:
            current += value
        previous = value
    return total + current


def _tokens(text: str) -> list[str]:
    spaced = re.sub(r"(?<![\w])-\s?(?=\d)", " moins ", text.replace("+", " plus "))
    folded = _GLUED.sub(r"\1 \2", fold(spaced).replace("-", " "))
    tokens = [t for t in re.split(r"[\s']+", folded) if t]
    merged: list[str] = []
    for token in tokens:  # "8 e" back to the ordinal "8e"; "34 a" stays a number and "a"
        if merged and _DIGITS.fullmatch(merged[-1]) and token in ("e", "er", "eme", "em", "me"):
            merged[-1] += token
        else:
            merged.append(token)
    return merged


def _scan(tokens: list[str]) -> list[_Found]:
    found: list[_Found] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        ordinal = _ORDINAL.match(token)
        digits = ordinal.group(1) if ordinal else token
        end = i + 1
        if _DIGITS.fullmatch(digits):
            value = float(digits)
        elif token in _ABOUT:
            low, high = _ABOUT[token]
            found.append(_Found(Reading(low, high, token, _years_at(tokens, end)), i))
            i = end
            continue
        elif token in _UNITS and (token not in ("un", "une") or _years_at(tokens, end)):
            while end < len(tokens) and (
                tokens[end] == "et"
                or tokens[end] in _UNITS
                and (tokens[end] not in ("un", "une") or tokens[end - 1] == "et")
            ):
                end += 1
            if tokens[end - 1] == "et":
                end -= 1
            value = float(_words_value([t for t in tokens[i:end] if t != "et"]))
        else:
            i += 1
            continue
        if ["et", "demi"] in (tokens[end : end + 2], tokens[end + 1 : end + 3]):
            value += 0.5
        said = " ".join(tokens[i:end])
        found.append(_Found(Reading(value, value, said, _years_at(tokens, end)), i))
        i = end
    return found


def _years_at(tokens: list[str], index: int) -> bool:
    if tokens[index : index + 1] in (["d"], ["de"]):  # "une dizaine d'années"
        index += 1
    return index < len(tokens) and tokens[index] in YEARS


def read_numbers(text: str) -> list[Reading]:
    """Every number written in ``text``, in order (digits, words, "la trentaine")."""
    return [f.reading for f in _scan(_tokens(text))]


def read_number(text: str, *, this_year: int = 2026) -> Reading | None:
    """The number a short answer gives: one followed by "ans" first, else the first one.

    Understands "entre 25 et 30" (a span), "moins de 15" (0-14), "plus de 10" (11 and
    more), "bientôt 18" (17), "-5", "depuis 2018" (years since) and "on est 4 plus moi"
    (the person counts too).
    """
    folded = fold(text).replace("-", " ")
    year = _YEAR.search(folded)
    if year and 1900 <= int(year.group(1)) <= this_year:
        since = float(this_year - int(year.group(1)))
        return Reading(since, since, year.group(0), years=True)
    tokens = _tokens(text)
    found = _scan(tokens)
    if not found:
        return None
    if len(found) >= 2 and "entre" in tokens[: found[0].start + 1]:
        first, second = found[0].reading, found[1].reading
        return Reading(first.low, second.high, f"{first.said} et {second.said}", second.years)
    chosen = next((f for f in found if f.reading.years), found[0])
    reading = chosen.reading
    before = " ".join(tokens[max(0, chosen.start - 3) : chosen.start])
    low, high = reading.low, reading.high
    if before.endswith("moins") and not before.endswith(("au moins", "moins de")):
        low, high = -low, -high
    elif before.endswith("moins de"):
        low, high = 0, max(0.0, low - 1)
    elif before.endswith(("plus de", "au moins")):
        low, high = (low + 1 if before.endswith("plus de") else low), MANY
    elif before.endswith(("bientot", "presque")) and low >= 1:
        low, high = low - 1, high - 1
    after = tokens[chosen.start + len(reading.said.split()) :]
    after = after[1:4] if after[:1] and after[0] in YEARS else after[:3]
    if after[:2] in (["ou", "plus"], ["et", "plus"]) or after[:1] == ["plus"] and len(after) == 1:
        high = MANY
    elif reading.exact and _COMPANIONS.search(" ".join(tokens)):
        low, high = low + 1, high + 1
    return Reading(low, high, reading.said, reading.years)
