"""Scheduler benchmark: 100 000 follow-ups due in the same minute, drained by 2 worker
processes sharing PostgreSQL through the outbox (``jobs`` table, ``Drainer``); each
must be sent exactly once, and no channel may get more than its rate limit.

Each job writes to one resident on Telegram (30 messages a second for the whole bot)
or WhatsApp (80 a second per business number), in that proportion so both channels
finish together. A worker paces its sends with its share of each channel's limit (the
bot's token and number are shared: each of the 2 workers gets half). ``--speed``
multiplies the limits so a run fits in a few minutes (the scheduler, not the channels,
is what is measured); at ``--speed 1`` the channels themselves set the pace
(100 000 / 110 a second ≈ 15 minutes).

    python benchmarks/scheduler.py                     # 100 000 jobs, speed 10
    python benchmarks/scheduler.py --jobs 5000         # a quick run

Printed: jobs sent, sent twice, never sent, seconds, jobs a second, the most sends of
one channel in any one second against its limit, and the claim-to-send delay. The
database (``--database``, default the tests' ``tremplin_h5``) is migrated; only the
benchmark's own jobs (kind ``bench.send``) are written, and removed at the end. Exits 1
when a job was sent twice, never sent, or a limit was passed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, func, insert, select  # noqa: E402

from bot.channels.whatsapp.graph import Pacer  # noqa: E402
from bot.privacy.crypto import FernetCipher  # noqa: E402
from bot.store import jobs as queue  # noqa: E402
from bot.store.database import make_engine, upgrade  # noqa: E402
from bot.store.drainer import Drainer, Handler  # noqa: E402
from bot.store.jobs import Job, jobs  # noqa: E402
from bot.store.turnstore import PostgresTurnStore  # noqa: E402

DEFAULT_DB = "postgresql+asyncpg://tremplin:tremplin@127.0.0.1:5432/tremplin_h5"
KIND = "bench.send"
LIMITS = {"telegram": 30.0, "whatsapp": 80.0}  # messages a second, whole bot
WORKERS = 2


def channel_of(index: int) -> str:
    """Telegram for 3 jobs in 11, WhatsApp for 8: both channels finish together."""
    return "telegram" if index % 11 < 3 else "whatsapp"


async def prepare(url: str, count: int) -> None:
    """Migrate, clear earlier benchmark jobs, queue ``count`` jobs due in one minute."""
    engine = make_engine(url)
    await upgrade(engine)
    minute = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
    async with engine.begin() as connection:
        await connection.execute(delete(jobs).where(jobs.c.kind == KIND))
    stamp = datetime.now(UTC)
    for start in range(0, count, 5000):
        rows = [
            {
                "kind": KIND,
                "key": f"bench:{i}",
                "subject": f"bench-{i}",
                "payload": {"channel": channel_of(i), "to": f"user-{i}"},
                "status": queue.PENDING,
                "attempts": 0,
                "run_at": minute + timedelta(seconds=(i * 60) / count),
                "created_at": stamp,
                "updated_at": stamp,
            }
            for i in range(start, min(count, start + 5000))
        ]
        async with engine.begin() as connection:
            await connection.execute(insert(jobs), rows)
    await engine.dispose()


async def work(url: str, speed: float, batch: int) -> list[tuple[str, str, float, float]]:
    """One worker: drain until no benchmark job is pending; every send (key, channel,
    when sent, when claimed)."""
    engine = make_engine(url, pool_size=10)
    store = PostgresTurnStore(engine, FernetCipher([FernetCipher.new_key()]))
    pacers = {name: Pacer(limit * speed / WORKERS) for name, limit in LIMITS.items()}
    sent: list[tuple[str, str, float, float]] = []

    async def send(job: Job) -> None:
        claimed = time.time()
        await pacers[str(job.payload["channel"])].wait()
        sent.append((job.key, str(job.payload["channel"]), time.time(), claimed))

    drainer = Drainer(store, {KIND: Handler(send)}, batch=batch, concurrency=batch, poll=0.2)
    running = asyncio.create_task(drainer.run_forever())
    try:
        while True:
            await asyncio.sleep(0.5)
            async with engine.connect() as connection:
                left = await connection.scalar(
                    select(func.count())
                    .select_from(jobs)
                    .where(jobs.c.kind == KIND, jobs.c.status == queue.PENDING)
                )
            if not left:
                break
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await engine.dispose()
    return sent


def max_per_second(stamps: list[float]) -> int:
    """The most sends in any window of one second."""
    stamps = sorted(stamps)
    most, first = 0, 0
    for last, moment in enumerate(stamps):
        while moment - stamps[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


async def remaining(url: str) -> Counter[str]:
    """The benchmark jobs by status, then removed."""
    engine = make_engine(url)
    async with engine.begin() as connection:
        rows = await connection.execute(
            select(jobs.c.status, func.count()).where(jobs.c.kind == KIND).group_by(jobs.c.status)
        )
        found = Counter({status: int(count) for status, count in rows})
        await connection.execute(delete(jobs).where(jobs.c.kind == KIND))
    await engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--speed", type=float, default=10.0, help="limits multiplied by")
    parser.add_argument("--batch", type=int, default=100, help="jobs a worker claims at once")
    parser.add_argument("--database", default=os.environ.get("BOT_BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        sent = asyncio.run(work(args.database, args.speed, args.batch))
        args.worker.write_text(json.dumps(sent))
        return

    asyncio.run(prepare(args.database, args.jobs))
    print(f"{args.jobs} jobs due in the same minute; {WORKERS} workers; limits ×{args.speed:g}")
    with tempfile.TemporaryDirectory() as folder:
        outs = [Path(folder) / f"worker-{n}.json" for n in range(WORKERS)]
        command = [sys.executable, __file__, "--database", args.database]
        command += ["--speed", str(args.speed), "--batch", str(args.batch)]
        began = time.time()
        workers = [subprocess.Popen([*command, "--worker", str(out)]) for out in outs]
        codes = [worker.wait() for worker in workers]
        elapsed = time.time() - began
        logs: list[list[Any]] = [
            json.loads(out.read_text()) if out.exists() else [] for out in outs
        ]
    statuses = asyncio.run(remaining(args.database))
    sends = [entry for log in logs for entry in log]
    counts = Counter(key for key, *_ in sends)
    twice = sum(n - 1 for n in counts.values() if n > 1)
    never = args.jobs - len(counts)
    first, last = min(s[2] for s in sends), max(s[2] for s in sends)
    print(f"workers' exit codes: {codes}; sends per worker: {[len(log) for log in logs]}")
    print(f"sent: {len(counts)}   sent twice: {twice}   never sent: {never}")
    print(f"jobs in the table: {dict(statuses)}")
    span = last - first
    rate = len(sends) / span
    print(f"seconds: {elapsed:.1f} (first to last send {span:.1f}); {rate:.0f} a second")
    passed = False
    for name, limit in LIMITS.items():
        stamps = [s[2] for s in sends if s[1] == name]
        allowed = limit * args.speed
        most = max_per_second(stamps)
        passed = passed or most > allowed * 1.02 + WORKERS
        print(f"{name}: {len(stamps)} sent; at most {most} in one second (limit {allowed:g})")
    waits = sorted(s[2] - s[3] for s in sends)
    p50, p99 = waits[len(waits) // 2], waits[int(len(waits) * 0.99)]
    print(f"claim to send (pacing included): p50 {p50:.2f} s, p99 {p99:.2f} s")
    real = args.jobs / sum(LIMITS.values())
    print(f"at the channels' real limits, {args.jobs} sends take {real / 60:.1f} minutes")
    sys.exit(1 if twice or never or passed or any(codes) else 0)


if __name__ == "__main__":
    main()
