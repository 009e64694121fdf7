"""A person's copy of their data: a short readable summary plus the full JSON file."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from bot.domain.bidi import embed
from bot.domain.messages import Attachment, Outbound

HIDDEN = {"schemes_text", "relay_email", "place_confirmed", "recap_ok", "fix_field"}


def _fill(text: str, **values: str) -> str:
    template = text
    for name, value in values.items():
        text = text.replace(f"{{{name}}}", embed(template, value))
    return text


def render_access(
    data: Mapping[str, Any], label: Callable[[str, Any], str], texts: Mapping[str, Any]
) -> list[Outbound]:
    """The summary messages, the last one carrying ``mes-donnees.json``.

    ``texts`` are the coordinators' wording (``messages.access`` of ``flows/global.yml``).
    """
    names: Mapping[str, str] = texts["names"]
    purposes: Mapping[str, str] = texts["purposes"]
    lines: list[str] = []
    contact = data.get("contact")
    if contact:
        who = contact.get("first_name") or texts["no_first_name"]
        lines.append(_fill(texts["contact"], channel=contact["channel"], first_name=who))
    else:
        lines.append(texts["no_contact"])
    answers = data.get("answers") or {}
    one, separator = texts.get("answer", "{name} : {value}"), texts.get("separator", " ; ")
    shown = [
        _fill(one, name=names[key], value=label(key, value))
        for key, value in answers.items()
        if key in names and key not in HIDDEN and value not in (None, "skip")
    ]
    if shown:
        lines.append(_fill(texts["answers"], answers=separator.join(shown)))
    consents = data.get("consents") or []
    given = [c for c in consents if c["kind"] == "answer" and c["granted"]]
    withdrawn = [c for c in consents if c["kind"] == "withdrawal"]
    for key, chosen in (("consents", given), ("withdrawn", withdrawn)):
        if chosen:
            said = separator.join(purposes.get(c["purpose"], c["purpose"]) for c in chosen)
            lines.append(_fill(texts[key], purposes=said))
    case = data.get("case")
    if case:
        relay = case.get("relay_name")
        lines.append(_fill(texts["case_sent"], relay_name=relay) if relay else texts["case_kept"])
    lines.append(texts["footer"])
    copy = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    return [
        Outbound(
            "\n".join(lines),
            attachment=Attachment("mes-donnees.json", "application/json", copy),
        )
    ]
