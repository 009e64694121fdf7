"""Hand-offs to relays: attempts, status history and relay loads (background work)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.engine import Connection

from bot.store.models import Handoff, HandoffEvent
from bot.store.turns import TurnTx, leads, now

handoffs = cast(Table, Handoff.__table__)
handoff_events = cast(Table, HandoffEvent.__table__)

OPEN = ("offered", "notified", "accepted", "in_conversation")  # at most one per lead
WAITING = ("offered", "notified")
TALKING = ("accepted", "in_conversation")


@dataclass(frozen=True, slots=True)
class HandoffRow:
    """One hand-off attempt."""

    id: str
    lead_id: str
    conversation_id: str
    channel: str
    relay_id: str
    attempt: int
    status: str
    outcome: str | None
    card_ref: str | None
    due_at: datetime | None


def _row(row: Any) -> HandoffRow:
    return HandoffRow(
        id=row.id,
        lead_id=row.lead_id,
        conversation_id=row.conversation_id,
        channel=row.channel,
        relay_id=row.relay_id,
        attempt=row.attempt,
        status=row.status,
        outcome=row.outcome,
        card_ref=row.card_ref,
        due_at=row.due_at,
    )


def _log(
    connection: Connection,
    row: HandoffRow,
    status: str,
    actor: str,
    detail: str | None,
    **lead_changes: Any,
) -> None:
    connection.execute(
        insert(handoff_events).values(
            handoff_id=row.id,
            lead_id=row.lead_id,
            relay_id=row.relay_id,
            status=status,
            at=now(),
            actor=actor[:120],
            detail=detail[:200] if detail else None,
        )
    )
    connection.execute(
        update(leads)
        .where(leads.c.id == row.lead_id)
        .values(status=status, relay_id=row.relay_id, updated_at=now(), **lead_changes)
    )


def create(
    connection: Connection,
    *,
    lead_id: str,
    conversation_id: str,
    channel: str,
    relay_id: str,
    attempt: int,
    due_at: datetime | None,
    actor: str = "bot",
    relay_name: str | None = None,
) -> HandoffRow:
    """A new ``offered`` attempt for ``relay_id``, logged in the history."""
    stamp = now()
    row = HandoffRow(
        uuid.uuid4().hex, lead_id, conversation_id, channel, relay_id, attempt, "offered",
        None, None, due_at,
    )  # fmt: skip
    connection.execute(
        insert(handoffs).values(
            id=row.id,
            lead_id=lead_id,
            conversation_id=conversation_id,
            channel=channel,
            relay_id=relay_id,
            attempt=attempt,
            status="offered",
            created_at=stamp,
            updated_at=stamp,
            due_at=due_at,
        )
    )
    changes = {"relay_name": relay_name} if relay_name is not None else {}
    _log(connection, row, "offered", actor, f"attempt {attempt}", **changes)
    return row


def transition(
    connection: Connection,
    handoff_id: str,
    status: str,
    allowed: Iterable[str],
    *,
    actor: str,
    detail: str | None = None,
    outcome: str | None = None,
    card_ref: str | None = None,
) -> HandoffRow | None:
    """Compare-and-set: move the attempt to ``status`` only if it is in ``allowed`` now,
    and log it; ``None`` when it was not (another worker or person changed it first)."""
    values: dict[str, Any] = {"status": status, "updated_at": now()}
    if outcome is not None:
        values["outcome"] = outcome
    if card_ref is not None:
        values["card_ref"] = card_ref
    found = connection.execute(
        update(handoffs)
        .where(handoffs.c.id == handoff_id, handoffs.c.status.in_(list(allowed)))
        .values(values)
        .returning(*handoffs.c)
    ).first()
    if found is None:
        return None
    row = _row(found)
    _log(connection, row, status, actor, detail or outcome)
    return row


def get(connection: Connection, handoff_id: str) -> HandoffRow | None:
    """The attempt ``handoff_id``, if any."""
    row = (connection.execute(select(handoffs).where(handoffs.c.id == handoff_id))).first()
    return _row(row) if row else None


def by_card(connection: Connection, relay_id: str, card_ref: str) -> HandoffRow | None:
    """The attempt whose card (message in the relay's chat) is ``card_ref``."""
    row = (
        connection.execute(
            select(handoffs).where(handoffs.c.relay_id == relay_id, handoffs.c.card_ref == card_ref)
        )
    ).first()
    return _row(row) if row else None


def open_for_relay(connection: Connection, relay_id: str) -> list[HandoffRow]:
    """The relay's open cases, oldest first."""
    rows = connection.execute(
        select(handoffs)
        .where(handoffs.c.relay_id == relay_id, handoffs.c.status.in_(OPEN))
        .order_by(handoffs.c.created_at)
    )
    return [_row(r) for r in rows]


def talking_for(connection: Connection, conversation_id: str) -> HandoffRow | None:
    """The accepted attempt of a resident's case, if a relay took it."""
    row = (
        connection.execute(
            select(handoffs)
            .where(handoffs.c.conversation_id == conversation_id, handoffs.c.status.in_(TALKING))
            .order_by(handoffs.c.created_at.desc())
        )
    ).first()
    return _row(row) if row else None


def open_for_conversation(connection: Connection, conversation_id: str) -> HandoffRow | None:
    """The open attempt of a resident's case (at most one), if any."""
    row = connection.execute(
        select(handoffs).where(
            handoffs.c.conversation_id == conversation_id, handoffs.c.status.in_(OPEN)
        )
    ).first()
    return _row(row) if row else None


def latest_for_conversation(connection: Connection, conversation_id: str) -> HandoffRow | None:
    """The latest attempt of a resident's case, whatever its status."""
    row = connection.execute(
        select(handoffs)
        .where(handoffs.c.conversation_id == conversation_id)
        .order_by(handoffs.c.created_at.desc(), handoffs.c.attempt.desc())
        .limit(1)
    ).first()
    return _row(row) if row else None


def for_lead(connection: Connection, lead_id: str) -> list[HandoffRow]:
    """Every attempt for a lead, first first."""
    rows = connection.execute(
        select(handoffs).where(handoffs.c.lead_id == lead_id).order_by(handoffs.c.attempt)
    )
    return [_row(r) for r in rows]


def due(connection: Connection, moment: datetime) -> list[HandoffRow]:
    """Attempts nobody accepted before their deadline."""
    rows = connection.execute(
        select(handoffs).where(handoffs.c.status.in_(WAITING), handoffs.c.due_at < moment)
    )
    return [_row(r) for r in rows]


def loads(connection: Connection) -> dict[str, int]:
    """Open cases per relay."""
    rows = connection.execute(
        select(handoffs.c.relay_id, func.count())
        .where(handoffs.c.status.in_(OPEN))
        .group_by(handoffs.c.relay_id)
    )
    return {relay_id: int(count) for relay_id, count in rows}


def history(connection: Connection, lead_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Status history per lead (for the export)."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    wanted = list(lead_ids)
    if not wanted:
        return found
    rows = connection.execute(
        select(handoff_events)
        .where(handoff_events.c.lead_id.in_(wanted))
        .order_by(handoff_events.c.id)
    )
    for row in rows:
        found[row.lead_id].append(
            {
                "status": row.status,
                "at": row.at.isoformat().replace("+00:00", "Z") if row.at else None,
                "relay_id": row.relay_id,
                "actor": row.actor,
                "detail": row.detail,
            }
        )
    return found


# How a resident's case stands, from the status of its latest attempt: a declined,
# expired or unreachable one that was not followed by another found nobody to take it.
_SEEN_BY_RESIDENT = {
    "offered": "sending",
    "notified": "waiting",
    "accepted": "accepted",
    "in_conversation": "accepted",
    "closed": "closed",
}


@dataclass(frozen=True, slots=True)
class CaseView:
    """What a resident may hear about their case: where it stands, with whom, by when."""

    status: str  # "sending", "waiting" (arrived, not taken), "accepted", "closed", "stuck"
    relay_name: str | None
    due_at: datetime | None


def case_view(tx: TurnTx) -> CaseView | None:
    """Inside a resident's turn: their latest hand-off, or ``None`` when there is none."""
    connection: Connection = tx.connection
    row = connection.execute(
        select(handoffs.c.status, handoffs.c.due_at, leads.c.relay_name)
        .join(leads, leads.c.id == handoffs.c.lead_id)
        .where(handoffs.c.conversation_id == tx.conversation_id)
        .order_by(handoffs.c.created_at.desc(), handoffs.c.attempt.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return CaseView(_SEEN_BY_RESIDENT.get(row.status, "stuck"), row.relay_name, row.due_at)
