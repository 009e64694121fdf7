"""Entities from the training data's regexes, lookup tables and synonyms, tolerant of typos."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Indel

from bot.domain.understanding import Entity
from bot.nlu.features import MAX_CHARS, fold_char
from bot.nlu.trainingdata import NLUData

FUZZY_CUTOFF = 80.0  # rapidfuzz ratio to consider a form at all; _typo() decides
FUZZY_MIN_LENGTH = 5  # shorter forms ("vtc", "dj", "cils") must be written exactly
FUZZY_MIN_TYPED = 4  # "snak" may be "snack"; three letters are too few to guess from
MAX_FORM_WORDS = 4

_WORD = re.compile(r"[^\W_]+")
_AMOUNT = re.compile(
    r"(?P<number>\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)(?:[.,](?P<decimals>\d+))?"
    r"\s*(?P<unit>k|mille|milles)?",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Word:
    text: str  # folded
    start: int  # offsets in the original text
    end: int


def _words(text: str) -> list[_Word]:
    """Folded words of ``text`` with their offsets in ``text`` (accents, case removed)."""
    if text.isascii():
        return [_Word(m.group(), m.start(), m.end()) for m in _WORD.finditer(text.lower())]
    folded: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        for out in fold_char(ch):
            folded.append(out)
            origin.append(index)
    plain = "".join(folded)
    return [
        _Word(m.group(), origin[m.start()], origin[m.end() - 1] + 1) for m in _WORD.finditer(plain)
    ]


def fold_words(text: str) -> tuple[str, ...]:
    """The folded words of a form, e.g. ``"Prêt-à-porter"`` -> ``("pret", "a", "porter")``."""
    return tuple(w.text for w in _words(text))


def normalize_amount(text: str) -> str | None:
    """Euros as a whole number: ``"10 000"`` -> ``"10000"``, ``"15k"`` -> ``"15000"``."""
    match = _AMOUNT.search(text)
    if match is None:
        return None
    number = re.sub(r"\D", "", match.group("number"))
    decimals = match.group("decimals") or ""
    value = float(f"{number}.{decimals}" if decimals else number)
    if match.group("unit"):
        value *= 1000
    return str(round(value))


def normalize_value(name: str, value: str, synonyms: Mapping[str, str]) -> str:
    """Canonical value of an entity (synonym mapped, amount in euros, code without spaces)."""
    if name == "amount":
        return normalize_amount(value) or value
    if name == "postal_code":
        return re.sub(r"\s", "", value)
    return synonyms.get(" ".join(fold_words(value)), value)


class EntityExtractor:
    """Finds entities: regexes as written in the data, then lookup forms (exact or fuzzy)."""

    def __init__(self, data: NLUData) -> None:
        self._synonyms = {" ".join(fold_words(k)): v for k, v in data.synonyms.items()}
        self._regexes = [
            (name, re.compile(pattern, re.IGNORECASE))
            for name, patterns in data.regexes.items()
            for pattern in patterns
        ]
        forms: dict[tuple[str, ...], tuple[str, str]] = {}
        for name, values in data.lookups.items():
            for value in values:
                words = fold_words(value)
                if words and len(words) <= MAX_FORM_WORDS:
                    forms.setdefault(words, (name, self.canonical(name, value)))
        self._forms = forms
        self._by_length: dict[int, list[str]] = {}
        for words in forms:
            if len("".join(words)) >= FUZZY_MIN_LENGTH:
                self._by_length.setdefault(len(words), []).append(" ".join(words))
        self._fuzzy_forms = {" ".join(w): v for w, v in forms.items()}
        # A word used in the training sentences is a real word, not a typo of a form.
        self._known = {w for e in data.examples for w in fold_words(e.text)}
        self._known.update(w for words in forms for w in words)

    def canonical(self, name: str, value: str) -> str:
        """Canonical value of entity ``name`` written ``value``."""
        return normalize_value(name, value, self._synonyms)

    def extract(self, text: str) -> tuple[Entity, ...]:
        """Every entity of ``text``, left to right, without overlaps."""
        text = text[:MAX_CHARS]
        found: list[Entity] = []
        for name, regex in self._regexes:
            for match in regex.finditer(text):
                if match.end() > match.start():
                    value = self.canonical(name, match.group())
                    found.append(Entity(name, value, match.start(), match.end()))
        found.extend(self._lookup(_words(text)))
        return _without_overlaps(found)

    def _lookup(self, words: list[_Word]) -> Iterable[Entity]:
        index = 0
        while index < len(words):
            hit = self._match_at(words, index)
            if hit is None:
                index += 1
                continue
            size, (name, value) = hit
            yield Entity(name, value, words[index].start, words[index + size - 1].end)
            index += size

    def _match_at(self, words: list[_Word], index: int) -> tuple[int, tuple[str, str]] | None:
        longest = min(MAX_FORM_WORDS, len(words) - index)
        for size in range(longest, 0, -1):
            window = tuple(w.text for w in words[index : index + size])
            exact = self._forms.get(window)
            if exact is not None:
                return size, exact
        for size in range(min(longest, 2), 0, -1):
            window = tuple(w.text for w in words[index : index + size])
            if all(w in self._known or w.isdigit() for w in window):
                continue
            fuzzy = self._fuzzy(" ".join(window), size)
            if fuzzy is not None:
                return size, fuzzy
        return None

    def _fuzzy(self, phrase: str, size: int) -> tuple[str, str] | None:
        if len(phrase.replace(" ", "")) < FUZZY_MIN_TYPED:
            return None
        candidates = self._by_length.get(size)
        if not candidates:
            return None
        for form, _score, _ in process.extract(
            phrase, candidates, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=3
        ):
            if form[0] == phrase[0] and _typo(phrase, form):
                return self._fuzzy_forms[form]
        return None


def _typo(typed: str, form: str) -> bool:
    """One slip (letter missing, extra, wrong or swapped), or two letters left out of a
    long word ("plombri"); "telephoner" is not "telephonie" (two letters changed)."""
    if OSA.distance(typed, form) <= 1:
        return True
    return len(form) >= 8 and len(form) - len(typed) == 2 and Indel.distance(typed, form) == 2


def _without_overlaps(entities: list[Entity]) -> tuple[Entity, ...]:
    """Regex matches win over lookups; overlapping spans and repeated values are dropped."""
    kept: list[Entity] = []
    for entity in entities:  # regex entities come first
        if all(entity.end <= k.start or entity.start >= k.end for k in kept):
            kept.append(entity)
    kept.sort(key=lambda e: (e.start, e.name))
    seen: set[tuple[str, str]] = set()
    unique = []
    for entity in kept:
        if (entity.name, entity.value) not in seen:
            seen.add((entity.name, entity.value))
            unique.append(entity)
    return tuple(unique)
