"""Read leads for export, with the proof of each consent given."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.cipher import FieldCipher, PlainText
from bot.domain.messages import TRIAL_SOURCE
from bot.store.audit import record_access
from bot.store.followups import for_export as followup_fields
from bot.store.handoffs import history
from bot.store.turns import consents, contacts, leads

Decrypt = Callable[[str | None], str | None]

EXPORT_FIELDS = (
    "lead_id",
    "case_number",  # what relays read and type: the lead id's first 6 characters
    "channel",
    "user_ref",
    "created_at",
    "stage",
    "sector",
    "postal_code",
    "commune",
    "needs",
    "consents",
    "relay_id",
    "relay_name",
    "status",
    "status_history",
    "schemes",
    "source",
    "first_name",
    "pitch",
    "contact_pref",
    "phone",
    "maturity",
    "maturity_reasons",
    "situation",
    "lang",
    "details",
    "checkins",
    "outcome",
    "outcome_at",
)
PEPITE = "pepite"  # the maturity level ``bot leads export --pepites`` keeps


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")  # columns hand back aware UTC


def _read(
    connection: Connection, decrypt: Decrypt, lead_id: str | None = None
) -> list[dict[str, Any]]:
    query = select(leads).order_by(leads.c.created_at, leads.c.id)
    if lead_id is not None:
        query = query.where(leads.c.id == lead_id)
    rows = connection.execute(query).all()
    subjects = [row.conversation_id for row in rows]
    proofs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if subjects:
        given = connection.execute(
            select(consents)
            .where(
                consents.c.subject.in_(subjects),
                consents.c.granted.is_(True),
                consents.c.kind == "answer",
            )
            .order_by(consents.c.id)
        )
        for consent in given:
            proofs[consent.subject].append(
                {
                    "purpose": consent.purpose,
                    "given_at": _iso(consent.created_at),
                    "notice_version": consent.notice_version,
                    "notice_hash": consent.notice_hash,
                    "relay_id": consent.relay_id,
                    "lang": consent.lang,
                }
            )
    histories = history(connection, [row.id for row in rows])
    phones = (
        {
            row.conversation_id: decrypt(row.phone)
            for row in connection.execute(
                select(contacts.c.conversation_id, contacts.c.phone).where(
                    contacts.c.conversation_id.in_(subjects)
                )
            )
        }
        if subjects
        else {}
    )
    found = [
        {
            "lead_id": row.id,
            "case_number": row.id[:6],
            "channel": row.channel,
            "user_ref": decrypt(row.user_ref),
            "created_at": _iso(row.created_at),
            "stage": row.stage,
            "sector": row.sector,
            "postal_code": row.postal_code,
            "commune": row.commune,
            "needs": list(row.needs or []),
            "consents": proofs.get(row.conversation_id, []),
            "relay_id": row.relay_id,
            "relay_name": row.relay_name,
            "status": row.status,
            "status_history": histories.get(row.id, []),
            "schemes": list(row.schemes or []),
            "source": row.source,
            "first_name": decrypt(row.first_name),
            "pitch": decrypt(row.pitch),
            "contact_pref": row.contact_pref,
            "phone": phones.get(row.conversation_id),
            # Read from the details, where the lead keeps them (no column of their own).
            "maturity": (row.details or {}).get("maturity"),
            "maturity_reasons": list((row.details or {}).get("maturity_reasons") or []),
            "situation": (row.details or {}).get("situation"),
            "lang": (row.details or {}).get("lang") or "fr",
            "details": dict(row.details or {}),
        }
        for row in rows
    ]
    followed = followup_fields(connection, subjects)  # follow-ups asked, answers, outcome
    for lead, row in zip(found, rows, strict=True):
        lead.update(followed[row.conversation_id])
    return found


async def export_leads(
    engine: AsyncEngine,
    cipher: FieldCipher | None = None,
    *,
    actor: str = "system",
    maturity: str | None = None,
) -> list[dict[str, Any]]:
    """Every lead, oldest first, in the export contract's shape (the export is audited);
    ``maturity`` keeps only the leads of that level (``pepite``: the pépites)."""
    decrypt = (cipher or PlainText()).decrypt

    def export(connection: Connection) -> list[dict[str, Any]]:
        # A coordinator's trial of the bot (``/flows/essai``) is no case: never exported.
        found = [lead for lead in _read(connection, decrypt) if lead["source"] != TRIAL_SOURCE]
        if maturity is not None:
            found = [lead for lead in found if lead["maturity"] == maturity]
        detail = f"{len(found)} leads" + (f" ({maturity})" if maturity else "")
        record_access(connection, actor=actor, action="export_leads", detail=detail)
        return found

    async with engine.begin() as connection:
        return await connection.run_sync(export)


def load_lead(connection: Connection, lead_id: str, cipher: FieldCipher) -> dict[str, Any] | None:
    """One lead in the export's shape (for the hand-off sheet), or ``None``."""
    found = _read(connection, cipher.decrypt, lead_id)
    return found[0] if found else None
