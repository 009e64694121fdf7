"""Fault benchmark: residents go through the intake on 2 workers sharing PostgreSQL while
the workers are killed (SIGKILL) and restarted; then count what was lost or doubled.

Each resident sends its messages with a ``message_id`` to a random live worker and, when
the worker dies under it, sends the same message again to the other one (as a channel
redelivers). Relays are reached by e-mail (an SMTP server in this process). Printed:
acknowledged messages lost, replies given twice, leads with a relay consent and no
hand-off, cases offered to two relays at once; also what is allowed but worth knowing
(a case e-mailed twice to the same relay, replies lost with a killed worker). Exits 1
when one of the four counts is not 0.

    python benchmarks/faults.py                          # 60 residents, 4 kills
    python benchmarks/faults.py --residents 12 --kills 2 # the small run of CI

It needs a PostgreSQL role that may create databases: ``--database`` (default
postgresql+asyncpg://tremplin:tremplin@127.0.0.1:5432/tremplin_faults) is dropped and
created afresh.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.smtp import start_smtp  # noqa: E402
from benchmarks.turns import SCRIPT, wait_ready  # noqa: E402
from bot.privacy.crypto import FernetCipher  # noqa: E402

DEFAULT_DB = "postgresql+asyncpg://tremplin:tremplin@127.0.0.1:5432/tremplin_faults"
LEASE = 20  # seconds before a job held by a killed worker is taken again
CASE_REF = re.compile(r"n° ([0-9a-f]{6})")


class Mailbox:
    """The relays' mail server: every case e-mail, by case number and recipient."""

    def __init__(self) -> None:
        self.cases: dict[str, list[str]] = defaultdict(list)

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:  # noqa: N802
        mail = message_from_bytes(envelope.content, policy=policy.default)
        subject = str(mail["Subject"])
        found = CASE_REF.search(subject)
        if found and "nouveau dossier" in subject:
            self.cases[found.group(1)].append(str(mail["To"]))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Worker:
    """One ``bot serve`` process on its own port (restarted on the same port)."""

    port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.starts += 1

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None

    async def ready(self, session: aiohttp.ClientSession) -> None:
        await wait_ready(self.url, session, within=120)


@dataclass
class Tally:
    """What residents saw."""

    acknowledged: set[str] = field(default_factory=set)
    answered: Counter[str] = field(default_factory=Counter)  # message id -> non-empty replies
    unanswered_redeliveries: int = 0
    retries: int = 0


async def _resident(
    session: aiohttp.ClientSession,
    workers: list[Worker],
    sender: str,
    tally: Tally,
    think: float,
) -> None:
    for step, message in enumerate(SCRIPT):
        await asyncio.sleep(random.uniform(0, 2 * think))  # reading, typing
        message_id = f"{sender}-{step}"
        body = {"sender": sender, "message": message, "message_id": message_id}
        tried = 0
        while True:
            worker = random.choice(workers)
            try:
                timeout = aiohttp.ClientTimeout(total=30)
                async with session.post(
                    f"{worker.url}/webhooks/rest/webhook", json=body, timeout=timeout
                ) as response:
                    if response.status != 200:
                        raise aiohttp.ClientError(f"HTTP {response.status}")
                    replies = await response.json()
            except (TimeoutError, aiohttp.ClientError):
                tried += 1
                tally.retries += 1
                await asyncio.sleep(0.2)  # the channel redelivers the same message
                continue
            tally.acknowledged.add(message_id)
            if replies:
                tally.answered[message_id] += 1
            elif tried:
                tally.unanswered_redeliveries += 1  # its reply died with the worker
            break


async def _killer(
    session: aiohttp.ClientSession, workers: list[Worker], kills: int, every: float
) -> int:
    done = 0
    for n in range(kills):
        await asyncio.sleep(every)
        victim = workers[n % len(workers)]
        victim.kill()
        await asyncio.sleep(0.3)
        victim.start()
        await victim.ready(session)
        done += 1
    return done


async def _fresh_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_async_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}"'))
            await connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        await admin.dispose()


async def _settled(url: str, within: float) -> int:
    """Wait for the outbox to empty (jobs due now); the jobs still pending."""
    engine = create_async_engine(url)
    deadline = time.perf_counter() + within
    pending = 0
    try:
        while time.perf_counter() < deadline:
            async with engine.connect() as connection:
                pending = int(
                    (
                        await connection.execute(
                            text(
                                "SELECT count(*) FROM jobs WHERE status = 'pending' "
                                "AND run_at <= now() AND kind <> 'coordinator.alert'"
                            )
                        )
                    ).scalar()
                    or 0
                )
            if pending == 0:
                return 0
            await asyncio.sleep(0.5)
        return pending
    finally:
        await engine.dispose()


async def _database_counts(url: str) -> dict[str, int]:
    engine = create_async_engine(url)
    queries = {
        "inbound": "SELECT count(*) FROM messages WHERE direction = 'in' AND channel = 'rest'",
        "leads_with_relay": "SELECT count(*) FROM leads WHERE relay_id IS NOT NULL",
        "no_handoff": (
            "SELECT count(*) FROM leads l WHERE l.relay_id IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM handoffs h WHERE h.lead_id = l.id)"
        ),
        "two_open": (
            "SELECT count(*) FROM (SELECT lead_id FROM handoffs WHERE status IN "
            "('offered', 'notified', 'accepted', 'in_conversation') GROUP BY lead_id "
            "HAVING count(*) > 1) AS t"
        ),
        "notified": "SELECT count(*) FROM handoffs WHERE status = 'notified'",
        "dead_jobs": "SELECT count(*) FROM jobs WHERE status = 'dead'",
    }
    try:
        async with engine.connect() as connection:
            return {
                name: int((await connection.execute(text(sql))).scalar() or 0)
                for name, sql in queries.items()
            }
    finally:
        await engine.dispose()


def _migrate(env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"], cwd=ROOT, env=env, capture_output=True
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.decode()[-2000:])


async def run(args: argparse.Namespace, nlu_cache: Path) -> int:
    await _fresh_database(args.database)
    mailbox = Mailbox()
    smtp, smtp_port = start_smtp(mailbox)
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env.update(
            BOT_DATABASE_URL=args.database,
            BOT_RUNTIME_DIR=tmp,
            BOT_NLU__CACHE_DIR=str(nlu_cache),
            BOT_LOG_LEVEL="WARNING",
            BOT_SECRET_KEY=uuid.uuid4().hex + uuid.uuid4().hex,
            BOT_PRIVACY__ENCRYPTION_KEYS=json.dumps([FernetCipher.new_key()]),
            BOT_HANDOFF__SMTP_HOST="127.0.0.1",
            BOT_HANDOFF__SMTP_PORT=str(smtp_port),
            BOT_HANDOFF__JOBS_POLL_SECONDS="0.5",
            BOT_HANDOFF__JOBS_LEASE_SECONDS=str(LEASE),
            BOT_FLOWS_RELOAD_SECONDS="0",
        )
        await asyncio.to_thread(_migrate, env)
        workers = [Worker(_free_port(), env) for _ in range(2)]
        tally = Tally()
        started = time.perf_counter()
        try:
            async with aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=args.residents + 10)
            ) as session:
                for worker in workers:  # one after the other: the first trains the NLU
                    worker.start()
                    await worker.ready(session)
                run_id = uuid.uuid4().hex[:6]
                residents = asyncio.gather(
                    *(
                        _resident(session, workers, f"{run_id}-{n}", tally, args.think)
                        for n in range(args.residents)
                    )
                )
                killer = asyncio.create_task(_killer(session, workers, args.kills, args.every))
                await residents
                kills = await killer
            pending = await _settled(args.database, within=LEASE + 60)
        finally:
            for worker in workers:
                worker.stop()
            smtp.stop()
        elapsed = time.perf_counter() - started
    counts = await _database_counts(args.database)
    lost = len(tally.acknowledged) - counts["inbound"]
    doubled = sum(1 for n in tally.answered.values() if n > 1)
    two_relays = counts["two_open"] + sum(1 for to in mailbox.cases.values() if len(set(to)) > 1)
    twice_same = sum(1 for to in mailbox.cases.values() if len(to) > len(set(to)))
    print(
        f"{args.residents} residents x {len(SCRIPT)} messages on 2 workers (PostgreSQL), "
        f"{kills} SIGKILLs, {elapsed:.0f} s; {tally.retries} messages sent again after a kill"
    )
    print(f"acknowledged messages lost: {lost}")
    print(f"replies given twice: {doubled}")
    print(f"leads with a relay consent and no hand-off: {counts['no_handoff']} "
          f"(of {counts['leads_with_relay']}; due jobs still pending: {pending})")  # fmt: skip
    print(f"cases with two relays: {two_relays}")
    print(
        f"worth knowing: {counts['notified']} cases notified, {len(mailbox.cases)} case e-mails "
        f"received, {twice_same} e-mailed twice to the same relay (a kill between sending and "
        f"recording), {tally.unanswered_redeliveries} redelivered messages answered with "
        f"nothing (their reply died with a worker), {counts['dead_jobs']} dead jobs"
    )
    failed = lost or doubled or counts["no_handoff"] or two_relays
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=60)
    parser.add_argument("--kills", type=int, default=4)
    parser.add_argument("--every", type=float, default=1.5, help="seconds between kills")
    parser.add_argument("--think", type=float, default=0.3, help="mean pause between messages")
    parser.add_argument("--database", default=os.environ.get("BOT_FAULTS_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--nlu-cache", default="~/.cache/tremplin/nlu-bench")
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args, Path(args.nlu_cache).expanduser())))


if __name__ == "__main__":
    main()
