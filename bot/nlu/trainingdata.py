"""Read Rasa 3.x NLU training data (intents, entity annotations, synonyms, regexes, lookups)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.domain.understanding import Entity

# [text](entity), [text](entity:value) (Rasa 1 style) or [text]{"entity": "x", "value": "y"}
_ANNOTATION = re.compile(
    r"\[(?P<text>[^\]]+)\]"
    r"(?:\((?P<entity>[^:)]+)(?::(?P<value>[^)]+))?\)|(?P<json>\{[^}]*\}))"
)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 10x faster


class NLUDataError(ValueError):
    """Raised when a training-data file cannot be read; the message names the file."""


@dataclass(frozen=True, slots=True)
class Example:
    """One training (or test) sentence: its intent and the entities annotated in it."""

    text: str
    intent: str
    entities: tuple[Entity, ...] = ()


@dataclass(frozen=True, slots=True)
class NLUData:
    """Everything an NLU backend learns from, as written in ``nlu/data/*.yml``."""

    examples: tuple[Example, ...] = ()
    synonyms: Mapping[str, str] = field(default_factory=dict)
    lookups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    regexes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def intents(self) -> list[str]:
        """Intent names in order of first appearance."""
        return list(dict.fromkeys(e.intent for e in self.examples))

    def subset(self, examples: Iterable[Example]) -> NLUData:
        """The same entity knowledge with other examples (cross-validation folds)."""
        return NLUData(tuple(examples), self.synonyms, self.lookups, self.regexes)


def parse_example(line: str, intent: str) -> Example:
    """Strip Rasa entity annotations from ``line``; keep their positions in the plain text."""
    entities: list[Entity] = []
    parts: list[str] = []
    cursor = 0
    length = 0
    for match in _ANNOTATION.finditer(line):
        before = line[cursor : match.start()]
        parts.append(before)
        length += len(before)
        surface = match.group("text")
        name = match.group("entity")
        value = match.group("value")
        if match.group("json"):
            try:
                meta = json.loads(match.group("json"))
            except json.JSONDecodeError as exc:
                raise NLUDataError(f"annotation illisible : {match.group(0)}") from exc
            name = str(meta.get("entity", ""))
            value = meta.get("value")
        start = length
        parts.append(surface)
        length += len(surface)
        if name:
            entities.append(Entity(name.strip(), str(value or surface), start, length))
        cursor = match.end()
    parts.append(line[cursor:])
    return Example("".join(parts).strip(), intent, tuple(entities))


def _lines(block: Any) -> list[str]:
    """Items of an ``examples: |`` block (or of a list of ``{text: ...}``)."""
    if isinstance(block, list):
        return [str(item.get("text", "") if isinstance(item, dict) else item) for item in block]
    items: list[str] = []
    for raw in str(block or "").splitlines():
        stripped = raw.strip()
        if stripped.startswith("- "):
            items.append(stripped[2:].strip())
        elif stripped == "-":
            continue
    return [item for item in items if item]


def parse_nlu_yaml(text: str, source: str = "<yaml>") -> NLUData:
    """Parse one Rasa training-data document (only its ``nlu:`` section is read)."""
    try:
        document = yaml.load(text, Loader=_LOADER) or {}
    except yaml.YAMLError as exc:
        raise NLUDataError(f"{source} : YAML invalide ({exc})") from exc
    if not isinstance(document, dict):
        raise NLUDataError(f"{source} : le fichier doit être un dictionnaire")
    examples: list[Example] = []
    synonyms: dict[str, str] = {}
    lookups: dict[str, list[str]] = {}
    regexes: dict[str, list[str]] = {}
    for item in document.get("nlu") or []:
        if not isinstance(item, dict):
            raise NLUDataError(f"{source} : élément inattendu dans nlu: {item!r}")
        lines = _lines(item.get("examples"))
        if "intent" in item:
            examples.extend(parse_example(line, str(item["intent"])) for line in lines)
        elif "synonym" in item:
            for line in lines:
                synonyms[line] = str(item["synonym"])
        elif "lookup" in item:
            lookups.setdefault(str(item["lookup"]), []).extend(lines)
        elif "regex" in item:
            regexes.setdefault(str(item["regex"]), []).extend(lines)
    for name, patterns in regexes.items():
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise NLUDataError(f"{source} : regex {name} invalide ({exc})") from exc
    return NLUData(
        tuple(examples),
        synonyms,
        {k: tuple(v) for k, v in lookups.items()},
        {k: tuple(v) for k, v in regexes.items()},
    )


def merge(parts: Iterable[NLUData]) -> NLUData:
    """Several training files read as one."""
    examples: list[Example] = []
    synonyms: dict[str, str] = {}
    lookups: dict[str, tuple[str, ...]] = {}
    regexes: dict[str, tuple[str, ...]] = {}
    for part in parts:
        examples.extend(part.examples)
        synonyms.update(part.synonyms)
        for name, values in part.lookups.items():
            lookups[name] = lookups.get(name, ()) + values
        for name, values in part.regexes.items():
            regexes[name] = regexes.get(name, ()) + values
    return NLUData(tuple(examples), synonyms, lookups, regexes)


def data_files(path: Path) -> list[Path]:
    """The YAML files of a training-data folder (sorted), or the file itself."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*.yml") if p.is_file()) + sorted(
        p for p in path.rglob("*.yaml") if p.is_file()
    )


def load_nlu_data(path: Path) -> NLUData:
    """Read a Rasa training-data file or folder (e.g. ``nlu/data``)."""
    files = data_files(path)
    if not files:
        raise NLUDataError(f"{path} : aucun fichier de données NLU")
    return merge(parse_nlu_yaml(f.read_text(encoding="utf-8"), str(f)) for f in files)


def digest(path: Path, salt: str = "") -> str:
    """Hash of the training files' names and contents (keys the trained-model cache)."""
    sha = hashlib.sha256(salt.encode("utf-8"))
    for file in data_files(path):
        sha.update(file.name.encode("utf-8") + b"\0" + file.read_bytes() + b"\0")
    return sha.hexdigest()[:20]
