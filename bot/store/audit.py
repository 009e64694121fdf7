"""The audit log: every look at or export of personal data, by whom and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, func, insert, select
from sqlalchemy.engine import Connection

from bot.store.models import AuditEntry
from bot.store.turns import now

audit_log = cast(Table, AuditEntry.__table__)


def record_access(
    connection: Connection,
    *,
    actor: str,
    action: str,
    lead_id: str | None = None,
    detail: str | None = None,
) -> None:
    """Write one audit entry (in the caller's transaction)."""
    connection.execute(
        insert(audit_log).values(
            at=now(), actor=actor[:120], action=action[:40], lead_id=lead_id, detail=detail
        )
    )


def audit_entries(connection: Connection) -> list[dict[str, object]]:
    """Every entry, oldest first."""
    rows = connection.execute(select(audit_log).order_by(audit_log.c.id))
    return [dict(row) for row in rows.mappings()]


@dataclass(frozen=True, slots=True)
class AuditFilters:
    """Which entries the admins' view shows: an action, who (part of the actor), a period."""

    action: str | None = None
    who: str | None = None
    since: datetime | None = None
    until: datetime | None = None  # excluded


def _where(filters: AuditFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.action:
        where.append(audit_log.c.action == filters.action)
    if filters.who:
        pattern = (
            "%" + filters.who.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
        )
        where.append(func.lower(audit_log.c.actor).like(pattern))
    if filters.since:
        where.append(audit_log.c.at >= filters.since)
    if filters.until:
        where.append(audit_log.c.at < filters.until)
    return where


def find_entries(
    connection: Connection, filters: AuditFilters, *, offset: int = 0, limit: int = 50
) -> list[dict[str, Any]]:
    """The entries matching ``filters``, newest first, ``limit`` from ``offset``."""
    rows = connection.execute(
        select(audit_log)
        .where(*_where(filters))
        .order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [dict(row) for row in rows.mappings()]


def audit_actions(connection: Connection) -> list[str]:
    """Every action the log holds, for the filter's list."""
    return [
        str(a)
        for a in connection.execute(
            select(audit_log.c.action).distinct().order_by(audit_log.c.action)
        ).scalars()
    ]
