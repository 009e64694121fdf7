"""What relays and residents read about a case: the hand-off sheet and status messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.messages import Button, Outbound
from bot.handoff.texts import RelayTexts, Wording, fill


def short_ref(lead_id: str) -> str:
    """The case number: the lead's, the same on the web, Telegram, e-mail and the export."""
    return lead_id[:6]


def readable_phone(e164: str) -> str:
    """A French number as people write it ("06 12 34 56 78"); others stay as they are."""
    if e164.startswith("+33") and len(e164) == 12:
        national = "0" + e164[3:]
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    return e164


def case_payload(handoff_id: str, action: str) -> str:
    """Button payload of a case card (well under Telegram's 64 bytes)."""
    return f"/case:{handoff_id}:{action}"


def render_sheet(lead: Mapping[str, Any], wording: Wording) -> str:
    """The hand-off sheet of the brief (never the transcript, never sensitive data)."""
    sheet = wording.texts.relais.sheet
    lang = str(lead.get("lang") or (lead.get("details") or {}).get("lang") or "fr")
    label = wording.label
    received = fill(sheet.received, date=str(lead.get("created_at", ""))[:10])
    if lead.get("source"):
        received += fill(sheet.source, source=lead["source"])
    lines = [
        fill(sheet.title, ref=short_ref(str(lead.get("lead_id", "")))),
        received,
        fill(sheet.first_name, first_name=lead.get("first_name") or sheet.no_first_name),
        fill(sheet.lang, lang=sheet.languages.get(lang, lang)),
        fill(
            sheet.commune,
            commune=lead.get("commune") or "—",
            postal_code=lead.get("postal_code") or "—",
        ),
        fill(sheet.stage, stage=label("stage", lead.get("stage"))),
        fill(sheet.sector, sector=label("sector", lead.get("sector"))),
    ]
    if lead.get("pitch"):
        lines.append(fill(sheet.pitch, pitch=lead["pitch"]))
    details = lead.get("details") or {}
    if details.get("company_age"):
        company_age = label("company_age", details["company_age"])
        headcount = label("headcount", details.get("headcount"))
        lines.append(fill(sheet.company, company_age=company_age, headcount=headcount))
    if details.get("growth_needs"):
        growth = label("growth_needs", details["growth_needs"])
        lines.append(fill(sheet.growth, growth_needs=growth))
    if details.get("turnover"):
        lines.append(fill(sheet.turnover, turnover=label("turnover", details["turnover"])))
    if details.get("maturity"):
        reasons = ", ".join(details.get("maturity_reasons") or [])
        maturity = label("maturity", details["maturity"])
        lines.append(fill(sheet.maturity, maturity=maturity, reasons=reasons))
    if details.get("situation"):
        # Shared only with the relay the resident agreed to send the case to.
        lines.append(fill(sheet.situation, situation=label("situation", details["situation"])))
    if not details.get("growth_needs"):
        lines.append(fill(sheet.needs, needs=label("needs", lead.get("needs") or [])))
    lines.append(
        fill(sheet.contact_pref, contact_pref=label("contact_pref", lead.get("contact_pref")))
    )
    if lead.get("phone"):
        lines.append(fill(sheet.phone, phone=readable_phone(lead["phone"])))
    if lead.get("schemes"):  # by name: relays do not read the catalogue's ids
        lines.append(fill(sheet.schemes, schemes=label("schemes", lead["schemes"])))
    for consent in lead.get("consents") or []:
        lines.append(
            fill(
                sheet.consent,
                purpose=consent["purpose"],
                given_at=consent["given_at"][:16].replace("T", " "),
                notice_version=consent["notice_version"],
            )
        )
    return "\n".join(lines)


# What a relay's system gets of a lead: the sheet's facts, never the person's channel id
# (``user_ref``), our ids (``lead_id``: the webhook carries an opaque ``case_ref``) or the
# case's internal history.
CASE_FIELDS = (
    "created_at",
    "source",
    "channel",
    "first_name",
    "commune",
    "postal_code",
    "stage",
    "sector",
    "pitch",
    "needs",
    "contact_pref",
    "phone",
    "schemes",
    "lang",
)
DETAIL_FIELDS = ("company_age", "headcount", "growth_needs")
CONSENT_FIELDS = ("purpose", "given_at", "notice_version")


def case_fields(lead: Mapping[str, Any]) -> dict[str, Any]:
    """The case as a relay's system receives it (the same facts as the sheet)."""
    details = lead.get("details") or {}
    return {
        **{name: lead.get(name) for name in CASE_FIELDS},
        "details": {name: details[name] for name in DETAIL_FIELDS if name in details},
        "consents": [
            {name: consent.get(name) for name in CONSENT_FIELDS}
            for consent in lead.get("consents") or []
        ],
    }


def case_card(lead: Mapping[str, Any], wording: Wording, handoff_id: str) -> Outbound:
    """The message a relay gets on Telegram: the sheet, accept and decline."""
    texts = wording.texts.relais
    text = render_sheet(lead, wording) + "\n" + texts.take_it
    return Outbound(
        text,
        (
            Button(case_payload(handoff_id, "accept"), texts.accept_button),
            Button(case_payload(handoff_id, "decline"), texts.decline_button),
        ),
    )


def close_card(handoff_id: str, lead_id: str, texts: RelayTexts) -> Outbound:
    """Buttons to close an accepted case with its outcome."""
    return Outbound(
        fill(texts.close_card, ref=short_ref(lead_id)),
        tuple(
            Button(case_payload(handoff_id, f"close_{key}"), outcome.button)
            for key, outcome in texts.outcomes.items()
        ),
    )
