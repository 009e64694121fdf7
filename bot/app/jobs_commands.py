"""The ``bot jobs`` commands: what the outbox holds, and another round for a dead job."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.app.settings import Settings
from bot.store import jobs as queue
from bot.store.database import make_engine, upgrade

STATUSES = (queue.PENDING, queue.DONE, queue.DEAD, queue.CANCELLED)


def add_jobs_parser(sub: Any) -> None:
    """Add ``bot jobs list`` and ``bot jobs retry`` to the command line."""
    jobs = sub.add_parser("jobs", help="the outbox: work queued for after a turn")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", required=True)
    listing = jobs_sub.add_parser("list", help="jobs by status, newest first (no content)")
    listing.add_argument("--status", choices=STATUSES, default=None)
    retry = jobs_sub.add_parser("retry", help="give a dead job another round of tries")
    retry.add_argument("job_id", type=int)


async def _jobs(settings: Settings, command: str, status: str | None, job_id: int | None) -> str:
    engine = make_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with engine.begin() as connection:
            if command == "retry" and job_id is not None:
                revived = await connection.run_sync(lambda c: queue.revive(c, job_id))
                return (
                    f"Tâche {job_id} relancée." if revived else f"Pas de tâche morte n° {job_id}."
                )
            counts = await connection.run_sync(queue.counts)
            rows = await connection.run_sync(lambda c: queue.listing(c, status))
    finally:
        await engine.dispose()
    lines = ["  ".join(f"{name} : {counts.get(name, 0)}" for name in STATUSES)]
    for job in rows:
        when = job.run_at.strftime("%Y-%m-%d %H:%M")
        why = f"  ({job.last_error})" if job.last_error else ""
        lines.append(
            f"{job.id:>6}  {job.status:<9} {job.kind:<22} {job.attempts} essai(s)  {when}{why}"
        )
    return "\n".join(lines)


def run_jobs_command(args: Any, settings: Settings) -> int:
    """Run ``bot jobs ...``; prints the result."""
    print(asyncio.run(_jobs(settings, args.jobs_command, getattr(args, "status", None),
                            getattr(args, "job_id", None))))  # fmt: skip
    return 0
