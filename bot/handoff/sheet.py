"""What relays and residents read about a case: the hand-off sheet and status messages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.domain.messages import Button, Outbound

Label = Callable[[str, Any], str]

OUTCOMES: dict[str, tuple[str, str]] = {
    # id: (button for the relay, what the resident hears)
    "met": ("Rencontré", "vous vous êtes rencontrés"),
    "supported": ("Accompagné", "tu es maintenant accompagné·e"),
    "referred": ("Orienté vers une aide", "tu as été orienté·e vers une aide"),
    "not_relevant": ("Pas pour nous", "ce n'était pas le bon endroit pour ton projet"),
}


def short_ref(handoff_id: str) -> str:
    """The case number relays type in commands."""
    return handoff_id[:6]


def readable_phone(e164: str) -> str:
    """A French number as people write it ("06 12 34 56 78"); others stay as they are."""
    if e164.startswith("+33") and len(e164) == 12:
        national = "0" + e164[3:]
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    return e164


def case_payload(handoff_id: str, action: str) -> str:
    """Button payload of a case card (well under Telegram's 64 bytes)."""
    return f"/case:{handoff_id}:{action}"


def render_sheet(lead: Mapping[str, Any], label: Label, *, handoff_id: str) -> str:
    """The hand-off sheet of the brief (never the transcript, never sensitive data)."""
    lines = [
        f"📋 Nouveau dossier n° {short_ref(handoff_id)} (Tremplin)",
        f"Reçu le {str(lead.get('created_at', ''))[:10]}"
        + (f" · venu par « {lead['source']} »" if lead.get("source") else ""),
        f"Prénom : {lead.get('first_name') or 'non donné'}",
        f"Commune : {lead.get('commune') or '—'} ({lead.get('postal_code') or '—'})",
        f"Où en est le projet : {label('stage', lead.get('stage'))}",
        f"Domaine : {label('sector', lead.get('sector'))}",
    ]
    if lead.get("pitch"):
        lines.append(f"Le projet : « {lead['pitch']} »")
    details = lead.get("details") or {}
    if details.get("company_age"):
        lines.append(
            f"Entreprise : {label('company_age', details['company_age'])}, "
            f"{label('headcount', details.get('headcount'))} personnes"
        )
    if details.get("growth_needs"):
        lines.append(f"Pour grandir : {label('growth_needs', details['growth_needs'])}")
    lines.append(f"Besoins : {label('needs', lead.get('needs') or [])}")
    lines.append(f"Contact préféré : {label('contact_pref', lead.get('contact_pref'))}")
    if lead.get("phone"):
        lines.append(f"Téléphone : {readable_phone(lead['phone'])}")
    if lead.get("schemes"):
        lines.append("Aides suggérées : " + ", ".join(lead["schemes"]))
    for consent in lead.get("consents") or []:
        lines.append(
            f"Accord « {consent['purpose']} » donné le {consent['given_at'][:16].replace('T', ' ')}"
            f" (notice {consent['notice_version']})"
        )
    return "\n".join(lines)


def case_card(lead: Mapping[str, Any], label: Label, handoff_id: str) -> Outbound:
    """The message a relay gets on Telegram: the sheet, accept and decline."""
    text = render_sheet(lead, label, handoff_id=handoff_id)
    text += "\nTu le prends ? Sans réponse, il passera à quelqu'un d'autre."
    return Outbound(
        text,
        (
            Button(case_payload(handoff_id, "accept"), "✅ Je le prends"),
            Button(case_payload(handoff_id, "decline"), "Je ne peux pas"),
        ),
    )


def close_card(handoff_id: str) -> Outbound:
    """Buttons to close an accepted case with its outcome."""
    return Outbound(
        f"Dossier n° {short_ref(handoff_id)} : quand c'est fini, choisis comment ça s'est passé.",
        tuple(
            Button(case_payload(handoff_id, f"close_{key}"), title)
            for key, (title, _) in OUTCOMES.items()
        ),
    )
