"""The audit log: every look at or export of personal data, by whom and when."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, insert, select
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
