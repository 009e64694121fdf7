"""Texts of the flows in other languages: one file per language, keyed like the French.

``flows/langues/en.yml`` holds ``texts:`` (key -> translated text) and ``sources:`` (key ->
short hash of the French text it was translated from, so a changed French text shows as
stale). Keys name where a text lives: ``intake.age.ask``, ``intake.age.options.a18.label``,
``global.messages.not_understood``, ``global.commands.help.reply``, ``faq.adie.answer``,
``faq.unknown``, ``personne.accepted``, ``notices.court``. ``words`` and ``examples``
(``intake.sector.options.food.words``, ``global.commands.stop.words``) are added to the
French ones: a person may type either. French stays the source: a key missing falls back
to it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from bot.engine.langfiles import Translation
from bot.engine.loader import FlowSet, LoadedFlow, Notice
from bot.engine.schema import Faq, Flow, Global
from bot.handoff.texts import ResidentTexts

SOURCE = "fr"
# Fields of steps, options, commands and FAQ entries a person reads.
TEXT_FIELDS = frozenset(
    {
        "say",
        "ask",
        "hint",
        "dont_know",
        "done_label",
        "text",
        "yes_label",
        "no_label",
        "end",
        "label",
        "phrase",
        "reply",
        "answer",
        "unknown",
    }
)
ADDED_FIELDS = frozenset({"words", "examples"})  # added to the French, never replacing it
WHOLE = frozenset({"messages", "personne"})  # every text below these keys is read


def _walk(node: Any, path: tuple[str, ...], whole: bool) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every (path, value) of a text in a dumped model; lists of dicts go by their ``id``."""
    if isinstance(node, dict):
        for key, value in node.items():
            inside = whole or key in WHOLE
            here = (*path, str(key))
            if (
                (isinstance(value, str) and (inside or key in TEXT_FIELDS))
                or (isinstance(value, list) and key in ADDED_FIELDS and not inside)
                or (isinstance(value, list) and inside and all(isinstance(v, str) for v in value))
            ):
                yield here, value
            elif isinstance(value, (dict, list)):
                yield from _walk(value, here, inside)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            name = str(item.get("id", index)) if isinstance(item, dict) else str(index)
            yield from _walk(item, (*path, name), whole)


def _parts(flows: FlowSet) -> dict[str, Any]:
    """The dumped models whose texts translate, by the first part of their keys."""
    parts: dict[str, Any] = {
        fid: item.flow.model_dump(by_alias=True, exclude_defaults=False)
        for fid, item in flows.flows.items()
    }
    parts["global"] = flows.glob.model_dump(by_alias=True)
    parts["faq"] = {"faq": flows.faq.model_dump(by_alias=True)["faq"], "unknown": flows.faq.unknown}
    if flows.handoff is not None:
        parts["personne"] = {"personne": flows.handoff.personne.model_dump()}
    return parts


def _key(part: str, path: tuple[str, ...]) -> str:
    if (
        (part == "faq" and path and path[0] == "faq")
        or part == "personne"
        or (part not in ("global",) and path and path[0] == "steps")
    ):
        path = path[1:]
    return ".".join((part, *path))


def source_texts(flows: FlowSet) -> dict[str, Any]:
    """Every French text a person can read, by key (``words`` lists excluded)."""
    found: dict[str, Any] = {}
    for part, dumped in _parts(flows).items():
        for path, value in _walk(dumped, (), False):
            if path[-1] in ADDED_FIELDS or (part == "global" and path[0] == "languages"):
                continue
            found[_key(part, path)] = value
    for name, notice in flows.notices.items():
        found[f"notices.{name}"] = notice.text
    return found


def _apply(dumped: Any, part: str, texts: Mapping[str, Any]) -> Any:
    for path, value in list(_walk(dumped, (), False)):
        key = _key(part, path)
        if key not in texts:
            continue
        node = dumped
        for name in path[:-1]:
            node = (
                next(
                    i
                    for n, i in enumerate(node)
                    if str(i.get("id", n) if isinstance(i, dict) else n) == name
                )
                if isinstance(node, list)
                else node[name]
            )
        new = texts[key]
        if path[-1] in ADDED_FIELDS and isinstance(value, list):
            node[path[-1]] = [*value, *[str(w) for w in new or ()]]
        elif isinstance(value, list) and isinstance(new, list):
            node[path[-1]] = [str(w) for w in new]
        elif isinstance(value, str) and isinstance(new, str):
            node[path[-1]] = new
    return dumped


def translated(flows: FlowSet, translation: Translation) -> FlowSet:
    """``flows`` with ``translation``'s texts in place of the French ones."""
    texts = translation.texts
    parts = _parts(flows)
    loaded = {
        fid: replace(item, flow=Flow.model_validate(_apply(parts[fid], fid, texts)))
        for fid, item in flows.flows.items()
    }
    glob = Global.model_validate(_apply(parts["global"], "global", texts))
    faq_part = _apply(parts["faq"], "faq", texts)
    faq = Faq.model_validate(faq_part)
    handoff = flows.handoff
    if handoff is not None:
        personne = _apply(parts["personne"], "personne", texts)["personne"]
        handoff = handoff.model_copy(update={"personne": ResidentTexts.model_validate(personne)})
    notices = {
        name: Notice(name, notice.version, str(texts.get(f"notices.{name}") or notice.text))
        for name, notice in flows.notices.items()
    }
    return replace(
        flows, flows=loaded, glob=glob, faq=faq, handoff=handoff, notices=notices, translations={}
    )


def step_key(flow: LoadedFlow, step_id: str, name: str) -> str:
    """The key of one field of a step (``intake.age.ask``)."""
    return f"{flow.flow.flow}.{step_id}.{name}"
