"""The relay form of the directory: French labels, its fields to a ``Relay`` and back."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import ValidationError

from bot.handoff.reference import Relay

STAGES = (
    ("idea", "Une idée"),
    ("creating", "En création"),
    ("testing", "Teste son activité"),
    ("young", "Jeune entreprise"),
    ("established", "Entreprise installée"),
)
NEEDS = (
    ("voir_clair", "Y voir clair"),
    ("formation", "Se former"),
    ("argent", "Financer son projet"),
    ("statut", "Choisir un statut"),
    ("local", "Trouver un local"),
    ("clients", "Trouver des clients"),
    ("reseau", "Se faire un réseau"),
    ("tester", "Tester son activité"),
    ("revenus", "Garder ses revenus"),
    ("croissance", "Grandir, embaucher"),
)
# Why a field was refused, in the words of the form.
HINTS = {
    "id": "Lettres minuscules, chiffres et _ seulement (2 à 64), par exemple bge_lyon.",
    "structure": "Écris le nom de la structure.",
    "display_name": "Écris le prénom que les habitant·es verront.",
    "town": "Écris la ville.",
    "email": "Cette adresse e-mail n'est pas valable.",
    "telegram_chat_id": "Un numéro de chat Telegram (des chiffres, parfois un - devant).",
    "webhook_url": "Une adresse qui commence par https://.",
    "postal_codes": "Des codes postaux de 5 chiffres, séparés par des espaces.",
    "insee": "Des codes INSEE de 5 caractères, séparés par des espaces.",
    "departments": "Des numéros de département (69, 2A, 974), séparés par des espaces.",
    "stages": "Coche au moins une étape.",
    "needs": "Coche au moins un besoin.",
    "languages": "Des codes de langue (fr, ar, en), séparés par des espaces.",
    "capacity": "Un nombre entier, 0 ou plus.",
    "absent_until": "Une date, par exemple 24/12/2026.",
}
FIELDS = 80  # the most fields a post may carry: every checkbox, every text field
_ID = re.compile(r"^[a-z0-9_]{2,64}$")
_CHAT = re.compile(r"^-?\d{1,20}$")
_LANG = re.compile(r"^[a-z]{2,3}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
RESERVED = frozenset({"nouveau", "cas"})  # page names under /relais/


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"[\s,;]+", text.strip()) if word]


def values_of(relay: Relay | None) -> dict[str, Any]:
    """What the form shows for ``relay`` (an empty form for ``None``)."""
    if relay is None:
        return {"stages": [], "needs": [], "languages": "fr", "capacity": "10"}
    contact, coverage = relay.contact, relay.coverage
    chat = contact.telegram_chat_id
    return {
        "id": relay.id,
        "structure": relay.structure,
        "display_name": relay.display_name,
        "town": relay.town,
        "email": contact.email or "",
        "telegram_chat_id": "" if chat is None else str(chat),
        "webhook_url": contact.webhook_url or "",
        "postal_codes": " ".join(coverage.postal_codes),
        "insee": " ".join(coverage.insee),
        "departments": " ".join(coverage.departments),
        "national": coverage.national,
        "stages": list(relay.stages),
        "needs": list(relay.needs),
        "languages": " ".join(relay.languages),
        "capacity": str(relay.capacity),
        "absent_until": relay.absent_until.isoformat() if relay.absent_until else "",
    }


def _one(fields: dict[str, list[str]], name: str) -> str:
    return (fields.get(name) or [""])[0].strip()


def read_form(
    fields: dict[str, list[str]], before: Relay | None
) -> tuple[Relay | None, dict[str, str], dict[str, Any]]:
    """The relay the form describes, or the French error of each wrong field; and the
    values to show again. ``before``: the relay edited (its id and demo flag stay)."""
    values: dict[str, Any] = {
        name: _one(fields, name)
        for name in HINTS
        if name not in ("stages", "needs")  # lists below
    }
    values["national"] = _one(fields, "national") == "on"
    values["stages"] = [v for v in fields.get("stages", []) if v in dict(STAGES)]
    values["needs"] = [v for v in fields.get("needs", []) if v in dict(NEEDS)]
    if before is not None:
        values["id"] = before.id
    errors: dict[str, str] = {}
    if not _ID.match(values["id"]) or values["id"] in RESERVED:
        errors["id"] = HINTS["id"]
    for name in ("structure", "display_name", "town"):
        if not values[name] or len(values[name]) > 120:
            errors[name] = HINTS[name]
    if values["email"] and not _EMAIL.match(values["email"]):
        errors["email"] = HINTS["email"]
    if values["telegram_chat_id"] and not _CHAT.match(values["telegram_chat_id"]):
        errors["telegram_chat_id"] = HINTS["telegram_chat_id"]
    for name in ("stages", "needs"):
        if not values[name]:
            errors[name] = HINTS[name]
    languages = _words(values["languages"])
    if not languages or not all(_LANG.match(code) for code in languages):
        errors["languages"] = HINTS["languages"]
    absent = None
    if values["absent_until"]:
        try:
            absent = date.fromisoformat(values["absent_until"])
        except ValueError:
            errors["absent_until"] = HINTS["absent_until"]
    data = {
        "id": values["id"],
        "structure": values["structure"],
        "display_name": values["display_name"],
        "town": values["town"],
        "demo": before.demo if before is not None else False,
        "contact": {
            "telegram_chat_id": values["telegram_chat_id"] or None,
            "email": values["email"] or None,
            "webhook_url": values["webhook_url"] or None,
        },
        "coverage": {
            "postal_codes": _words(values["postal_codes"]),
            "insee": [code.upper() for code in _words(values["insee"])],
            "departments": [code.upper() for code in _words(values["departments"])],
            "national": values["national"],
        },
        "stages": values["stages"],
        "needs": values["needs"],
        "languages": languages,
        "capacity": values["capacity"],
        "absent_until": absent,
    }
    try:
        relay = Relay.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            place = [str(part) for part in error["loc"]]
            name = place[1] if place[0] in ("contact", "coverage") and len(place) > 1 else place[0]
            errors.setdefault(name, HINTS.get(name, "Cette valeur n'est pas valable."))
        relay = None
    return (None if errors else relay), errors, values
