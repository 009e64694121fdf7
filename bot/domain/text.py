"""Text normalisation shared by matching code: case, accents, punctuation, control chars."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w\s'-]+")


def clean(text: str) -> str:
    """Drop control and invisible format characters, collapse whitespace."""
    kept = [
        " " if ch in "\t\n\r" else ch
        for ch in text
        if ch in "\t\n\r" or unicodedata.category(ch)[0] != "C"
    ]
    return _SPACES.sub(" ", "".join(kept)).strip()


@lru_cache(maxsize=8192)  # the same labels and words are folded at every turn
def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form used to compare words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("’", "'").replace("œ", "oe").replace("æ", "ae")
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", plain)).strip()


def has_words(text: str) -> bool:
    """True when ``text`` holds at least one letter or digit (not only emoji)."""
    return any(ch.isalnum() for ch in text)


def is_other_script(text: str) -> bool:
    """True when most letters of ``text`` are not Latin (Arabic, Cyrillic...)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    latin = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("LATIN"))
    return latin * 2 < len(letters)
