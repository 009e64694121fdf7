"""Translation files: what is missing or stale, and stamping the French each was made from.

``bot flows translations`` lists, per language, the French texts with no translation
and those whose French changed since (their stored hash differs). ``--stamp en`` records
the hash of today's French beside every English text: run it once the texts are checked.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from bot.domain.bidi import RLM
from bot.engine.langfiles import FOLDER, Translation, source_hash
from bot.engine.loader import FlowSet
from bot.engine.translate import source_texts
from bot.handoff.catalogue import load_catalogue
from bot.handoff.datafiles import SCHEMES
from bot.handoff.reference import ReferenceDataError
from bot.handoff.schemetexts import PREFIX, optional, scheme_texts


@dataclass(frozen=True, slots=True)
class Status:
    """One language's state against the French."""

    lang: str
    missing: tuple[str, ...]
    stale: tuple[str, ...]
    unknown: tuple[str, ...]  # keys no French text has (a renamed step, a typo)


def data_texts(data_dir: Path | None) -> dict[str, str]:
    """The French texts of ``data/`` residents read (the schemes'), by translation key;
    none when the folder or its schemes file is missing or broken (its own check says so)."""
    if data_dir is None or not (data_dir / SCHEMES).is_file():
        return {}
    try:
        return scheme_texts(load_catalogue(data_dir / SCHEMES))
    except (ReferenceDataError, ValueError):
        return {}


def all_sources(flows: FlowSet, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every French text to translate: the flows' and those of ``data/`` (``extra``)."""
    return {**source_texts(flows), **(extra or {})}


def status(
    flows: FlowSet, translation: Translation, extra: Mapping[str, Any] | None = None
) -> Status:
    """What ``translation`` lacks, what is stale and what it has in excess (``extra``: the
    French texts of ``data/``; without them, scheme keys are not judged)."""
    french = all_sources(flows, extra)
    texts, sources = translation.texts, translation.sources
    missing = tuple(k for k in french if k not in texts and not optional(k))
    stale = tuple(k for k in french if k in texts and sources.get(k) != source_hash(french[k]))
    unknown = tuple(
        k
        for k in texts
        if k not in french
        and not k.endswith((".words", ".examples"))
        and (extra or not k.startswith(f"{PREFIX}."))
    )
    return Status(translation.lang, missing, stale, unknown)


def bidi(text: str) -> str:
    """Arabic text whose lines start with a right-to-left mark when their first strong
    character is not Arabic (a number, a name, a ``{placeholder}``), so that they read
    right to left on every messenger."""
    lines = []
    for line in text.split("\n"):
        first = next((ch for ch in line if ch.isalpha() or ch.isdigit() or ch == "{"), "")
        arabic = "\u0600" <= first <= "\u06ff"
        lines.append(line if not line or arabic or line.startswith(RLM) else RLM + line)
    return "\n".join(lines)


def _scalar(value: Any) -> Any:
    if isinstance(value, list):
        return [str(v) for v in value]
    text = str(value)
    if "\n" in text:
        return LiteralScalarString(text)
    return DoubleQuotedScalarString(text)


def render_file(lang: str, name: str, texts: Mapping[str, Any], sources: Mapping[str, str]) -> str:
    """The YAML of a translation file (texts in the order given)."""
    yaml = YAML()
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    data = {
        "lang": lang,
        "name": name,
        "texts": {k: _scalar(v) for k, v in texts.items()},
        "sources": dict(sources),
    }
    out = io.StringIO()
    out.write(
        f"# Les textes en « {lang} » : clé -> texte (voir docs/guide-coordinateurs.md,\n"
        "# « Plusieurs langues »). « sources » : l'empreinte du texte français traduit ;\n"
        "# `bot flows translations --stamp " + lang + "` la met à jour après relecture.\n"
    )
    yaml.dump(data, out)
    return out.getvalue()


def stamp(
    flows: FlowSet,
    folder: Path,
    translation: Translation,
    extra: Mapping[str, Any] | None = None,
) -> int:
    """Record today's French hash beside each translated text; returns how many changed."""
    french = all_sources(flows, extra)
    sources = dict(translation.sources)
    changed = 0
    for key in translation.texts:
        if key in french and sources.get(key) != source_hash(french[key]):
            sources[key] = source_hash(french[key])
            changed += 1
    ordered = {k: sources[k] for k in translation.texts if k in sources}
    path = folder / FOLDER / f"{translation.lang}.yml"
    path.write_text(
        render_file(translation.lang, translation.name, translation.texts, ordered),
        encoding="utf-8",
    )
    return changed
