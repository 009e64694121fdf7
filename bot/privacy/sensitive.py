"""Spot obvious special-category data (health, religion, origins...) in free text and redact it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.text import fold

# Folded word stems per category (GDPR art. 9 and 10). A stem matches at the start of a
# word, so "malad" covers "malade", "maladie". Business words such as "halal" or
# "casher" describe a product, not the person, and are deliberately absent.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "santé": (
        "malad",
        "handicap",
        "cancer",
        "diabet",
        "depress",
        "enceinte",
        "grossesse",
        "hopital",
        "hospitalis",
        "chimio",
        "dialyse",
        "vih",
        "sida",
        "seropositi",
        "autis",
        "schizophren",
        "bipolair",
        "psychiatr",
        "medicament",
        "traitement medical",
        "fauteuil roulant",
        "invalidite",
        "mdph",
        "aah",
        "burn out",
        "burnout",
        "cardiaque",
        "epilep",
        "asthm",
        "avc",
    ),
    "religion": (
        "musulman",
        "religion",
        "chretien",
        "catholique",
        "protestant",
        "juif",
        "juive",
        "judaisme",
        "islam",
        "bouddhis",
        "hindou",
        "athee",
        "mosquee",
        "eglise",
        "synagogue",
        "ramadan",
        "careme",
        "priere",
        "hijab",
        "voilee",
    ),
    "origines": (
        "origine",
        "immigre",
        "immigration",
        "sans papiers",
        "sans-papiers",
        "refugie",
        "titre de sejour",
        "nationalite",
        "ethni",
        "couleur de peau",
    ),
    "vie intime": ("homosexu", "gay", "lesbienne", "bisexu", "transgenre", "orientation sexuelle"),
    "opinions": ("syndiqu", "syndicat", "parti politique", "militant"),
    "justice": ("prison", "casier judiciaire", "condamn", "incarcer"),
}
# Nationality or colour words describe a product as often as a person ("cuisine
# marocaine", "épicerie africaine"): they are masked only after "je suis".
ABOUT_ME = (
    "arabe",
    "noir",
    "noire",
    "maghrebin",
    "africain",
    "algerien",
    "marocain",
    "tunisien",
    "senegalais",
    "malien",
    "ivoirien",
    "congolais",
    "comorien",
    "turc",
    "turque",
    "kurde",
    "gitan",
)
MASK = "[…]"


@dataclass(frozen=True, slots=True)
class Redaction:
    """The text with sensitive words masked, and which categories were found."""

    text: str
    categories: tuple[str, ...]


def _pattern(stems: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(stems, key=len, reverse=True)
    alternatives = "|".join(re.escape(s).replace(r"\ ", r"[\s-]+") for s in ordered)
    return re.compile(rf"\b(?:{alternatives})[\w-]*", re.IGNORECASE)


_PATTERNS = {category: _pattern(stems) for category, stems in CATEGORIES.items()}
_ORIGIN_OF = re.compile(r"\borigines?\s+(?:(?:du|de|des|d)\s+)?[\w-]+", re.IGNORECASE)
_ABOUT_ME = re.compile(
    r"\b(?:je suis|j suis|jsuis|chui|suis)\s+(?:une?\s+)?((?:" + "|".join(ABOUT_ME) + r")[\w-]*)",
    re.IGNORECASE,
)


# A sensitive word is about the writer when one of these comes shortly before it in the
# same part of the sentence ("je suis malade", "j'ai un handicap", "ma religion")...
_MINE = frozenset({"je", "j", "jsuis", "chui", "jsui", "moi", "mon", "ma", "mes", "m", "suis"})
# ...and not when the part is about others ("taxi pour personnes handicapées").
_OTHERS = frozenset(
    {"pour", "aux", "avec", "qui", "que", "les", "des", "clients", "clientes", "personnes",
     "gens", "femmes", "hommes", "enfants", "familles", "communaute", "public", "destination",
     "produits", "produit", "vetements", "cuisine", "boutique", "magasin", "restaurant",
     "snack", "epicerie", "mode", "cours"}
)  # fmt: skip
_WORD = re.compile(r"[\w']+")
NEAR = 5  # words looked back for "je", "mon"...


def about_me(plain: str, start: int) -> bool:
    """True when the words just before ``start`` say the writer speaks of themselves."""
    before = re.split(r"[,.;:!?()]", plain[:start])[-1]
    words = [w for part in _WORD.findall(before) for w in part.split("'") if w]
    for word in reversed(words[-NEAR:]):
        if word in _OTHERS:
            return False
        if word in _MINE:
            return True
    return False


def redact(text: str) -> Redaction:
    """Mask what ``text`` says about the writer's health, religion, origins...

    Only words about the writer are masked ("je suis malade", "ma religion"), not what a
    project offers or to whom ("vêtements pour femmes voilées", "taxi pour personnes
    handicapées"). Matching is done on an accent-free copy, character for character, so
    masks land on the right spans of the original text.
    """
    plain = _plain(text)
    spans: list[tuple[int, int]] = []
    found: list[str] = []
    for category, pattern in _PATTERNS.items():
        hits = [m.span() for m in pattern.finditer(plain) if about_me(plain, m.start())]
        if hits:
            found.append(category)
            spans.extend(hits)
    about_me_spans = [m.span(1) for m in _ABOUT_ME.finditer(plain)]
    about_me_spans += [m.span() for m in _ORIGIN_OF.finditer(plain) if about_me(plain, m.start())]
    if about_me_spans:
        spans.extend(about_me_spans)
        if "origines" not in found:
            found.append("origines")
    if not spans:
        return Redaction(text, ())
    out: list[str] = []
    cursor = 0
    for start, end in sorted(spans):
        if start <= cursor and out:  # overlapping or touching: extend the previous mask
            cursor = max(cursor, end)
            continue
        out.append(text[cursor:start])
        out.append(MASK)
        cursor = end
    out.append(text[cursor:])
    return Redaction("".join(out), tuple(found))


def _plain(text: str) -> str:
    """Same length as ``text``, lower-case and without accents (one char per char)."""
    return "".join((fold(ch) or " ")[0] if not ch.isspace() else " " for ch in text)
