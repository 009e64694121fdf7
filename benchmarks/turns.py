"""Turn benchmark: N simulated residents talk to the REST channel of a real server.

Each resident waits for the reply before sending the next message, walking through the
whole intake (buttons, free text, postal code, consents, lead) again and again. Prints
turns/s, p50/p99 latency, the server's peak memory and CPU time, and the load
generator's own ceiling against a trivial endpoint of the same server, measured in the
same run.

    python benchmarks/turns.py                     # SQLite, 50 residents, 3 runs of 10 s
    python benchmarks/turns.py --residents 1 --runs 1
    python benchmarks/turns.py --baseline ../tremplin-v1     # the same load on another checkout
    python benchmarks/turns.py --backlog 20000     # p99 while the scheduler drains due jobs
    BOT_DATABASE_URL=postgresql+asyncpg://... python benchmarks/turns.py   # an empty database
    BOT_DATABASE_URL=postgresql+asyncpg://... python benchmarks/turns.py --workers 1,2

With ``--workers 1,2`` the same load runs against 1 server process, then against 2
sharing the database (residents spread over them), and the ratio is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sqlalchemy import func, insert, select

from benchmarks.smtp import start_smtp
from bot.domain.jobs import CHECKIN_NUDGE
from bot.privacy.crypto import FernetCipher
from bot.store import jobs as queue
from bot.store.database import make_engine

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = [
    "salut",
    "/age:18_25",
    "/etape:idea",
    "/secteur:restauration",
    "Un snack avec des plats du monde près de la gare",
    "/besoins:argent",
    "/besoins:formation",
    "/besoins:_done",
    "/situation:salarie",
    "69120",
    "/lieu_ok:yes",
    "/contact_pref:message",
    "/recap:yes",
    "/accord_contact:yes",
    "/accord_relais:yes",
    "Nadia",
]


def _proc_stats(pid: int) -> tuple[float, float]:
    """(peak resident memory in MB, CPU seconds) of a process, from /proc."""
    peak = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return peak, (int(fields[11]) + int(fields[12])) / ticks


async def _resident(
    session: aiohttp.ClientSession, url: str, sender: str, deadline: float, out: list[float]
) -> None:  # one resident always talks to the same server
    step = 0
    while time.perf_counter() < deadline:  # each walk through the intake is a new person
        walker = f"{sender}-{step // len(SCRIPT)}"
        body = {"sender": walker, "message": SCRIPT[step % len(SCRIPT)]}
        started = time.perf_counter()
        async with session.post(url, json=body) as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")
        out.append(time.perf_counter() - started)
        step += 1


async def _load(
    bases: list[str], residents: int, seconds: float
) -> tuple[float, float, float, int]:
    """(turns/s, p50 ms, p99 ms, turns) for one run with fresh senders, spread over the
    servers at ``bases``."""
    latencies: list[float] = []
    run = uuid.uuid4().hex[:8]
    connector = aiohttp.TCPConnector(limit=residents + 5)
    async with aiohttp.ClientSession(connector=connector) as session:
        deadline = time.perf_counter() + seconds
        started = time.perf_counter()
        await asyncio.gather(
            *(
                _resident(
                    session,
                    f"{bases[i % len(bases)]}/webhooks/rest/webhook",
                    f"{run}-{i}",
                    deadline,
                    latencies,
                )
                for i in range(residents)
            )
        )
        elapsed = time.perf_counter() - started
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return len(latencies) / elapsed, p50, p99, len(latencies)


async def _ceiling(base: str, residents: int, seconds: float) -> float:
    """Requests/s the generator reaches against ``GET /health`` (no database, no flow)."""
    count = 0

    async def worker(session: aiohttp.ClientSession, deadline: float) -> None:
        nonlocal count
        while time.perf_counter() < deadline:
            async with session.get(f"{base}/health") as response:
                await response.read()
            count += 1

    connector = aiohttp.TCPConnector(limit=residents + 5)
    async with aiohttp.ClientSession(connector=connector) as session:
        deadline = time.perf_counter() + seconds
        started = time.perf_counter()
        await asyncio.gather(*(worker(session, deadline) for _ in range(residents)))
        return count / (time.perf_counter() - started)


async def wait_ready(
    base: str, session: aiohttp.ClientSession | None = None, within: float = 60
) -> None:
    """Wait until the server at ``base`` answers ``GET /health``."""
    if session is None:
        async with aiohttp.ClientSession() as own:
            return await wait_ready(base, own, within)
    deadline = time.perf_counter() + within
    while time.perf_counter() < deadline:
        try:
            async with session.get(f"{base}/health") as response:
                if response.status == 200:
                    return None
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError(f"the server at {base} did not become ready")


def _start(port: int, env: dict[str, str], root: Path = ROOT) -> subprocess.Popen[bytes]:
    """A server of the checkout at ``root`` (with its own virtual environment if it has one)."""
    python = root / ".venv" / "bin" / "python"
    command = str(python) if python.exists() else sys.executable
    return subprocess.Popen([command, "-m", "bot", "serve", "--port", str(port)], cwd=root, env=env)


async def _fill_backlog(url: str, count: int) -> None:
    """Queue ``count`` follow-up jobs due now, as a worker coming back after a night finds
    them: each is claimed, run and settled by the server's scheduler while the residents
    talk (a nudge for someone nobody can write to first: nothing to send; in quiet hours,
    put off to the morning, which is the scheduler's work too)."""
    engine = make_engine(url)
    stamp = datetime.now(UTC)
    tag = uuid.uuid4().hex[:8]
    try:
        for start in range(0, count, 5000):
            rows = [
                {"kind": CHECKIN_NUDGE, "key": f"bench:{tag}:{i}", "subject": f"bench-{tag}-{i}",
                 "payload": {"channel": "rest"}, "status": queue.PENDING, "attempts": 0,
                 "run_at": stamp, "created_at": stamp, "updated_at": stamp}
                for i in range(start, min(count, start + 5000))
            ]  # fmt: skip
            async with engine.begin() as connection:
                await connection.execute(insert(queue.jobs), rows)
    finally:
        await engine.dispose()


async def _backlog_left(url: str) -> int:
    """The backlog's jobs still due (not yet run, nor put off to a later time)."""
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            query = (
                select(func.count())
                .select_from(queue.jobs)
                .where(
                    queue.jobs.c.key.like("bench:%"),
                    queue.jobs.c.status == queue.PENDING,
                    queue.jobs.c.run_at <= datetime.now(UTC),
                )
            )
            return int((await connection.execute(query)).scalar() or 0)
    finally:
        await engine.dispose()


def _measure(
    servers: list[subprocess.Popen[bytes]],
    bases: list[str],
    args: argparse.Namespace,
    database: str | None = None,
) -> tuple[float, float]:
    """Runs of the load; prints each and the median; returns the median turns/s and server
    CPU milliseconds per turn. With ``--backlog`` (and the ``database`` of this checkout),
    each run is followed by one while the scheduler drains that many due jobs."""
    asyncio.run(_load(bases, args.residents, 2))  # warm-up

    def one(label: str) -> tuple[float, float, float, float]:
        cpu_before = sum(_proc_stats(s.pid)[1] for s in servers)
        rate, p50, p99, turns = asyncio.run(_load(bases, args.residents, args.seconds))
        stats = [_proc_stats(s.pid) for s in servers]
        cpu = sum(c for _, c in stats) - cpu_before
        peak = max(p for p, _ in stats)
        print(
            f"{label}: {turns} turns, {rate:.0f} turns/s, p50 {p50:.1f} ms, "
            f"p99 {p99:.1f} ms, server CPU {cpu:.1f} s ({cpu / args.seconds:.0%} of one "
            f"core, {cpu / turns * 1000:.2f} ms per turn), peak RSS {peak:.0f} MB"
        )
        return rate, p50, p99, cpu / turns * 1000

    results, busy = [], []
    for run in range(1, args.runs + 1):
        results.append(one(f"run {run}"))
        if args.backlog and database:
            asyncio.run(_fill_backlog(database, args.backlog))
            busy.append(one(f"run {run}, scheduler draining {args.backlog} due jobs"))
            print(f"  jobs still due after the run: {asyncio.run(_backlog_left(database))}")
    rate, p50, p99, cpu_ms = (statistics.median(r[i] for r in results) for i in range(4))
    print(
        f"median of {args.runs} runs, {args.residents} residents, {len(servers)} server "
        f"process(es): {rate:.0f} turns/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
        f"server CPU {cpu_ms:.2f} ms per turn"
    )
    if busy:
        busy_p99 = statistics.median(r[2] for r in busy)
        print(
            f"with the scheduler draining: p99 {busy_p99:.1f} ms against {p99:.1f} ms idle "
            f"({busy_p99 / p99 - 1:+.0%}); turns/s {statistics.median(r[0] for r in busy):.0f}"
        )
    return rate, cpu_ms


def _bench(root: Path, counts: list[int], args: argparse.Namespace) -> list[tuple[float, float]]:
    """Start the server(s) of the checkout at ``root`` on a fresh database and measure each
    worker count; the median turns/s and CPU ms per turn of each."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env.setdefault("BOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp}/bench.db")
        env["BOT_RUNTIME_DIR"] = tmp
        env["BOT_LOG_LEVEL"] = "WARNING"
        database = env["BOT_DATABASE_URL"].split(":", 1)[0]
        if max(counts) > 1 and "postgresql" not in database:
            raise SystemExit("several workers share a PostgreSQL database: set BOT_DATABASE_URL")
        # Shared by every worker, as a deployment must (docs/deployment.md).
        env.setdefault("BOT_SECRET_KEY", uuid.uuid4().hex + uuid.uuid4().hex)
        env.setdefault("BOT_PRIVACY__ENCRYPTION_KEYS", json.dumps([FernetCipher.new_key()]))
        smtp, smtp_port = start_smtp()  # relays are reached by e-mail
        env.update(BOT_HANDOFF__SMTP_HOST="127.0.0.1", BOT_HANDOFF__SMTP_PORT=str(smtp_port))
        first = _start(args.port, env, root)  # creates the keys and the NLU cache, migrates
        base = f"http://127.0.0.1:{args.port}"
        rates: list[tuple[float, float]] = []
        try:
            asyncio.run(wait_ready(base))
            rss_idle, _ = _proc_stats(first.pid)
            print(f"== {root}: uvicorn + uvloop, database {database}; client: 1 process")
            print(f"server RSS after start-up: {rss_idle:.0f} MB")
            ceiling = asyncio.run(_ceiling(base, args.residents, 3))
            print(
                f"generator ceiling (GET /health, {args.residents} concurrent): {ceiling:.0f} req/s"
            )
            for count in counts:
                others = [_start(args.port + n, env, root) for n in range(1, count)]
                bases = [f"http://127.0.0.1:{args.port + n}" for n in range(count)]
                try:
                    for other in bases[1:]:
                        asyncio.run(wait_ready(other))
                    own = env["BOT_DATABASE_URL"] if root == ROOT else None
                    rates.append(_measure([first, *others], bases, args, own))
                finally:
                    for other in others:
                        other.terminate()
                        other.wait(timeout=30)
            if len(rates) > 1:
                ratio = rates[-1][0] / rates[0][0]
                print(f"{counts[-1]} workers / {counts[0]}: {ratio:.2f}x turns/s")
            elif rates:
                print(f"({rates[0][0] / ceiling:.0%} of the generator ceiling)")
        finally:
            first.terminate()
            first.wait(timeout=30)
            smtp.stop()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", default="1", help="server processes, e.g. 1,2")
    parser.add_argument(
        "--backlog",
        type=int,
        default=0,
        help="after each run, queue this many follow-up jobs due now and run again while "
        "the scheduler drains them (p99 compared)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout (e.g. a git worktree of an older commit) measured the same way "
        "in the same run, after this one; the ratio is printed",
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    rates = _bench(ROOT, counts, args)
    if args.baseline is not None:
        before = _bench(args.baseline.resolve(), counts, args)
        for count, (now, cpu), (then, cpu_then) in zip(counts, rates, before, strict=True):
            print(f"{count} worker(s): {now:.0f} turns/s here, {then:.0f} in the baseline "
                  f"({now / then - 1:+.0%}); server CPU per turn {cpu:.2f} ms here, "
                  f"{cpu_then:.2f} ms in the baseline ({cpu / cpu_then - 1:+.0%})")  # fmt: skip


if __name__ == "__main__":
    main()
