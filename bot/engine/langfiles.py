"""The translation files of ``flows/langues/``: one per language, texts by key."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from bot.engine.yamlfiles import FlowError, Problem

FOLDER = "langues"


@dataclass(frozen=True, slots=True)
class Translation:
    """One language's texts and the French hashes they were made from."""

    lang: str
    name: str
    path: str
    texts: Mapping[str, Any] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)


def source_hash(text: Any) -> str:
    """Short hash of a French text (or list of words), stored beside its translation."""
    flat = "\n".join(text) if isinstance(text, list) else str(text)
    return hashlib.sha256(flat.encode("utf-8")).hexdigest()[:8]


def load_translations(folder: Path) -> dict[str, Translation]:
    """Read ``folder/langues/*.yml`` (one file per language, named by its code)."""
    found: dict[str, Translation] = {}
    problems: list[Problem] = []
    for path in sorted((folder / FOLDER).glob("*.yml")):
        name = f"{FOLDER}/{path.name}"
        try:
            data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
        except Exception as exc:  # ruamel raises many kinds; any is a broken file
            problems.append(Problem(name, None, f"YAML illisible : {exc}"))
            continue
        lang = str(data.get("lang") or path.stem)
        texts, sources = data.get("texts") or {}, data.get("sources") or {}
        if not isinstance(texts, dict) or not isinstance(sources, dict):
            problems.append(Problem(name, None, "« texts » et « sources » : des lignes clé: texte"))
            continue
        sources = {str(k): str(v) for k, v in sources.items()}
        found[lang] = Translation(lang, str(data.get("name") or lang), name, dict(texts), sources)
    if problems:
        raise FlowError(problems)
    return found
