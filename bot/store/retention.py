"""Retention: drop raw free text after N days, and contacts inactive for N months."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.cipher import FieldCipher
from bot.store.database import scrub
from bot.store.jobs import purge_settled
from bot.store.personal import erase_all
from bot.store.sealed import open_state
from bot.store.turns import TurnTx, contacts, conversations, messages
from bot.store.web import case_messages


@dataclass(frozen=True, slots=True)
class Renewal:
    """A person to ask, once, whether we may keep their contact."""

    channel: str
    user_ref: str


@dataclass(slots=True)
class PurgeReport:
    """What a purge removed (or would remove, on a dry run)."""

    texts: int = 0
    abandoned: int = 0
    erased: int = 0
    jobs: int = 0
    renewals: list[Renewal] = field(default_factory=list)

    @property
    def removed(self) -> bool:
        """True when something was deleted (the database files are then scrubbed)."""
        return bool(self.texts or self.abandoned or self.erased)


def sweep(
    connection: Connection,
    cipher: FieldCipher,
    *,
    now: datetime,
    text_days: int,
    contact_months: int,
    grace_days: int,
    can_ask: Callable[[str], bool],
) -> PurgeReport:
    """Apply the retention rules in the caller's transaction (see :func:`purge`)."""
    report = PurgeReport()
    text_cutoff = now - timedelta(days=text_days)
    result = connection.execute(
        update(messages)
        .where(messages.c.text.is_not(None), messages.c.created_at < text_cutoff)
        .values(text=None)
    )
    report.texts = result.rowcount
    # A case's thread is message text too: kept as long as the message log's texts.
    threads = connection.execute(delete(case_messages).where(case_messages.c.at < text_cutoff))
    report.texts += threads.rowcount
    report.jobs = purge_settled(connection, text_cutoff)  # jobs done or cancelled long ago
    # Conversations left before any consent still hold free answers (the pitch...).
    stale = connection.execute(
        select(conversations.c.id, conversations.c.channel, conversations.c.state).where(
            conversations.c.updated_at < text_cutoff
        )
    ).all()
    for row in stale:
        slots = open_state(row.state, cipher).get("slots") or {}
        if slots.get("consent_contact") != "yes":
            TurnTx(connection, row.id, row.channel, cipher).forget()
            report.abandoned += 1
    contact_cutoff = now - timedelta(days=30 * contact_months)
    grace = timedelta(days=grace_days)
    for contact in connection.execute(select(contacts)).mappings().all():
        seen = max(filter(None, (contact["last_seen_at"], contact["last_inbound_at"])))
        if seen >= contact_cutoff:
            continue
        asked = contact["renewal_asked_at"]
        if asked is None and can_ask(contact["channel"]) and contact["stopped_at"] is None:
            connection.execute(
                update(contacts).where(contacts.c.id == contact["id"]).values(renewal_asked_at=now)
            )
            user_ref = cipher.decrypt(contact["user_ref"])
            if user_ref is not None:
                report.renewals.append(Renewal(contact["channel"], user_ref))
            continue
        if asked is not None and (now - asked < grace or seen > asked):
            continue  # still waiting for an answer, or the person answered
        erase_all(TurnTx(connection, contact["conversation_id"], contact["channel"], cipher))
        report.erased += 1
    return report


async def purge(
    engine: AsyncEngine,
    cipher: FieldCipher,
    *,
    text_days: int,
    contact_months: int,
    grace_days: int,
    can_ask: Callable[[str], bool] = lambda channel: False,
    dry_run: bool = False,
    now: datetime | None = None,
) -> PurgeReport:
    """Apply the retention rules in one transaction; a dry run rolls it back.

    Contacts inactive for ``contact_months`` are asked once whether to keep them when
    their channel can write first (``can_ask``); they are erased after ``grace_days``
    without an answer, or at once when the channel cannot ask.
    """
    moment = now or datetime.now(UTC)
    async with engine.connect() as connection:
        transaction = await connection.begin()
        report = await connection.run_sync(
            lambda sync: sweep(
                sync,
                cipher,
                now=moment,
                text_days=text_days,
                contact_months=contact_months,
                grace_days=grace_days,
                can_ask=can_ask,
            )
        )
        if dry_run:
            await transaction.rollback()
            report.renewals.clear()  # nobody is asked on a dry run
        else:
            await transaction.commit()
    if not dry_run and report.removed:
        await scrub(engine)
    return report
