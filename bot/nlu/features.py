"""Text features of the embedded NLU: folded words, word pairs and character n-grams."""

from __future__ import annotations

import itertools
import re
import unicodedata

MAX_CHARS = 1000  # longer texts are understood from their beginning only
CHAR_NGRAMS = (2, 5)

_TOKEN = re.compile(r"[^\W_]+")
_DIGIT = re.compile(r"\d")
# Arabic spellings people mix (ة/ه, ى/ي, hamza carriers), the tatweel that stretches a word,
# and the letters of Persian-layout keyboards or of Maghrebi sounds (ڤ for v, ڭ/ڨ/گ for g)
# written as the plain letter. أ إ آ lose their hamza below; a lone hamza is dropped (شيء/شي).
_ARABIC = {
    "ة": "ه",
    "ى": "ي",
    "ـ": "",
    "ؤ": "و",
    "ئ": "ي",
    "ء": "",
    "ٱ": "ا",
    "ک": "ك",
    "ی": "ي",
    "ۀ": "ه",
    "ڤ": "ف",
    "ڭ": "ك",
    "گ": "ك",
    "ڨ": "ق",
    "پ": "ب",
}
# A letter typed three times or more within a word is one letter stretched (« لاااا »,
# « stooop »); a word of one repeated letter (« aaaaa », « ههههه ») is left as it is.
_STRETCHED = re.compile(r"([^\W\d_])\1{2,}")


def fold_char(ch: str) -> str:
    """One character lower-cased and without accents (may give 0, 1 or 2 characters)."""
    if ch.isascii():
        return ch.lower()
    if ch in "’‘`´":
        return "'"
    if ch in _ARABIC:
        return _ARABIC[ch]
    decomposed = unicodedata.normalize("NFKD", ch.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.replace("œ", "oe").replace("æ", "ae")


def fold_text(text: str) -> str:
    """Lower-case, accent-free form of ``text`` (same length when only ASCII)."""
    if text.isascii():
        return text.lower()
    return "".join(fold_char(ch) for ch in text)


def _unstretched(match: re.Match[str], text: str) -> str:
    """One letter for a stretched run, unless the run is a whole word."""
    start, end = match.span()
    beside = text[start - 1 : start] + text[end : end + 1]
    return match.group(1) if any(ch.isalpha() for ch in beside) else match.group()


def tokens(text: str) -> list[str]:
    """Folded words of ``text``; a stretched letter counts once, every digit becomes 0 and
    each pictograph is a word."""
    folded = fold_text(text[:MAX_CHARS])
    folded = _DIGIT.sub("0", _STRETCHED.sub(lambda m: _unstretched(m, folded), folded))
    words = _TOKEN.findall(folded)
    if not folded.isascii():
        words.extend(ch for ch in folded if unicodedata.category(ch) == "So")
    return words


def analyze(text: str) -> list[str]:
    """Features of one text: words (``w:``), word pairs (``b:``), char n-grams within words."""
    words = tokens(text)
    features = [f"w:{w}" for w in words]
    features.extend(f"b:{a} {b}" for a, b in itertools.pairwise(words))
    low, high = CHAR_NGRAMS
    for word in words:
        padded = f" {word} "
        size = len(padded)
        for n in range(low, min(high, size) + 1):
            features.extend(padded[i : i + n] for i in range(size - n + 1))
    return features
