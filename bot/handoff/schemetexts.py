"""The schemes' texts residents read, by translation key, and the catalogue in a language.

French stays in ``data/schemes.yml``; the other languages keep theirs in
``flows/langues/<code>.yml`` with every other text, keyed ``schemes.<id>.offer``,
``schemes.<id>.caveat``, ``schemes.<id>.reach``, ``schemes.<id>.amount``,
``schemes.<id>.rules.<rule>.caveat``, ``schemes.display.title`` and
``schemes.display.reach`` (the line with the link). Names are never translated: they are
proper names (« Initiative France », « ADIE »). A name that describes rather than names
(« Congé pour créer ton entreprise ») may have ``schemes.<id>.name``: optional, never
reported missing, reported stale when the French name changes. A key missing falls back to
French.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.handoff.catalogue import Catalogue, Scheme

PREFIX = "schemes"
FIELDS = ("offer", "caveat", "reach", "amount")  # `conditions` is for relays
DISPLAY = ("title", "reach")
NAME = "name"  # optional: most names are proper names


def optional(key: str) -> bool:
    """True for a key a translation may leave out (a scheme's name)."""
    return key.startswith(f"{PREFIX}.") and key.endswith(f".{NAME}")


def scheme_texts(catalogue: Catalogue) -> dict[str, str]:
    """Every French text of the catalogue a resident can read, by translation key."""
    found: dict[str, str] = {}
    for name in DISPLAY:
        found[f"{PREFIX}.display.{name}"] = str(getattr(catalogue.display, name))
    for scheme in catalogue.schemes:
        at = f"{PREFIX}.{scheme.id}"
        found[f"{at}.{NAME}"] = scheme.name
        for name in FIELDS:
            value = getattr(scheme, name)
            if value:
                found[f"{at}.{name}"] = str(value)
        for rule in scheme.rules:
            if rule.caveat:
                found[f"{at}.rules.{rule.id}.caveat"] = rule.caveat
    return found


def _text(texts: Mapping[str, Any], key: str, french: str) -> str:
    value = texts.get(key)
    return value if isinstance(value, str) and value.strip() else french


def _scheme_in(scheme: Scheme, texts: Mapping[str, Any]) -> Scheme:
    at = f"{PREFIX}.{scheme.id}"
    update: dict[str, Any] = {
        name: _text(texts, f"{at}.{name}", getattr(scheme, name))
        for name in (NAME, *FIELDS)
        if getattr(scheme, name)
    }
    update["rules"] = [
        rule.model_copy(update={"caveat": _text(texts, f"{at}.rules.{rule.id}.caveat", caveat)})
        if (caveat := rule.caveat)
        else rule
        for rule in scheme.rules
    ]
    return scheme.model_copy(update=update)


def catalogue_in(catalogue: Catalogue, texts: Mapping[str, Any]) -> Catalogue:
    """``catalogue`` with the texts of one language (``texts``: a translation file's)."""
    if not any(str(k).startswith(f"{PREFIX}.") for k in texts):
        return catalogue
    display = catalogue.display.model_copy(
        update={
            name: _text(texts, f"{PREFIX}.display.{name}", getattr(catalogue.display, name))
            for name in DISPLAY
        }
    )
    schemes = [_scheme_in(s, texts) for s in catalogue.schemes]
    return catalogue.model_copy(update={"display": display, "schemes": schemes})
