"""Find the phrases a message names, at word boundaries, with typos and negations in mind."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from bot.domain.text import fold

_NEGATIONS = frozenset({"pas", "sans", "ni", "aucun", "aucune", "jamais", "sauf"})
# Where a message lists what the person needs, "j'ai déjà le local" rules the local out.
ALREADY = frozenset({"deja"})
# Words that may sit between a negation and what it negates ("pas besoin d'un local").
_BETWEEN = frozenset(
    {"de", "d", "du", "des", "un", "une", "le", "la", "les", "l", "besoin", "encore", "trop",
     "vraiment", "forcement", "tellement", "spécialement", "specialement", "mon", "ma", "mes"}
)  # fmt: skip
BREAK = "|"  # stands for punctuation between two parts of a message
# After a need, these say the person has it already ("le local c bon").
_SETTLED = frozenset(
    {"c bon", "c'est bon", "cest bon", "c est", "ok", "ca va", "deja |", "c regle"}
)
_STOP = frozenset(
    {"je", "j", "j'ai", "jai", "tu", "il", "on", "un", "une", "le", "la", "les", "l", "de",
     "des", "du", "d", "a", "ai", "as", "au", "aux", "et", "ou", "en", "mon", "ma", "mes",
     "pour", "c", "ce", "est", "c'est", "cest", "me", "m", "moi", "suis", "chui", "jsuis", "que",
     "qui"}
)  # fmt: skip
MIN_FUZZY_LENGTH = 5


def words(text: str) -> list[str]:
    """Folded words of ``text``; apostrophes split ("l'argent" -> "l", "argent").

    Punctuation between words becomes :data:`BREAK`, so "je sais pas, un local" does
    not read as "pas ... un local".
    """
    found: list[str] = []
    for part in re.split(r"[,.;:!?()]+|\s-\s", text):
        tokens = [w for w in re.split(r"[\s'’\-]+", fold(part)) if w]
        if tokens:
            found.extend([*tokens, BREAK])
    return found[:-1]


def _negated(before: Sequence[str], negations: frozenset[str] = _NEGATIONS) -> bool:
    """True when the words before a phrase end with a negation ("pas de", "sans")."""
    for word in reversed(before):
        if word in negations:
            return True
        if word not in _BETWEEN:
            return False
    return False


@dataclass(frozen=True, slots=True)
class Phrase:
    """A phrase naming ``key`` (an option id), as folded words."""

    key: str
    tokens: tuple[str, ...]

    @property
    def content(self) -> int:
        """How many of its words carry meaning (not "je", "un", "de"...)."""
        return len([t for t in self.tokens if t not in _STOP])


@dataclass(frozen=True, slots=True)
class Hit:
    """Where a phrase was found: the word span, and whether it matched without typos."""

    key: str
    start: int
    end: int
    exact: bool
    content: int


def make_phrases(named: Mapping[str, Iterable[str]]) -> tuple[Phrase, ...]:
    """Phrases from each key's ways of saying it; phrases of only stop words are dropped."""
    phrases: list[Phrase] = []
    for key, texts in named.items():
        for text in texts:
            tokens = tuple(words(text))
            if tokens and any(t not in _STOP for t in tokens):
                phrases.append(Phrase(key, tokens))
    return tuple(phrases)


def _close(a: str, b: str) -> bool:
    """Equal, or one typo in a word of 5 letters or more (two from 9), same first letter."""
    if a == b:
        return True
    if min(len(a), len(b)) < MIN_FUZZY_LENGTH or a[0] != b[0]:
        return False
    return Levenshtein.distance(a, b, score_cutoff=2) <= (1 if len(b) < 10 else 2)


@dataclass(frozen=True, slots=True)
class PhraseIndex:
    """Phrases by the first letter of their first word: a word only meets the phrases
    that can start with it (a typo never changes the first letter)."""

    by_letter: Mapping[str, tuple[Phrase, ...]]

    @classmethod
    def of(cls, phrases: Sequence[Phrase]) -> PhraseIndex:
        grouped: dict[str, list[Phrase]] = {}
        for phrase in phrases:
            grouped.setdefault(phrase.tokens[0][:1], []).append(phrase)
        return cls({letter: tuple(found) for letter, found in grouped.items()})


def find_hits(
    text_words: Sequence[str], phrases: Sequence[Phrase] | PhraseIndex, *, needs: bool = False
) -> list[Hit]:
    """Every phrase found in ``text_words`` that is not negated ("pas de local"; with
    ``needs``, "j'ai déjà le local" too).

    A phrase matches where its words follow each other, each equal to the text's word
    or close to it (one typo in a long word); stop words must be equal.
    """
    index = phrases if isinstance(phrases, PhraseIndex) else PhraseIndex.of(phrases)
    hits: list[Hit] = []
    n = len(text_words)
    negations = _NEGATIONS | ALREADY if needs else _NEGATIONS
    for start, first in enumerate(text_words):
        for phrase in index.by_letter.get(first[:1], ()):
            size = len(phrase.tokens)
            if start + size > n:
                continue
            exact = True
            for offset, token in enumerate(phrase.tokens):
                word = text_words[start + offset]
                if word == token:
                    continue
                if token in _STOP or not _close(word, token):
                    break
                exact = False
            else:
                before = text_words[max(0, start - 4) : start]
                if _negated(before, negations) and not negations.intersection(phrase.tokens):
                    continue
                after = " ".join(text_words[start + size : start + size + 2])
                if needs and after in _SETTLED:  # "le financement c'est bon": not needed
                    continue
                hits.append(Hit(phrase.key, start, start + size, exact, phrase.content))
    return sorted(hits, key=lambda h: (h.start, h.key))


def best_keys(hits: Sequence[Hit], text_words: Sequence[str] = ()) -> list[str]:
    """The keys named, dropping a hit covered by a longer one of another key.

    "je vends déjà" names "testing" even if "je vends" alone also named something else.
    With ``text_words``, what comes after "pour" (who it is for) gives way to what comes
    before: "maquillage pour les mariages" is about make-up.
    """
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.end - h.start, h.exact), reverse=True):
        covered = any(
            k.start <= hit.start and hit.end <= k.end and k.end - k.start > hit.end - hit.start
            for k in kept
            if k.key != hit.key
        )
        if not covered:
            kept.append(hit)
    if "pour" in text_words and len({h.key for h in kept}) > 1:
        cut = list(text_words).index("pour")
        before = [h for h in kept if h.end <= cut]
        kept = before or kept
    return list(dict.fromkeys(h.key for h in sorted(kept, key=lambda h: h.start)))
