"""Offline postal code and commune look-ups from ``data/postal_codes.csv``."""

from __future__ import annotations

import csv
import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.domain.text import fold

_POSTAL = re.compile(r"(?<!\d)(\d{2})\s?(\d{3})(?!\d)")


@dataclass(frozen=True, slots=True)
class Place:
    """A commune with one of its postal codes."""

    postal_code: str
    insee: str
    commune: str

    @property
    def department(self) -> str:
        """Department code from the INSEE code (``2A``/``2B``, ``971``... kept)."""
        return self.insee[:3] if self.insee.startswith("97") else self.insee[:2]


class PostalIndex:
    """In-memory index of places by postal code and by folded commune name."""

    def __init__(self, places: Iterable[Place]) -> None:
        self._by_code: dict[str, list[Place]] = defaultdict(list)
        self._by_name: dict[str, list[Place]] = defaultdict(list)
        for place in places:
            self._by_code[place.postal_code].append(place)
            self._by_name[fold(place.commune)].append(place)
        # Keys without dashes, so "vaulx en velin" and "Vaulx-en-Velin" meet.
        self._plain = {name.replace("-", " "): name for name in self._by_name}
        self._plain_keys = list(self._plain)

    @classmethod
    def from_csv(cls, path: Path) -> PostalIndex:
        """Read the bundled table (``postal_code,insee,commune``).

        The index never changes once built, so one is shared per version of the file
        (several bots in one process, tests, reloads).
        """
        stat = path.stat()
        return _read_csv(path.resolve(), stat.st_mtime_ns, stat.st_size)

    def places(self) -> Iterable[Place]:
        """Every place of the table."""
        for places in self._by_code.values():
            yield from places

    def by_code(self, postal_code: str) -> Sequence[Place]:
        """Places sharing ``postal_code`` (empty when unknown)."""
        return self._by_code.get(postal_code, ())

    def search(self, text: str, limit: int = 8) -> Sequence[Place]:
        """Places matching a postal code or a commune name written in ``text``.

        A postal code wins; otherwise the exact folded name, then a fuzzy match
        that tolerates typos ("vaux en velin").
        """
        match = _POSTAL.search(text)
        if match:
            return self.by_code(match.group(1) + match.group(2))[:limit]
        name = fold(text).replace("-", " ")
        if len(name) < 2:
            return ()
        if name in self._plain:
            return self._by_name[self._plain[name]][:limit]
        # Paris, Lyon and Marseille are listed by arrondissement only.
        districts = [
            place
            for key in self._plain_keys
            if key.startswith(name + " ") and key.endswith(" arrondissement")
            for place in self._by_name[self._plain[key]]
        ]
        if districts:
            return districts[:limit]
        found = process.extractOne(name, self._plain_keys, scorer=fuzz.ratio, score_cutoff=85)
        if found is None:
            return ()
        return self._by_name[self._plain[found[0]]][:limit]

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_code.values())


@functools.lru_cache(maxsize=4)
def _read_csv(path: Path, _mtime_ns: int, _size: int) -> PostalIndex:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle)
        return PostalIndex(Place(r["postal_code"], r["insee"], r["commune"]) for r in rows)
