"""A person's rights inside their turn: stop, see everything kept, erase everything."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from bot.store.followups import forget as forget_followups
from bot.store.handoffs import handoff_events, handoffs
from bot.store.jobs import forget as forget_jobs
from bot.store.outbox import outbox
from bot.store.turns import (
    ENCRYPTED_LEAD_FIELDS,
    TurnTx,
    consents,
    contacts,
    conversations,
    leads,
    now,
    suppressions,
)


@dataclass(frozen=True, slots=True)
class ErasedCase:
    """The case an erasure withdrew, so its relay can be told."""

    lead_id: str
    relay_id: str | None


_STOP = (
    update(contacts)
    .where(contacts.c.conversation_id == bindparam("cid"))
    .values(stopped_at=bindparam("at"))
)


def stop_contact(tx: TurnTx) -> None:
    """STOP: no proactive message any more; the follow-up consent is withdrawn."""
    tx.connection.execute(_STOP, {"cid": tx.conversation_id, "at": now()})
    tx.record_consent(
        purpose="followup",
        granted=False,
        notice_version="stop",
        notice_hash="",
        relay_id=None,
        kind="withdrawal",
    )


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def personal_data(tx: TurnTx) -> dict[str, Any]:
    """Everything kept about the person of ``tx``, decrypted, as plain JSON values."""
    cid = tx.conversation_id
    decrypt = tx.cipher.decrypt
    contact = (
        tx.connection.execute(select(contacts).where(contacts.c.conversation_id == cid))
        .mappings()
        .first()
    )
    lead = (
        tx.connection.execute(select(leads).where(leads.c.conversation_id == cid))
        .mappings()
        .first()
    )
    proofs = tx.connection.execute(
        select(consents).where(consents.c.subject == cid).order_by(consents.c.id)
    ).mappings()
    stored = tx.load()
    data: dict[str, Any] = {
        "contact": None,
        "answers": dict((stored.state.get("slots") or {}) if stored else {}),
        "consents": [
            {
                "purpose": c["purpose"],
                "kind": c["kind"],
                "granted": c["granted"],
                "at": _iso(c["created_at"]),
                "notice_version": c["notice_version"],
                "relay_id": c["relay_id"],
            }
            for c in proofs
        ],
        "case": None,
    }
    if contact is not None:
        data["contact"] = {
            "channel": contact["channel"],
            "user_ref": decrypt(contact["user_ref"]),
            "first_name": decrypt(contact["first_name"]),
            "phone": decrypt(contact["phone"]),
            "since": _iso(contact["created_at"]),
            "stopped_at": _iso(contact["stopped_at"]),
        }
    if lead is not None:
        case = {k: _iso(v) for k, v in lead.items() if k not in ("conversation_id", "user_ref")}
        for name in ENCRYPTED_LEAD_FIELDS:
            case[name] = decrypt(case[name])
        data["case"] = case
    return data


def _erase_handoffs(tx: TurnTx, lead_id: str | None) -> None:
    """Drop the person's hand-off attempts, their history and the messages kept for them."""
    connection = tx.connection
    connection.execute(delete(outbox).where(outbox.c.conversation_id == tx.conversation_id))
    forget_jobs(connection, tx.conversation_id)
    connection.execute(delete(handoffs).where(handoffs.c.conversation_id == tx.conversation_id))
    if lead_id is not None:
        connection.execute(delete(handoff_events).where(handoff_events.c.lead_id == lead_id))


def erase_all(tx: TurnTx) -> ErasedCase | None:
    """Erase everything personal about the person; keep only the hashed suppression record."""
    cid = tx.conversation_id
    lead = tx.connection.execute(
        select(leads.c.id, leads.c.relay_id).where(leads.c.conversation_id == cid)
    ).first()
    _erase_handoffs(tx, lead.id if lead is not None else None)
    forget_followups(tx.connection, cid)
    tx.connection.execute(delete(leads).where(leads.c.conversation_id == cid))
    tx.connection.execute(delete(contacts).where(contacts.c.conversation_id == cid))
    tx.connection.execute(delete(consents).where(consents.c.subject == cid))
    tx.connection.execute(delete(conversations).where(conversations.c.id == cid))
    tx.unlink_messages()
    known = tx.connection.execute(
        select(suppressions.c.subject).where(suppressions.c.subject == cid)
    ).first()
    if known is None:
        tx.connection.execute(insert(suppressions).values(subject=cid, erased_at=now()))
    return ErasedCase(lead.id, lead.relay_id) if lead is not None else None
