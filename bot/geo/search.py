"""Find the commune a person means in what they typed: "lyon 8", "paris 19e", "le mirail"."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.domain.text import fold
from bot.geo.postal import Place, PostalIndex

_POSTAL = re.compile(r"(?<!\d)(\d{2})\s?(\d{3})(?!\d)")
_DEPARTMENT = re.compile(r"(?<!\d)(\d{2}|2a|2b|97\d)(?!\d)")
_ARRONDISSEMENT = re.compile(r"^(paris|lyon|marseille)\s+(\d{1,2})\s*(?:e|er|eme|ieme|em|me)?$")
_ORDINALS = {
    "premier": 1, "deuxieme": 2, "troisieme": 3, "quatrieme": 4, "cinquieme": 5,
    "sixieme": 6, "septieme": 7, "huitieme": 8, "neuvieme": 9, "dixieme": 10,
    "onzieme": 11, "douzieme": 12, "treizieme": 13, "quatorzieme": 14, "quinzieme": 15,
    "seizieme": 16, "dix septieme": 17, "dix huitieme": 18, "dix neuvieme": 19,
    "vingtieme": 20,
}  # fmt: skip
_ARRONDISSEMENTS = {"paris": 20, "lyon": 9, "marseille": 16}
# Words around a place name that are not part of it.
_FILLER = frozenset(
    {"je", "j", "jsuis", "chui", "suis", "sui", "habite", "habites", "vis", "a", "au", "aux",
     "sur", "vers", "dans", "le", "la", "les", "l", "de", "du", "des", "d", "c", "cest", "est",
     "ce", "ca", "moi", "en", "pres", "cote", "ville", "commune", "quartier", "secteur",
     "region", "banlieue", "on", "nous", "et", "ma", "mon", "stp", "svp", "merci", "bah",
     "ben", "euh", "bon", "alors", "oui", "ouais", "non", "sinon", "plutot", "genre", "vers",
     "centre", "ici", "aussi", "tout", "pile", "trouve", "situe", "situee", "y", "suis",
     "arrondissement", "arr", "arrdt", "code", "postal", "cp", "mais", "donc", "voila", "hein",
     "wesh", "frere", "j'habite", "jhabite", "j'suis", "bientot", "ouai", "actuellement"}
)  # fmt: skip
PREFIX_MIN = 5
LIMIT = 6


@dataclass(frozen=True, slots=True)
class PlaceSearch:
    """The places a text names; ``by_code`` when a postal code was written."""

    places: tuple[Place, ...]
    by_code: bool = False
    said: str = ""


def _key(text: str) -> str:
    key = fold(text).replace("-", " ").replace("'", " ")
    key = re.sub(r"\bste\b", "sainte", re.sub(r"\bst\b", "saint", key))
    return re.sub(r"\s+", " ", key).strip()


class PlaceFinder:
    """Searches communes by postal code, name, arrondissement, nickname, with typos."""

    @classmethod
    def from_files(cls, table: Path, aliases: Path | None = None) -> PlaceFinder:
        """The bundled table and its nicknames file (``name: postal code``), shared per
        version of the files (building the name index takes a fifth of a second)."""
        stamp = tuple(
            (p.stat().st_mtime_ns, p.stat().st_size) if p is not None and p.exists() else None
            for p in (table, aliases)
        )
        return _finder(table.resolve(), aliases.resolve() if aliases else None, stamp)

    def __init__(self, index: PostalIndex, aliases: Mapping[str, str] | None = None) -> None:
        self.index = index
        # Nicknames and neighbourhoods ("vaulx", "le mirail") -> "postal code" or "code|insee".
        self.aliases = {_key(name): target for name, target in (aliases or {}).items()}
        self._names: dict[str, list[Place]] = {}
        for place in index.places():
            self._names.setdefault(_key(place.commune), []).append(place)
        self._keys = list(self._names)

    def _alias(self, target: str) -> list[Place]:
        code, _, insee = target.partition("|")
        return [p for p in self.index.by_code(code) if not insee or p.insee == insee]

    def _arrondissement(self, words: str) -> list[Place]:
        for ordinal, number in _ORDINALS.items():
            words = re.sub(rf"\b{ordinal}\b", str(number), words)
        match = _ARRONDISSEMENT.match(words)
        if not match or not 1 <= int(match.group(2)) <= _ARRONDISSEMENTS[match.group(1)]:
            return []
        number = int(match.group(2))
        suffix = "1er" if number == 1 else f"{number}e"
        places = self._names.get(f"{match.group(1)} {suffix} arrondissement", [])
        # Marseille's 15e has two postal codes: the one ending with its number first.
        return sorted(places, key=lambda p: not p.postal_code.endswith(f"{number:02d}"))[:1]

    def _city(self, city: str) -> list[Place]:
        """Every arrondissement of Paris, Lyon or Marseille (listed by arrondissement)."""
        return [
            p
            for key in self._keys
            if key.startswith(city + " ") and key.endswith(" arrondissement")
            for p in sorted(self._names[key], key=lambda p: p.postal_code)[:1]
        ]

    def search(self, text: str) -> PlaceSearch:
        """Every place ``text`` may name; empty when none.

        Postal codes of one commune count once (Toulouse is 31000), a department number
        next to the name narrows it ("saint-denis 93").
        """
        code = _POSTAL.search(text)
        if code:
            places = self.index.by_code(code.group(1) + code.group(2))
            return PlaceSearch(tuple(places[:LIMIT]), by_code=True, said=code.group(0))
        key = _key(text)
        tokens = [t for t in key.split() if t]
        core = [t for t in tokens if t not in _FILLER and not t.isdigit()]
        # "vaux en velin" is Vaulx-en-Velin misspelt, not the commune of Vaux.
        found = self._fuzzy(" ".join(tokens), typos_only=True) if len(tokens) >= 3 else []
        found = found or self._exact(tokens)
        if not found and core:
            found = self._fuzzy(" ".join(core))
        department = _DEPARTMENT.search(key)
        if department and found:
            wanted = department.group(1)
            found = [p for p in found if p.department == wanted] or found
        communes: dict[str, Place] = {}
        for place in found:  # the first postal code of each commune
            communes.setdefault(place.insee, place)
        limit = 10 if len(communes) > LIMIT and all(_is_district(p) for p in found) else LIMIT
        return PlaceSearch(tuple(list(communes.values())[:limit]), said=" ".join(core))

    def _exact(self, tokens: Sequence[str]) -> list[Place]:
        """The longest run of words that is a nickname or arrondissement, else a name."""
        windows = [
            (start, size)
            for size in range(min(len(tokens), 6), 0, -1)
            for start in range(len(tokens) - size + 1)
            if not all(t in _FILLER or t.isdigit() for t in tokens[start : start + size])
        ]
        for start, size in windows:
            words = " ".join(tokens[start : start + size])
            nxt = tokens[start + size : start + size + 2]
            arrondissement = self._arrondissement(" ".join([words, *nxt])) or (
                self._arrondissement(" ".join([words, *nxt[:1]]))
            )
            if arrondissement:
                return arrondissement
            if words in self.aliases:
                return self._alias(self.aliases[words])
        for start, size in windows:
            words = " ".join(tokens[start : start + size])
            if words in _ARRONDISSEMENTS:
                return self._city(words)
            if words in self._names:
                return list(self._names[words])
        return []

    def _fuzzy(self, words: str, *, typos_only: bool = False) -> list[Place]:
        if len(words) < 3:
            return []
        if len(words) >= PREFIX_MIN and not typos_only:  # "villeurb": the start of one name only
            starts = {k for k in self._keys if k.startswith(words)}
            if len(starts) == 1:
                return list(self._names[starts.pop()])
        typos = 0 if len(words) < PREFIX_MIN else 1 if len(words) < 8 else 2
        alias = process.extractOne(
            words, list(self.aliases), scorer=Levenshtein.distance, score_cutoff=typos
        )
        if alias is not None:
            return self._alias(self.aliases[alias[0]])
        found = process.extract(
            words, self._keys, scorer=Levenshtein.distance, score_cutoff=typos, limit=6
        )
        if not found:
            return []
        best = min(score for _, score, _ in found)
        return [p for key, score, _ in found if score == best for p in self._names[key]]


@functools.lru_cache(maxsize=4)
def _finder(table: Path, aliases: Path | None, _stamp: object) -> PlaceFinder:
    names: dict[str, str] = {}
    if aliases is not None and aliases.exists():
        data = yaml.safe_load(aliases.read_text(encoding="utf-8")) or {}
        names = {str(k): str(v) for k, v in (data.get("aliases") or {}).items()}
    return PlaceFinder(PostalIndex.from_csv(table), names)


def _is_district(place: Place) -> bool:
    return place.commune.endswith(" Arrondissement")
