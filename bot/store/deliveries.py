"""Delivery statuses of outbound messages, and what proactive messages need to know."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Table, bindparam, case, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.domain.delivery import DeliveryStatus, Reach
from bot.store.models import DeliveryEvent
from bot.store.turns import consents, contacts, messages, now, suppressions

delivery_events = cast(Table, DeliveryEvent.__table__)

# Statuses only move forward; read and failed are final (the first of them stays).
RANK = {"sent": 1, "delivered": 2, "read": 3, "failed": 3}
UNREACHABLE_CODES = frozenset({"131026"})  # the channel says: this person cannot get messages

_EVENT_SQLITE, _EVENT_PG = (
    dialect.insert(delivery_events)
    .on_conflict_do_nothing(index_elements=["channel", "channel_message_id", "status"])
    .returning(delivery_events.c.id)
    for dialect in (sqlite, postgresql)
)
_CURRENT_RANK = case(RANK, value=messages.c.status, else_=0)
_OUTBOUND = (
    messages.c.channel == bindparam("on_channel"),
    messages.c.direction == "out",
    messages.c.channel_message_id == bindparam("mid"),
)
_APPLY = (
    update(messages)
    .where(*_OUTBOUND, or_(messages.c.status.is_(None), bindparam("rank") > _CURRENT_RANK))
    .values(
        status=bindparam("new_status"),
        status_at=bindparam("at"),
        error_code=bindparam("code"),
    )
)
_MARK_UNREACHABLE = (
    update(contacts)
    .where(
        contacts.c.conversation_id
        == select(messages.c.conversation_id).where(*_OUTBOUND).scalar_subquery()
    )
    .values(unreachable_at=bindparam("at"))
)
_EVENTS_OF = (
    select(
        delivery_events.c.channel_message_id,
        delivery_events.c.status,
        delivery_events.c.error_code,
        delivery_events.c.reported_at,
    )
    .where(
        delivery_events.c.channel == bindparam("on_channel"),
        delivery_events.c.channel_message_id.in_(bindparam("mids", expanding=True)),
    )
    .order_by(delivery_events.c.id)
)


def _apply(connection: Connection, channel: str, report: DeliveryStatus) -> None:
    values = {"on_channel": channel, "mid": report.message_id, "at": report.reported_at}
    new = {"rank": RANK[report.status], "new_status": report.status, "code": report.error_code}
    connection.execute(_APPLY, {**values, **new})
    if report.status == "failed" and report.error_code in UNREACHABLE_CODES:
        connection.execute(_MARK_UNREACHABLE, values)


def record_status(connection: Connection, channel: str, report: DeliveryStatus) -> bool:
    """Keep a reported status once and move the message's state forward.

    ``report.message_id`` is the hashed channel id, as on the message log. Returns
    ``False`` for a status already received (redelivered webhook). A status for a
    message not yet logged is kept and applied by :func:`reconcile` once the id is
    attached.
    """
    if report.status not in RANK:
        return False
    insert_event = _EVENT_PG if connection.dialect.name == "postgresql" else _EVENT_SQLITE
    row = {
        "channel": channel,
        "channel_message_id": report.message_id,
        "status": report.status,
        "error_code": report.error_code,
        "reported_at": report.reported_at,
        "received_at": now(),
    }
    if connection.execute(insert_event, row).first() is None:
        return False
    _apply(connection, channel, report)
    return True


def reconcile(connection: Connection, channel: str, message_ids: Sequence[str]) -> None:
    """Apply statuses that arrived before the ids of these sent messages were logged."""
    if not message_ids:
        return
    events = connection.execute(_EVENTS_OF, {"on_channel": channel, "mids": list(message_ids)})
    for mid, status, code, reported_at in events.all():
        _apply(connection, channel, DeliveryStatus(mid, status, reported_at, code))


def log_proactive(
    connection: Connection,
    *,
    conversation_id: str,
    channel: str,
    message_id: str,
    text: str | None,
) -> None:
    """Log a message the bot sent first (a follow-up), so its statuses land on it."""
    connection.execute(
        insert(messages),
        {
            "conversation_id": conversation_id,
            "channel": channel,
            "direction": "out",
            "channel_message_id": message_id,
            "text": text,
            "created_at": now(),
        },
    )


def contact_reach(connection: Connection, conversation_id: str, purpose: str) -> Reach | None:
    """The reach of a person whose contact we keep, or ``None``.

    Consent rule: ``contact`` needs the latest contact answer to be yes. ``followup``
    needs the latest follow-up answer to be yes; a person never asked about follow-ups
    is covered by their contact consent, whose notice says someone will get back to
    them. A withdrawal (STOP records one for follow-ups) is a latest answer of no.
    """
    contact = connection.execute(
        select(
            contacts.c.last_inbound_at,
            contacts.c.unreachable_at,
            contacts.c.stopped_at,
        ).where(contacts.c.conversation_id == conversation_id)
    ).first()
    suppressed = connection.execute(
        select(suppressions.c.subject).where(suppressions.c.subject == conversation_id)
    ).first()
    if contact is None or suppressed is not None:
        return None
    latest: dict[str, bool] = {}
    answers = connection.execute(
        select(consents.c.purpose, consents.c.granted)
        .where(consents.c.subject == conversation_id, consents.c.purpose.in_(("contact", purpose)))
        .order_by(consents.c.id)
    )
    for answer_purpose, granted in answers:
        latest[answer_purpose] = bool(granted)
    # Never asked about follow-ups: the contact consent covers them.
    own = latest.get(purpose, purpose == "followup")
    return Reach(
        consented=latest.get("contact", False) and own,
        last_inbound_at=contact.last_inbound_at,
        stopped=contact.stopped_at is not None,
        unreachable=contact.unreachable_at is not None,
    )
