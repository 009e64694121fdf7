"""Numbers as people type them: "34", "34a", "trente ans", "la trentaine", "depuis 2018"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.text import fold
from bot.typed.phone import read_phone

_UNITS = {
    "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
    "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20, "trente": 30,
    "quarante": 40, "cinquante": 50, "soixante": 60, "cent": 100, "cents": 100,
    "mille": 1000,
    # Usual misspellings (never a French word of their own).
    "trante": 30, "quarente": 40, "cinquente": 50, "soixente": 60, "vint": 20, "ving": 20,
    "catre": 4, "katre": 4, "quatres": 4, "sinq": 5, "cinque": 5, "diz": 10,
    "seze": 16, "douz": 12, "kinz": 15, "troi": 3, "neuff": 9, "deuxs": 2, "trent": 30,
}  # fmt: skip
# "Une trentaine": about thirty, i.e. anything from 30 to 39.
_ABOUT = {
    "dizaine": (10, 10), "douzaine": (12, 12), "quinzaine": (15, 15),
    "vingtaine": (20, 29), "trentaine": (30, 39), "quarantaine": (40, 49),
    "cinquantaine": (50, 59), "soixantaine": (60, 69), "centaine": (100, 199),
}  # fmt: skip
# Words after a number saying it counts years (or months, weeks: turned into years).
YEARS = frozenset({"an", "ans", "a", "piges", "pige", "balais", "berges", "annees", "annee"})
_PER_YEAR = {"mois": 12.0, "semaine": 52.0, "semaines": 52.0}
# A number followed by one of these counts something else ("2 enfants", "500 euros").
_OTHER_THINGS = frozenset(
    {"enfant", "enfants", "gosses", "gamins", "freres", "soeurs", "euros", "euro", "eur", "e",
     "k", "fois", "heure", "heures", "h", "km", "kilos", "kg", "m2", "metres", "pourcent",
     "jours", "jour", "clients", "clientes", "ventes", "commandes", "followers", "abonnes"}
)  # fmt: skip
_SOON = ("bientot", "presque", "vais avoir", "vas avoir", "va avoir", "aurai", "jaurai")
MANY = 10_000.0  # the open end of "plus de 10"
_DIGITS = re.compile(r"\d+")
_SUFFIX = re.compile(r"^(\d+)(ans|an|a|e|er|eme|ieme|em|me|mois|k)$")
_ORDINAL = frozenset({"e", "er", "eme", "ieme", "em", "me"})
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_SINCE = re.compile(r"\b(?:depuis|en|creee?|creation|ouvert|ouverte|lance|lancee)$")
# "3 salariés": the question counts the person too ("toi compris").
_STAFF = frozenset({"salarie", "salaries", "employe", "employes", "apprenti", "apprentis"})
_SOMEONE_ELSE = re.compile(
    r"\b(?:mon|ma|mes) (?:fils|fille|frere|soeur|enfant|enfants|pere|mere|mari|cousin|cousine)\b"
)
_COMPANIONS = re.compile(r"\b(?:plus|et)\s+moi\b|\bmoi\s+(?:plus|et)\s+\d+\b")
_WITH_ME = re.compile(r"\bavec moi\b")
_WE_ARE = re.compile(r"\b(?:on est|nous sommes|on a)\b")
_PARTNER = re.compile(r"\b(?:mon|ma|un|une) associee?\b")
_EMPLOYER = re.compile(r"\b(?:j ai|jai|g|j emploie|jemploie|moi)\b")


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
    end: int  # token index after it (and its unit)


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
    """Folded words; "jai17ans" -> "jai 17 ans", "2O ans" -> "20 ans", "-5" -> "moins 5"."""
    text = re.sub(r"(\d)[oO](?=\b|\s|ans)", r"\g<1>0", text)
    text = text.replace(">", " plus de ").replace("<", " moins de ")
    text = re.sub(r"(?<![\w])-\s?(?=\d)", " moins ", text.replace("+", " plus "))
    folded = re.sub(r"([a-z])(\d)", r"\1 \2", fold(text).replace("-", " "))
    tokens: list[str] = []
    for token in re.split(r"[\s'/.,]+", folded):
        glued = _SUFFIX.match(token)
        if glued:
            tokens.extend(glued.groups())
        elif token:
            tokens.append(token)
    return tokens


def _scan(tokens: list[str]) -> list[_Found]:
    found: list[_Found] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        end = i + 1
        if _DIGITS.fullmatch(token):
            if tokens[end : end + 1] and tokens[end] in _ORDINAL:  # "3e": a rank, not a count
                i = end + 1
                continue
            value = float(token)
        elif token in _ABOUT:
            low, high = _ABOUT[token]
            found.append(_Found(Reading(low, high, token, _years_at(tokens, end)), i, end))
            i = end
            continue
        elif token in _UNITS and (token not in ("un", "une") or _years_at(tokens, end)):
            while end < len(tokens) and (
                tokens[end] == "et"
                or (
                    tokens[end] in _UNITS
                    and (tokens[end] not in ("un", "une") or tokens[end - 1] == "et")
                )
            ):
                end += 1
            if tokens[end - 1] == "et":
                end -= 1
            value = float(_words_value([t for t in tokens[i:end] if t != "et"]))
        else:
            i += 1
            continue
        said = " ".join(tokens[i:end])
        unit = tokens[end] if end < len(tokens) else ""
        if unit in _OTHER_THINGS:
            i = end + 1
            continue
        years = _years_at(tokens, end)
        if years and tokens[end + 1 : end + 3] in (["d", "experience"], ["de", "metier"]):
            i = end + 1  # "3 ans d'expérience": not an age
            continue
        if unit in _PER_YEAR:
            value = value / _PER_YEAR[unit]
        if ["et", "demi"] in (tokens[end : end + 2], tokens[end + 1 : end + 3]):
            value += 0.5
        found.append(_Found(Reading(value, value, said, years), i, end))
        i = end
    return found


def _years_at(tokens: list[str], index: int) -> bool:
    if tokens[index : index + 1] in (["d"], ["de"]):  # "une dizaine d'années"
        index += 1
    return index < len(tokens) and tokens[index] in YEARS


def _staff(tokens: list[str], found: _Found) -> bool:
    return found.end < len(tokens) and tokens[found.end] in _STAFF


def _others(tokens: list[str], found: _Found) -> tuple[int, int]:
    """How many more people than the number said, at least and at most: "4 plus moi",
    "j'ai 3 salariés", "2 apprentis avec moi" one more, "moi et mon associé plus 4
    salariés" two; "on est 5 avec moi" counts the person already; a bare "5 salariés"
    may or may not (0 to 1)."""
    words = " ".join(tokens)
    staff = _staff(tokens, found)
    if _WE_ARE.search(words) and not _COMPANIONS.search(words):
        return 0, 0
    partner = 1 if staff and _PARTNER.search(words) else 0
    if _COMPANIONS.search(words) or _WITH_ME.search(words) or partner:
        return 1 + partner, 1 + partner
    if staff and _EMPLOYER.search(words):
        return 1, 1
    return (0, 1) if staff else (0, 0)


def read_numbers(text: str) -> list[Reading]:
    """Every number written in ``text``, in order (digits, words, "la trentaine")."""
    return [f.reading for f in _scan(_tokens(text))]


def _year(text: str, this_year: int) -> Reading | None:
    """A year (1900 to now) counts the years since: "depuis 2018" exactly; a birth year
    ("né en 1995", "1995", "12/03/1995") one year less, or not yet, depending on the day."""
    years = [m for m in _YEAR.finditer(text) if 1900 <= int(m.group(1)) <= this_year]
    if len(years) != 1:
        return None
    match = years[0]
    since = float(this_year - int(match.group(1)))
    before = fold(text[: match.start()]).replace("-", " ")
    if _SINCE.search(before) and not re.search(r"\b(?:nee?|naissance)\b", before):
        return Reading(since, since, match.group(0), years=True)
    return Reading(max(0.0, since - 1), since, match.group(0), years=True)


def read_number(text: str, *, this_year: int = 2026) -> Reading | None:
    """The number a short answer gives: one followed by "ans" first, else the first one.

    Understands "entre 25 et 30" (a span), "moins de 15" (0-14), "plus de 10" and "+10"
    (11 and more), "bientôt 18" (17), "-5", "depuis 2018" (years since), "8 mois", and
    "on est 4 plus moi" (the person counts too). A phone number is not a number here.
    """
    if read_phone(text) is not None or _SOMEONE_ELSE.search(fold(text)):
        return None
    year = _year(text, this_year)
    if year is not None:
        return year
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
    plus_sign = re.search(rf"\+\s?{re.escape(reading.said)}\b", text) is not None
    plus_sign = plus_sign and not re.search(r"\bmoi\s*\+", text.lower())
    if before.endswith("moins") and not before.endswith(("au moins", "moins de")):
        low, high = -low, -high
    elif before.endswith("moins de"):
        low, high = 0, max(0.0, low - 1)
    elif before.endswith(("plus de", "au moins", "+ de")) or plus_sign:
        low, high = (low + 1 if before.endswith("plus de") else low), MANY
    elif before.endswith(_SOON) and low >= 1:
        low, high = low - 1, high - 1
    after = tokens[chosen.end :]
    after = after[1:4] if after[:1] and after[0] in YEARS else after[:3]
    if after[:2] in (["ou", "plus"], ["et", "plus"]) or (after[:1] == ["plus"] and len(after) == 1):
        high = MANY
    elif after[:1] == ["dans"] and low >= 1:  # "18 dans 2 mois": 17 today
        low, high = low - 1, high - 1
    elif reading.exact:
        more, most = _others(tokens, chosen)
        if _staff(tokens, chosen):  # "4 salariés, 2 apprentis et moi"
            extra = sum(int(f.reading.low) for f in found if f is not chosen and _staff(tokens, f))
            more, most = more + extra, most + extra
        low, high = low + more, high + most
    return Reading(low, high, reading.said, reading.years)


# Money: "40k", "40 000 €", "40.000", "1,5 million", "cent mille euros".
_MONEY = re.compile(
    r"(?<![\d,.])(\d{1,3}(?:[ .\u00a0\u202f]\d{3})+|\d+)(?:[,.](\d{1,2})(?!\d))?\s*"
    r"(k€|keur|k|m€|m|millions?|mille|milliers)?(?![a-z])"
)
_SEPARATORS = re.compile(r"[ .\u00a0\u202f]")
_MILLIONS = frozenset({"million", "millions"})
_BIG_WORDS = frozenset({"cent", "cents", "mille", "million", "millions"})


def _unit(unit: str) -> float:
    if unit.startswith("k") or unit in ("mille", "milliers"):
        return 1_000.0
    if unit.startswith("m"):
        return 1_000_000.0
    return 1.0


def _amount_words(text: str) -> list[tuple[float, int, str]]:
    """Amounts written in words ("cent mille", "un million"), with where they start."""
    tokens = fold(text).replace("-", " ").split()
    found: list[tuple[float, int, str]] = []
    i = 0
    while i < len(tokens):
        end = i
        while end < len(tokens) and (
            tokens[end] in _UNITS or tokens[end] in _MILLIONS or tokens[end] == "et"
        ):
            end += 1
        run = [t for t in tokens[i:end] if t != "et"]
        if run and _BIG_WORDS & set(run):
            cut = next((k for k, t in enumerate(run) if t in _MILLIONS), None)
            if cut is None:
                value = float(_words_value(run))
            else:
                after = run[cut + 1 :]
                value = max(_words_value(run[:cut]), 1) * 1e6 + _words_value(after)
            found.append((value, len(" ".join(tokens[:i])), " ".join(tokens[i:end])))
        i = max(end, i + 1)
    return found


def read_amount(text: str) -> Reading | None:
    """The amount of money (euros) a short answer gives: "40k", "40 000 €", "1,5 million",
    "cent mille"; "moins de 30k" (0 to 29 999), "plus de 500 000" (and more), "entre 30
    et 50k" (a span; the unit of the second number applies to the first)."""
    lowered = text.casefold().replace("€", " ")
    amounts: list[tuple[float, int, str, float]] = []
    for match in _MONEY.finditer(lowered):
        whole, cents, unit = match.group(1), match.group(2), match.group(3) or ""
        number = float(_SEPARATORS.sub("", whole) + (f".{cents}" if cents else ""))
        amounts.append((number * _unit(unit), match.start(), match.group(0).strip(), _unit(unit)))
    if not amounts:
        amounts = [(value, at, said, 1.0) for value, at, said in _amount_words(text)]
    if not amounts:
        return None
    before = fold(lowered[: amounts[0][1]])
    if len(amounts) >= 2 and before.endswith("entre"):
        (low, _, said_low, unit_low), (high, _, said_high, unit_high) = amounts[:2]
        if unit_low == 1.0 and unit_high > 1.0 and low * unit_high <= high:
            low *= unit_high  # "entre 30 et 50k"
        return Reading(low, high, f"{said_low} et {said_high}")
    # A year or a count next to the amount ("en 2025 on a fait 80k"): the one with a unit
    # or thousands wins.
    value, at, said, _ = max(amounts, key=_likely_amount)
    after = fold(lowered[at:]).split()[1:5]
    if "mois" in after:  # "2500 par mois": a year is 12 of them
        value *= 12
    raw = lowered[:at].rstrip()
    before = fold(raw).replace("-", " ")
    if before.endswith(("moins de", "moins d", "en dessous de", "sous les")) or raw.endswith("<"):
        return Reading(0, max(0.0, value - 1), said)
    if before.endswith(("plus de", "au moins", "au dessus de", "plus d")) or raw.endswith(
        (">", "+", "+ de", "+de")
    ):
        return Reading(value, MANY * 1e6, said)
    return Reading(value, value, said)


def _likely_amount(found: tuple[float, int, str, float]) -> tuple[bool, bool, int]:
    value, at, said, unit = found
    year = unit == 1.0 and said.isdigit() and 1900 <= value <= 2100
    return unit > 1.0, value >= 1000 and not year, -at
