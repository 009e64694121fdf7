"""Reachability of kept contacts: a channel reports it can no longer write to someone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, update

from bot.store.turns import TurnTx, contacts, now
from bot.store.turnstore import TurnStore

_UNREACHABLE = (
    update(contacts)
    .where(contacts.c.conversation_id == bindparam("cid"))
    .values(unreachable_at=bindparam("at"))
)


def set_unreachable(tx: TurnTx, at: datetime) -> bool:
    """Stamp ``tx``'s contact unreachable; ``False`` when no contact is kept."""
    result = tx.connection.execute(_UNREACHABLE, {"cid": tx.conversation_id, "at": at})
    return bool(result.rowcount)


async def mark_unreachable(
    store: TurnStore, conversation_id: str, channel: str, at: datetime | None = None
) -> bool:
    """Record that ``channel`` can no longer write to this person (the bot was blocked).

    Runs as a turn of its own, so it is ordered with the person's turns. The stamp is
    cleared when the person writes again. ``False`` when we keep no contact for them.
    """
    moment = at or now()
    return await store.transact(conversation_id, channel, lambda tx: set_unreachable(tx, moment))
