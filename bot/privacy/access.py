"""A person's copy of their data: a short readable summary plus the full JSON file."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from bot.domain.messages import Attachment, Outbound

PURPOSES = {
    "contact": "garder ton contact",
    "relay": "envoyer ton dossier à une personne relais",
    "followup": "t'écrire pour un suivi",
}
HIDDEN = {"schemes_text", "relay_email", "place_confirmed", "recap_ok", "fix_field"}
NAMES = {
    "age_band": "âge",
    "stage": "où tu en es",
    "sector": "domaine",
    "pitch": "ton projet",
    "needs": "besoins",
    "commune": "commune",
    "postal_code": "code postal",
    "contact_pref": "contact préféré",
    "first_name": "prénom",
    "company_age": "âge de l'entreprise",
    "headcount": "effectif",
    "growth_needs": "pour grandir",
    "relay_name": "personne relais",
}


def render_access(data: Mapping[str, Any], label: Callable[[str, Any], str]) -> list[Outbound]:
    """The summary messages, the last one carrying ``mes-donnees.json``."""
    lines: list[str] = []
    contact = data.get("contact")
    if contact:
        who = contact.get("first_name") or "sans prénom"
        lines.append(f"• Contact : {contact['channel']}, {who}.")
    else:
        lines.append("• Contact : je ne garde pas ton contact.")
    answers = data.get("answers") or {}
    shown = [
        f"{NAMES[key]} : {label(key, value)}"
        for key, value in answers.items()
        if key in NAMES and key not in HIDDEN and value not in (None, "skip")
    ]
    if shown:
        lines.append("• Tes réponses : " + " ; ".join(shown) + ".")
    given = [c for c in data.get("consents") or [] if c["kind"] == "answer" and c["granted"]]
    withdrawn = [c for c in data.get("consents") or [] if c["kind"] == "withdrawal"]
    if given:
        lines.append(
            "• Tes accords : "
            + " ; ".join(PURPOSES.get(c["purpose"], c["purpose"]) for c in given)
            + "."
        )
    if withdrawn:
        lines.append(
            "• Tu as retiré : "
            + " ; ".join(PURPOSES.get(c["purpose"], c["purpose"]) for c in withdrawn)
            + "."
        )
    case = data.get("case")
    if case:
        relay = case.get("relay_name")
        lines.append(
            f"• Ton dossier : {'envoyé à ' + relay if relay else 'gardé, envoyé à personne'}."
        )
    lines.append(
        "Écris « supprimer mes données » pour tout effacer, « corriger » pour changer une réponse."
    )
    copy = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    return [
        Outbound(
            "\n".join(lines),
            attachment=Attachment("mes-donnees.json", "application/json", copy),
        )
    ]
