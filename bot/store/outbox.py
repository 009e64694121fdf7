"""Messages kept for a resident whose channel cannot receive them now (part of their turns)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, delete, insert, select

from bot.store.models import OutboxMessage
from bot.store.turns import TurnTx, contacts, now

outbox = cast(Table, OutboxMessage.__table__)


def queue_for_resident(tx: TurnTx, text: str) -> None:
    """Keep ``text`` (encrypted) for the person of ``tx``, to go with their next replies."""
    tx.connection.execute(
        insert(outbox).values(
            conversation_id=tx.conversation_id, text=tx.cipher.encrypt(text) or "", created_at=now()
        )
    )


def take_outbox(tx: TurnTx) -> list[str]:
    """Inside a resident's turn: the queued messages (decrypted), removed from the queue."""
    connection = tx.connection
    rows = connection.execute(
        select(outbox.c.id, outbox.c.text)
        .where(outbox.c.conversation_id == tx.conversation_id)
        .order_by(outbox.c.id)
    ).all()
    if not rows:
        return []
    connection.execute(delete(outbox).where(outbox.c.id.in_([r.id for r in rows])))
    return [tx.cipher.decrypt(r.text) or "" for r in rows]


def keep_or_find(tx: TurnTx, text: str, can_push: bool) -> tuple[bool, str | None]:
    """Before writing to the person of ``tx``: may we, and where.

    ``(False, None)`` without a kept contact or after STOP. Else, on a channel that
    cannot push (or that said the person cannot be reached), ``text`` is kept for their
    next turn: ``(True, None)``; on one that can, ``(True, user_ref)``, their channel
    user id to push to.
    """
    contact = tx.connection.execute(
        select(contacts.c.user_ref, contacts.c.stopped_at, contacts.c.unreachable_at).where(
            contacts.c.conversation_id == tx.conversation_id
        )
    ).first()
    if contact is None or contact.stopped_at is not None:
        return False, None
    if not can_push or contact.unreachable_at is not None:  # blocked: for when they return
        queue_for_resident(tx, text)
        return True, None
    user_ref = tx.cipher.decrypt(contact.user_ref)
    return user_ref is not None, user_ref
