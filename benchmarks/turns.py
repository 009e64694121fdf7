"""Turn benchmark: N simulated residents talk to the REST channel of a real server.

Each resident waits for the reply before sending the next message, walking through the
whole intake (buttons, free text, postal code, consents, lead) again and again. Prints
turns/s, p50/p99 latency, the server's peak memory and CPU time, and the load
generator's own ceiling against a trivial endpoint of the same server, measured in the
same run.

    python benchmarks/turns.py                     # SQLite, 50 residents, 3 runs of 10 s
    python benchmarks/turns.py --residents 1 --runs 1
    BOT_DATABASE_URL=postgresql+asyncpg://... python benchmarks/turns.py
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

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
) -> None:
    step = 0
    while time.perf_counter() < deadline:
        body = {"sender": sender, "message": SCRIPT[step % len(SCRIPT)]}
        started = time.perf_counter()
        async with session.post(url, json=body) as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")
        out.append(time.perf_counter() - started)
        step += 1


async def _load(base: str, residents: int, seconds: float) -> tuple[float, float, float, int]:
    """(turns/s, p50 ms, p99 ms, turns) for one run with fresh senders."""
    latencies: list[float] = []
    run = uuid.uuid4().hex[:8]
    connector = aiohttp.TCPConnector(limit=residents + 5)
    async with aiohttp.ClientSession(connector=connector) as session:
        deadline = time.perf_counter() + seconds
        started = time.perf_counter()
        await asyncio.gather(
            *(
                _resident(
                    session, f"{base}/webhooks/rest/webhook", f"{run}-{i}", deadline, latencies
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


async def _wait_ready(base: str) -> None:
    deadline = time.perf_counter() + 60
    async with aiohttp.ClientSession() as session:
        while time.perf_counter() < deadline:
            try:
                async with session.get(f"{base}/health") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("the server did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env.setdefault("BOT_DATABASE_URL", f"sqlite+aiosqlite:///{tmp}/bench.db")
        env["BOT_RUNTIME_DIR"] = tmp
        env["BOT_LOG_LEVEL"] = "WARNING"
        server = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(args.port)], cwd=ROOT, env=env
        )
        base = f"http://127.0.0.1:{args.port}"
        try:
            asyncio.run(_wait_ready(base))
            rss_idle, _ = _proc_stats(server.pid)
            database = env["BOT_DATABASE_URL"].split(":", 1)[0]
            print(f"server: 1 process (uvicorn, uvloop), database {database}; client: 1 process")
            print(f"server RSS after start-up: {rss_idle:.0f} MB")
            ceiling = asyncio.run(_ceiling(base, args.residents, 3))
            print(
                f"generator ceiling (GET /health, {args.residents} concurrent): {ceiling:.0f} req/s"
            )
            asyncio.run(_load(base, args.residents, 2))  # warm-up
            results = []
            for run in range(1, args.runs + 1):
                _, cpu_before = _proc_stats(server.pid)
                rate, p50, p99, turns = asyncio.run(_load(base, args.residents, args.seconds))
                peak, cpu_after = _proc_stats(server.pid)
                cpu = cpu_after - cpu_before
                results.append((rate, p50, p99))
                print(
                    f"run {run}: {turns} turns, {rate:.0f} turns/s, p50 {p50:.1f} ms, "
                    f"p99 {p99:.1f} ms, server CPU {cpu:.1f} s ({cpu / args.seconds:.0%} of one "
                    f"core), peak RSS {peak:.0f} MB"
                )
            rate = statistics.median(r[0] for r in results)
            p50 = statistics.median(r[1] for r in results)
            p99 = statistics.median(r[2] for r in results)
            peak, _ = _proc_stats(server.pid)
            print(
                f"median of {args.runs} runs, {args.residents} residents: {rate:.0f} turns/s "
                f"({rate / ceiling:.0%} of the generator ceiling), p50 {p50:.1f} ms, "
                f"p99 {p99:.1f} ms, server peak RSS {peak:.0f} MB"
            )
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
