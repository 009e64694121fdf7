"""Find the commune a person means in what they typed: "lyon 8", "paris 19e", "le mirail"."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.domain.text import fold
from bot.geo.postal import Place, PostalIndex

_POSTAL = re.compile(r"(?<!\d)(\d{2})\s?(\d{3})(?!\d)")
_DEPARTMENT = re.compile(r"(?<!\d)(97\d|\d{2}|2a|2b)(?!\d)")
_ARRONDISSEMENT = re.compile(r"^(paris|lyon|marseille)\s+(\d{1,2})\s*(?:e|er|eme|ieme|em|me)?$")
_REVERSED = re.compile(
    r"\b(\d{1,2})\s*(?:e|er|eme|ieme|em|me)?\s+(?:arrondissement|arr|arrdt)?\s*(?:de\s+)?"
    r"(paris|lyon|marseille)\b"
)
_CITIES = {"paris": 20, "lyon": 9, "marseille": 16}
_ORDINALS = {
    "premier": 1, "deuxieme": 2, "troisieme": 3, "quatrieme": 4, "cinquieme": 5,
    "sixieme": 6, "septieme": 7, "huitieme": 8, "neuvieme": 9, "dixieme": 10,
    "onzieme": 11, "douzieme": 12, "treizieme": 13, "quatorzieme": 14, "quinzieme": 15,
    "seizieme": 16, "dix septieme": 17, "dix huitieme": 18, "dix neuvieme": 19,
    "vingtieme": 20,
}  # fmt: skip
# Names of departments and regions people add to a commune ("saint-denis la réunion").
_AREAS = {
    "reunion": "974", "la reunion": "974", "guadeloupe": "971", "martinique": "972",
    "guyane": "973", "mayotte": "976", "seine saint denis": "93", "val de marne": "94",
    "hauts de seine": "92", "essonne": "91", "yvelines": "78", "val d oise": "95",
    "seine et marne": "77", "drome": "26", "rhone": "69", "nord": "59", "gironde": "33",
    "bouches du rhone": "13", "haute garonne": "31", "herault": "34", "isere": "38",
}  # fmt: skip
_AREA_NAMES = sorted(_AREAS, key=len, reverse=True)
# Words around a place name that are not part of it.
_FILLER = frozenset(
    {"je", "j", "jsuis", "chui", "suis", "sui", "habite", "habites", "vis", "a", "au", "aux",
     "sur", "vers", "dans", "le", "la", "les", "l", "de", "du", "des", "d", "c", "cest", "est",
     "ce", "ca", "moi", "en", "pres", "cote", "ville", "commune", "quartier", "secteur",
     "region", "banlieue", "on", "nous", "et", "ma", "mon", "stp", "svp", "merci", "bah",
     "ben", "euh", "bon", "alors", "oui", "ouais", "non", "sinon", "plutot", "genre",
     "centre", "ici", "aussi", "tout", "pile", "trouve", "situe", "situee", "y",
     "arrondissement", "arr", "arrdt", "code", "postal", "cp", "mais", "donc", "voila", "hein",
     "wesh", "frere", "jhabite", "bientot", "ouai", "actuellement", "france", "coin",
     "mairie", "cite", "residence", "tour", "rue", "avenue", "bd", "boulevard", "place",
     "bonjour", "bonsoir", "salut", "slt", "bjr", "coucou", "hello", "cc", "wsh", "quoi",
     "bled", "pays", "village", "maison", "chez", "taf", "travail", "boulot",
     # what people say of themselves or their project, never a place ("au chomage")
     "chomage", "rsa", "emploi", "etudiant", "etudiante", "salarie", "salariee", "retraite",
     "interim", "cdd", "cdi", "argent", "sous", "tunes", "thune", "projet", "idee"}
)  # fmt: skip
PREFIX_MIN = 5
LIMIT = 6
BIG_TOWN = 3  # a commune with this many postal codes is a big town


@dataclass(frozen=True, slots=True)
class PlaceSearch:
    """The places a text names; ``by_code`` when a postal code was written."""

    places: tuple[Place, ...]
    by_code: bool = False
    said: str = ""


def _key(text: str) -> str:
    key = fold(text).replace("-", " ").replace("'", " ")
    key = re.sub(r"([a-z])(\d)", r"\1 \2", key)  # "lyon8", "paris19"
    key = re.sub(r"\b(\d{1,2})(?:e|er|eme|ieme|em|me)\b", r"\1", key)  # "15eme" -> "15"
    key = re.sub(r"\bste\b", "sainte", re.sub(r"\bst\b", "saint", key))
    return re.sub(r"\s+", " ", key).strip()


def _sound(key: str) -> str:
    """How a name sounds, roughly: "lile", "toulouze", "bordeau", "vilerbane" meet their
    communes (doubled letters, z/s, y/i, ph/f and silent endings do not count)."""
    words = []
    for word in key.split():
        word = word.replace("ph", "f").replace("z", "s").replace("y", "i").replace("qu", "k")
        word = re.sub(r"(.)\1+", r"\1", re.sub(r"c(?=[aou])|ck", "k", word))
        word = word.replace("eau", "o").replace("au", "o").replace("eu", "e")
        while len(word) > 3 and word[-1] in "estxd":
            word = word[:-1]
        words.append(word)
    return " ".join(words)


def _typos(words: str) -> int:
    """Letters a name of this length may have wrong (beyond how it sounds)."""
    return 0 if len(words) < 6 else 1 if len(words) < 11 else 2


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

    def __init__(
        self, index: PostalIndex, aliases: Mapping[str, str | Sequence[str]] | None = None
    ) -> None:
        self.index = index
        # Nicknames and neighbourhoods ("vaulx", "le mirail") -> "postal code" or
        # "code|insee"; a name several places share ("clichy") lists them, to pick from.
        self.aliases = {
            _key(name): (target,) if isinstance(target, str) else tuple(target)
            for name, target in (aliases or {}).items()
        }
        self._names: dict[str, list[Place]] = {}
        self._sounds: dict[str, list[Place]] = {}
        codes: dict[str, set[str]] = {}
        for place in index.places():
            self._names.setdefault(_key(place.commune), []).append(place)
            self._sounds.setdefault(_sound(_key(place.commune)), []).append(place)
            codes.setdefault(place.insee, set()).add(place.postal_code)
        self._keys = list(self._names)
        self._sound_keys = list(self._sounds)
        self._big = {insee for insee, found in codes.items() if len(found) >= BIG_TOWN}

    def _alias(self, targets: Sequence[str]) -> list[Place]:
        places = []
        for target in targets:
            code, _, insee = target.partition("|")
            places += [p for p in self.index.by_code(code) if not insee or p.insee == insee]
        return places

    def _arrondissement(self, city: str, number: int) -> list[Place]:
        if not 1 <= number <= _CITIES[city]:
            return []
        places = self._names.get(f"{city} {number} arrondissement", [])
        # Marseille's 15e has two postal codes: the one ending with its number first.
        return sorted(places, key=lambda p: not p.postal_code.endswith(f"{number:02d}"))[:1]

    def _city(self, city: str) -> list[Place]:
        """Every arrondissement of Paris, Lyon or Marseille, in order, each with its own
        postal code (the 12e of Marseille is 13012, though 13004 covers a part of it)."""
        return [
            place
            for number in range(1, _CITIES[city] + 1)
            for place in self._arrondissement(city, number)
        ]

    def _by_code(self, code: str) -> list[Place]:
        """The communes of a postal code; Marseille 13013 is the 13e, 59000 is Lille."""
        places = list(self.index.by_code(code))
        if len(places) > 1:
            own = [
                p for p in places if _is_district(p) and f" {int(code[-2:])}e " in f" {p.commune} "
            ]
            big = [p for p in places if p.insee in self._big]
            places = own or (big if len(big) == 1 else places)
        return places

    def search(self, text: str) -> PlaceSearch:
        """Every place ``text`` may name; empty when none.

        Postal codes of one commune count once (Toulouse is 31000); a department number
        or name next to the name narrows it ("saint-denis 93", "saint-denis la réunion");
        a postal code and a name that disagree give both, to pick from.
        """
        key = _key(text)
        code = _POSTAL.search(text)
        if code:
            places = self._by_code(code.group(1) + code.group(2))
            named = self._exact([t for t in key.split() if not t.isdigit()]) if places else []
            if named and not {p.insee for p in named} & {p.insee for p in places}:
                places += named[:2]  # "69120 villeurbanne": which one?
            return PlaceSearch(tuple(places[:LIMIT]), by_code=True, said=code.group(0))
        area_name = next((n for n in _AREA_NAMES if re.search(rf"\b{n}\b", key)), None)
        area = _AREAS[area_name] if area_name else None
        if area_name:  # "romans sur isere": the area is a part of the name
            whole = [p for p in self._exact(key.split()) if area_name in _key(p.commune)]
            if whole:
                return PlaceSearch(tuple(whole[:LIMIT]), said=key)
            for name in _AREA_NAMES:
                key = re.sub(rf"\b{name}\b", " ", key)
        tokens = [t for t in key.split() if t]
        if key in self.aliases:  # "les 4000", "le pile": a nickname as written
            return PlaceSearch(tuple(self._alias(self.aliases[key])), said=key)
        core = [t for t in tokens if t not in _FILLER and not t.isdigit()]
        # "vaux en velin" is Vaulx-en-Velin misspelt, not the commune of Vaux.
        plain = " ".join(t for t in tokens if not t.isdigit())
        found = self._fuzzy(plain, names_only=True) if len(plain.split()) >= 3 else []
        found = found or self._exact(tokens)
        if not found and core:
            found = self._fuzzy(" ".join(core))
        department = _DEPARTMENT.search(key)
        wanted = area or (department.group(1) if department else None)
        if wanted and found:
            found = [p for p in found if p.department == wanted] or self._longer(found, wanted)
        found = [p for p in found if p is not _NOWHERE]
        communes: dict[str, Place] = {}
        for place in found:  # the first postal code of each commune
            communes.setdefault(place.insee, place)
        limit = 10 if len(communes) > LIMIT and all(_is_district(p) for p in found) else LIMIT
        return PlaceSearch(tuple(list(communes.values())[:limit]), said=" ".join(core))

    def _exact(self, tokens: Sequence[str]) -> list[Place]:
        """The longest runs of words that are a nickname or arrondissement, else names;
        runs naming different communes give them all ("moulins lille": which one?)."""
        text = " ".join(tokens)
        for ordinal, number in _ORDINALS.items():
            text = re.sub(rf"\b{ordinal}\b", str(number), text)
        reversed_ = _REVERSED.search(text)
        if reversed_:
            return self._arrondissement(reversed_.group(2), int(reversed_.group(1)))
        tokens = text.split()
        windows = [
            (start, size)
            for size in range(min(len(tokens), 6), 0, -1)
            for start in range(len(tokens) - size + 1)
            if not all(t in _FILLER or t.isdigit() for t in tokens[start : start + size])
        ]
        for start, size in windows:
            words = " ".join(tokens[start : start + size])
            city = self._city_name(words)
            nxt = tokens[start + size : start + size + 2]
            rank = next((int(t) for t in nxt[:1] if t.isdigit()), None)
            if city and rank is not None:  # "marseille 17" names no arrondissement: nothing
                return self._arrondissement(city, rank) or [_NOWHERE]
            if words in self.aliases:
                return self._alias(self.aliases[words])
        found: list[Place] = []
        names: set[str] = set()
        taken: set[int] = set()
        for start, size in windows:
            span = set(range(start, start + size))
            if span & taken:
                continue
            words = " ".join(tokens[start : start + size])
            city = self._city_name(words) if size == 1 else (words if words in _CITIES else None)
            places = self._city(city) if city else self._names.get(words, [])
            if places and (size > 1 or len(words) >= 4 or words == text):
                found.extend(places)
                names.add(words)
                taken |= span
        return self._towns_first(found) if len(names) > 1 else found

    def _longer(self, found: list[Place], department: str) -> list[Place]:
        """ "clichy 93": Clichy is in the 92, Clichy-sous-Bois in the 93."""
        names = {_key(p.commune) for p in found}
        longer = [
            p
            for key in self._keys
            if any(key.startswith(name + " ") for name in names)
            for p in self._names[key]
            if p.department == department
        ]
        return longer or found

    def _towns_first(self, found: list[Place]) -> list[Place]:
        """Of several names, the big town's ("moulins lille": Lille, where Moulins is)."""
        big = [p for p in found if p.insee in self._big or _is_district(p)]
        return big if big and len({p.insee for p in big}) < len({p.insee for p in found}) else found

    def _city_name(self, word: str) -> str | None:
        """Paris, Lyon or Marseille, even misspelt ("marseile")."""
        if word in _CITIES:
            return word
        if len(word) >= PREFIX_MIN:
            close = process.extractOne(word, list(_CITIES), scorer=Levenshtein.distance)
            if close is not None and close[1] <= 2:
                return str(close[0])
        return None

    def _fuzzy(self, words: str, *, names_only: bool = False) -> list[Place]:
        if len(words) < 4:
            return []
        if not names_only and len(words) >= PREFIX_MIN:  # "brive": Brive-la-Gaillarde
            longer = [k for k in self._keys if k.startswith(words + " ")]
            if len(longer) == 1:
                return list(self._names[longer[0]])
        sound = _sound(words)
        if sound in self._sounds and not names_only:
            return self._towns_first(list(self._sounds[sound]))
        if len(words) >= PREFIX_MIN and not names_only:  # "villeurb": one name's start
            starts = {k for k in self._sound_keys if k.startswith(sound)}
            if len(starts) == 1:
                return list(self._sounds[starts.pop()])
        typos = _typos(words)
        if not names_only:
            alias = process.extractOne(
                words, list(self.aliases), scorer=Levenshtein.distance, score_cutoff=typos
            )
            if alias is not None:
                return self._alias(self.aliases[alias[0]])
        found = process.extract(
            sound, self._sound_keys, scorer=Levenshtein.distance, score_cutoff=typos, limit=6
        )
        if not found:
            return []
        best = min(score for _, score, _ in found)
        return [p for key, score, _ in found if score == best for p in self._sounds[key]]


@functools.lru_cache(maxsize=4)
def _finder(table: Path, aliases: Path | None, _stamp: object) -> PlaceFinder:
    names: dict[str, str | list[str]] = {}
    if aliases is not None and aliases.exists():
        data = yaml.safe_load(aliases.read_text(encoding="utf-8")) or {}
        names = {
            str(k): [str(t) for t in v] if isinstance(v, list) else str(v)
            for k, v in (data.get("aliases") or {}).items()
        }
    return PlaceFinder(PostalIndex.from_csv(table), names)


_NOWHERE = Place("", "", "")  # a name that surely is no place ("marseille 17")


def _is_district(place: Place) -> bool:
    return place.commune.endswith(" Arrondissement")
