"""Rules on wording: words to avoid, readability (Kandel-Moles), about 3 short lines."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.domain.text import fold
from bot.flowtools.findings import Finding, warning
from bot.flowtools.style import Avoid, Style
from bot.flowtools.texts import Text

if TYPE_CHECKING:
    from textstat.textstat import textstatistics

_PLACEHOLDER = re.compile(r"\{[a-z][a-z0-9_]*\}")
_BULLET = re.compile(r"^\s*(?:[•*\-–]|\d+[.)])\s+")
_NOT_TEXT = re.compile(r"[^\w\s'’.,;:!?«»()\-]+")
EXCERPT = 90
READABILITY_LANGS = ("fr",)  # Kandel-Moles is the French formula


def excerpt(text: str) -> str:
    """The start of a message on one line, for a finding."""
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1].rstrip() + "…"


def _pattern(word: str) -> re.Pattern[str]:
    # Whole words, accents and case ignored, plural or feminine forms too.
    tokens = [re.escape(token) + "(?:e|s|es|x)?" for token in fold(word).split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(tokens) + r"(?!\w)")


@lru_cache(maxsize=256)
def _compiled(words: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    # Longest first, so "quartier sensible" is named rather than "quartier".
    return tuple((w, _pattern(w)) for w in sorted(words, key=len, reverse=True))


def avoided(text: str, rules: Iterable[Avoid]) -> list[tuple[Avoid, str]]:
    """The rules ``text`` breaks, each with the word of the list it contains."""
    folded = fold(_PLACEHOLDER.sub(" ", text))
    found: list[tuple[Avoid, str]] = []
    for rule in rules:
        for word, pattern in _compiled(tuple(rule.words)):
            if pattern.search(folded):
                found.append((rule, word))
                break
    return found


@lru_cache(maxsize=1)
def _stats() -> textstatistics:
    # textstat pulls in nltk, scipy and scikit-learn (~170 MB, 1.5 s): the running bot,
    # which only needs the check's errors, never loads it.
    from textstat.textstat import textstatistics

    stats = textstatistics()
    stats.set_lang("fr")
    return stats


def readability(text: str) -> tuple[float, int]:
    """Kandel-Moles score of ``text`` (placeholders and emoji left out) and its word count."""
    plain = _NOT_TEXT.sub(" ", _PLACEHOLDER.sub(" ", text))
    plain = "\n".join(_BULLET.sub("", line) for line in plain.splitlines())
    stats = _stats()
    words = int(stats.lexicon_count(plain))
    return float(stats.flesch_reading_ease(plain)), words


def line_count(text: str) -> int:
    """Written lines of a message; a bulleted list counts as one line."""
    count = 0
    in_list = False
    for line in text.strip().splitlines():
        if not line.strip():
            in_list = False
            continue
        bullet = bool(_BULLET.match(line))
        if not (bullet and in_list):
            count += 1
        in_list = bullet
    return count


def _offset(text: str, rule: Avoid) -> int:
    """Index of the first line of ``text`` breaking ``rule``."""
    lines = text.splitlines()
    return next((i for i, line in enumerate(lines) if avoided(line, [rule])), 0)


def check_words(items: Iterable[Text], style: Style) -> list[Finding]:
    """Words to avoid in every text; readability and length of every message."""
    found: list[Finding] = []
    for item in items:
        for rule, word in avoided(item.text, style.avoid):
            line = item.line
            if item.file.startswith("notices/") and line is not None:
                line += _offset(item.text, rule)
            why = f" ({rule.why})" if rule.why else ""
            found.append(
                warning(
                    item.file,
                    line,
                    f"« {word} » est à éviter{why} : dis plutôt {rule.prefer}. "
                    f"Texte : « {excerpt(item.text)} »",
                )
            )
        if item.message:
            found += _message_rules(item, style)
    return found


def _message_rules(item: Text, style: Style) -> list[Finding]:
    found: list[Finding] = []
    limits = style.messages
    lines = line_count(item.text)
    size = len(item.text.strip())
    if lines > limits.max_lines or size > limits.max_characters:
        found.append(
            warning(
                item.file,
                item.line,
                f"message trop long ({lines} lignes, {size} caractères ; au plus "
                f"{limits.max_lines} lignes courtes et {limits.max_characters} caractères) : "
                f"coupe-le en deux messages ou enlève une phrase. "
                f"Message : « {excerpt(item.text)} »",
            )
        )
    if item.lang in READABILITY_LANGS:
        score, words = readability(item.text)
        wanted = style.readability
        if words >= wanted.min_words and score < wanted.min_score:
            found.append(
                warning(
                    item.file,
                    item.line,
                    f"message difficile à lire (score de lisibilité {score:.0f}, il faut au "
                    f"moins {wanted.min_score:.0f}) : fais des phrases plus courtes, avec des "
                    f"mots plus courants. Message : « {excerpt(item.text)} »",
                )
            )
    return found
