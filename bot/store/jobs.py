"""The jobs table (transactional outbox): queue work in a transaction, claim, settle it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.store.models import JobRecord
from bot.store.turns import now

jobs = cast(Table, JobRecord.__table__)

PENDING, DONE, DEAD, CANCELLED = "pending", "done", "dead", "cancelled"
_CLAIMED = ("id", "kind", "key", "subject", "payload", "attempts")

_ENQUEUE_SQLITE, _ENQUEUE_PG = (
    dialect.insert(jobs).on_conflict_do_nothing(index_elements=["key"]).returning(jobs.c.id)
    for dialect in (sqlite, postgresql)
)


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed job: what to do, for whom, and the lease that lets its claimer settle it."""

    id: int
    kind: str
    key: str
    subject: str | None
    payload: Mapping[str, Any]
    attempts: int  # including this one
    lease: str


@dataclass(frozen=True, slots=True)
class JobView:
    """A job as ``bot jobs list`` shows it (no payload: it may hold personal data)."""

    id: int
    kind: str
    key: str
    status: str
    attempts: int
    run_at: datetime
    last_error: str | None
    created_at: datetime


def enqueue(
    connection: Connection,
    kind: str,
    key: str,
    payload: Mapping[str, Any],
    *,
    subject: str | None = None,
    run_at: datetime | None = None,
) -> bool:
    """Queue a job in the caller's transaction; ``False`` when ``key`` was queued before
    (whatever became of it): the same work is never queued twice."""
    stamp = now()
    insert = _ENQUEUE_PG if connection.dialect.name == "postgresql" else _ENQUEUE_SQLITE
    row = connection.execute(
        insert.values(
            kind=kind,
            key=key[:160],
            subject=subject,
            payload=dict(payload),
            status=PENDING,
            attempts=0,
            run_at=run_at or stamp,
            created_at=stamp,
            updated_at=stamp,
        )
    ).first()
    return row is not None


def claim(
    connection: Connection, moment: datetime, *, limit: int, lease_seconds: float
) -> list[Job]:
    """Take up to ``limit`` due jobs for ``lease_seconds``: pending ones, and ones whose
    claimer's lease ran out (it died). Several workers never take the same job:
    ``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite has one writer at a time."""
    due = (
        select(jobs.c.id)
        .where(
            jobs.c.status == PENDING,
            jobs.c.run_at <= moment,
            or_(jobs.c.locked_until.is_(None), jobs.c.locked_until < moment),
        )
        .order_by(jobs.c.run_at, jobs.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = [row.id for row in connection.execute(due)]
    if not ids:
        return []
    lease = uuid.uuid4().hex
    rows = connection.execute(
        update(jobs)
        .where(jobs.c.id.in_(ids))
        .values(
            locked_by=lease,
            locked_until=moment + timedelta(seconds=lease_seconds),
            attempts=jobs.c.attempts + 1,
            updated_at=moment,
        )
        .returning(*(jobs.c[name] for name in _CLAIMED))
    ).all()
    found = [Job(r.id, r.kind, r.key, r.subject, r.payload, r.attempts, lease) for r in rows]
    return sorted(found, key=lambda job: ids.index(job.id))


def _settle(connection: Connection, job: Job, **values: Any) -> bool:
    """Change a job we still hold; ``False`` when our lease was lost (another took it)."""
    result = connection.execute(
        update(jobs)
        .where(jobs.c.id == job.id, jobs.c.locked_by == job.lease, jobs.c.status == PENDING)
        .values(locked_by=None, locked_until=None, updated_at=now(), **values)
    )
    return bool(result.rowcount)


def finish(connection: Connection, job: Job) -> bool:
    """The job is done: never run again; what it carried is not kept."""
    return _settle(connection, job, status=DONE, last_error=None, payload={})


def retry(connection: Connection, job: Job, run_at: datetime, error: str) -> bool:
    """Try again at ``run_at``."""
    return _settle(connection, job, run_at=run_at, last_error=error[:400])


def postpone(connection: Connection, job: Job, run_at: datetime) -> bool:
    """Not now (quiet hours...): run again at ``run_at``; this try does not count."""
    return _settle(connection, job, run_at=run_at, attempts=jobs.c.attempts - 1)


def bury(connection: Connection, job: Job, error: str) -> bool:
    """Give up (dead letter), keeping the reason."""
    return _settle(connection, job, status=DEAD, last_error=error[:400])


def cancel(connection: Connection, subject: str, kinds: Iterable[str] | None = None) -> int:
    """Cancel the pending jobs about ``subject`` (erasure, STOP), with their payloads."""
    where = [jobs.c.subject == subject, jobs.c.status == PENDING]
    if kinds is not None:
        where.append(jobs.c.kind.in_(list(kinds)))
    result = connection.execute(
        update(jobs)
        .where(and_(*where))
        .values(status=CANCELLED, payload={}, updated_at=now(), locked_by=None)
    )
    return int(result.rowcount)


def cancel_keys(connection: Connection, keys: Iterable[str]) -> int:
    """Cancel the pending jobs queued under ``keys`` (their reason went away)."""
    result = connection.execute(
        update(jobs)
        .where(jobs.c.key.in_([key[:160] for key in keys]), jobs.c.status == PENDING)
        .values(status=CANCELLED, payload={}, updated_at=now(), locked_by=None)
    )
    return int(result.rowcount)


def forget(connection: Connection, subject: str) -> None:
    """Erasure: no job keeps anything about ``subject`` (payloads emptied, link cut)."""
    cancel(connection, subject)
    connection.execute(
        update(jobs).where(jobs.c.subject == subject).values(payload={}, subject=None)
    )


def next_due(connection: Connection) -> datetime | None:
    """When the next pending job is due (to sleep until then)."""
    return cast(
        datetime | None,
        connection.execute(
            select(func.min(jobs.c.run_at)).where(jobs.c.status == PENDING)
        ).scalar(),
    )


def listing(connection: Connection, status: str | None = None, limit: int = 200) -> list[JobView]:
    """Jobs, newest first, optionally of one status."""
    query = select(jobs).order_by(jobs.c.id.desc()).limit(limit)
    if status is not None:
        query = query.where(jobs.c.status == status)
    return [
        JobView(r.id, r.kind, r.key, r.status, r.attempts, r.run_at, r.last_error, r.created_at)
        for r in connection.execute(query)
    ]


def counts(connection: Connection) -> dict[str, int]:
    """Jobs per status."""
    rows = connection.execute(select(jobs.c.status, func.count()).group_by(jobs.c.status))
    return {status: int(count) for status, count in rows}


def revive(connection: Connection, job_id: int) -> bool:
    """A dead job gets another round of tries (once the cause was fixed)."""
    result = connection.execute(
        update(jobs)
        .where(jobs.c.id == job_id, jobs.c.status == DEAD)
        .values(status=PENDING, attempts=0, run_at=now(), updated_at=now())
    )
    return bool(result.rowcount)


def purge_settled(connection: Connection, before: datetime) -> int:
    """Remove jobs done or cancelled before ``before`` (dead ones stay until looked at)."""
    result = connection.execute(
        jobs.delete().where(jobs.c.status.in_([DONE, CANCELLED]), jobs.c.updated_at < before)
    )
    return int(result.rowcount)


def only_one(connection: Connection, name: str) -> bool:
    """Inside a transaction: ``True`` for the one worker that may run sweep ``name`` now.

    PostgreSQL: a transaction-scoped advisory lock (others skip this round). SQLite: the
    transaction already holds the database's single write lock.
    """
    if connection.dialect.name != "postgresql":
        return True
    return bool(
        connection.execute(
            text("SELECT pg_try_advisory_xact_lock(hashtextextended(:name, 1))"), {"name": name}
        ).scalar()
    )
