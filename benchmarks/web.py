"""Web app benchmark: p50/p95 of each page with 10 000 leads and 100 relays in the database.

The app runs in-process (httpx's ASGI transport: the server's own time, no network);
the database is seeded directly (conversations, leads, hand-offs and their history,
spread over 100 relays), then each page is asked for ``--requests`` times in a row, as
a relay (inbox, a case) and as a coordinator (dashboard, CSV export, filtered, the relays
directory and a relay's form).
Target: p95 <= 150 ms per page.

    python benchmarks/web.py                       # SQLite, 10 000 leads, 100 relays
    python benchmarks/web.py --leads 1000 --requests 50
    BOT_DATABASE_URL=postgresql+asyncpg://... python benchmarks/web.py   # an empty database
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app.build import make_app
from bot.app.keys import link_secret
from bot.app.settings import PROJECT, HandoffSettings, PrivacySettings, Settings, WebSettings
from bot.domain.understanding import NOTHING, Understanding
from bot.store import handoffs as store
from bot.store.turns import conversations, leads
from bot.web.sessions import Sessions

KEY = "pFf6ufb0-hzqkIv3HqLgDpQxfjYkAlm4i3nEx_JjLGY="  # a Fernet key for the benchmark only
COORDINATOR = "coord@bench.example.org"
ADMIN = "admin@bench.example.org"
STATUSES = ("notified", "accepted", "in_conversation", "closed", "declined", "expired")


class NoNLU:
    """No understanding at all: the benchmark never talks to the bot."""

    async def parse(self, text: str) -> Understanding:
        return NOTHING


def relays_file(folder: Path, count: int) -> list[dict[str, Any]]:
    """A data folder whose relays.yml holds ``count`` relays (the national one kept)."""
    shutil.copytree(PROJECT / "data", folder, ignore=shutil.ignore_patterns("runtime"))
    seed = yaml.safe_load((PROJECT / "data" / "relays.yml").read_text(encoding="utf-8"))
    national = [r for r in seed["relays"] if r["coverage"].get("national")]
    template = next(r for r in seed["relays"] if not r["coverage"].get("national"))
    made = []
    for n in range(count - len(national)):
        relay = yaml.safe_load(yaml.safe_dump(template))
        relay["id"] = f"relay_{n:03d}"
        relay["display_name"] = f"Relais {n}"
        relay["contact"] = {"email": f"relay{n}@bench.example.org"}
        made.append(relay)
    seed["relays"] = made + national
    (folder / "relays.yml").write_text(yaml.safe_dump(seed, allow_unicode=True), "utf-8")
    return made


STEPS = ("age", "etape", "secteur", "pitch", "besoins", "situation", "lieu", "contact_pref")
ASKED = [f"intake.{step}" for step in STEPS]


def seed(connection: Any, cipher: Any, relays: list[dict[str, Any]], count: int) -> str:
    """``count`` leads with their conversation, hand-off and history; a case of relay 0."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    conversation_rows, lead_rows, handoff_rows, event_rows = [], [], [], []
    first_case = ""
    for n in range(count):
        lead_id, cid = uuid.uuid4().hex, uuid.uuid4().hex
        relay = relays[n % len(relays)]
        status = STATUSES[rng.randrange(len(STATUSES))]
        created = now - timedelta(days=rng.randrange(365), minutes=rng.randrange(1440))
        # As stored: the questions answered in the clear, the answers sealed.
        state = {"asked": ASKED[: 1 + rng.randrange(len(ASKED))], "sealed": "g1." + "x" * 800}
        conversation_rows.append(
            {"id": cid, "channel": "rest", "status": "done", "state": state, "turns": 12,
             "created_at": created, "updated_at": created}
        )  # fmt: skip
        lead_rows.append(
            {"id": lead_id, "conversation_id": cid, "channel": "rest",
             "user_ref": cipher.encrypt(f"user-{n}"), "created_at": created,
             "updated_at": created, "stage": "idea", "sector": "food",
             "postal_code": rng.choice(["69120", "69008", "93200", "13001"]),
             "commune": "Vaulx-en-Velin", "needs": ["argent"], "pitch": cipher.encrypt("Un snack"),
             "first_name": cipher.encrypt("Nadia"), "contact_pref": "message",
             "relay_id": relay["id"], "relay_name": relay["display_name"], "status": status,
             "schemes": [], "source": rng.choice([None, "affiche", "radio"]), "details": {}}
        )  # fmt: skip
        handoff_id = uuid.uuid4().hex
        handoff_rows.append(
            {"id": handoff_id, "lead_id": lead_id, "conversation_id": cid, "channel": "rest",
             "relay_id": relay["id"], "attempt": 1, "status": status,
             "outcome": "met" if status == "closed" else None, "card_ref": None,
             "created_at": created, "updated_at": created, "due_at": created + timedelta(days=2)}
        )  # fmt: skip
        path = ["offered", "notified", *STATUSES[1 : STATUSES.index(status) + 1]]
        for step in path if status not in ("declined", "expired") else ["offered", status]:
            event_rows.append(
                {"handoff_id": handoff_id, "lead_id": lead_id, "relay_id": relay["id"],
                 "status": step, "at": created, "actor": "bot",
                 "detail": "met" if step == "closed" else None}
            )  # fmt: skip
        if n == 0:
            first_case = lead_id
    connection.execute(conversations.insert(), conversation_rows)
    connection.execute(leads.insert(), lead_rows)
    connection.execute(store.handoffs.insert(), handoff_rows)
    connection.execute(store.handoff_events.insert(), event_rows)
    return first_case


async def timed(http: httpx.AsyncClient, path: str, cookie: str, requests: int) -> list[float]:
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = await http.get(path, cookies={"tremplin_session": cookie})
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
    return times


async def main(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="tremplin-web-bench-"))
    try:
        relays = relays_file(folder / "data", args.relays)
        url = os.environ.get("BOT_DATABASE_URL", f"sqlite+aiosqlite:///{folder / 'bench.db'}")
        settings = Settings(
            database_url=url,
            runtime_dir=folder / "runtime",
            secret_key="benchmark-secret-key-of-32-chars!",
            privacy=PrivacySettings(encryption_keys=[KEY]),
            data_dir=folder / "data",
            flows_reload_seconds=0,
            handoff=HandoffSettings(public_url="http://bench.example.org"),
            web=WebSettings(coordinators=[COORDINATOR], admins=[ADMIN], max_failures=1_000_000),
        )
        app = make_app(settings, nlu=NoNLU())
        async with app.router.lifespan_context(app):
            bot = app.state.bot()
            started = time.perf_counter()
            async with bot.engine.begin() as connection:
                case = await connection.run_sync(lambda c: seed(c, bot.cipher, relays, args.leads))
            print(f"seeded {args.leads} leads, {args.relays} relays "
                  f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
            sessions = Sessions(link_secret(settings))
            relay = sessions.open(relays[0]["contact"]["email"])
            coordinator = sessions.open(COORDINATOR)
            admin = sessions.open(ADMIN)
            pages = [
                ("sign-in page", "/connexion", ""),
                ("relay inbox", "/dossiers", relay),
                ("relay case", f"/dossiers/{case}", relay),
                ("dashboard", "/coordination", coordinator),
                (
                    "dashboard, 69, since 2025",
                    "/coordination?departement=69&du=2025-01-01",
                    coordinator,
                ),
                ("CSV export", "/coordination/entonnoir.csv", coordinator),
                ("flows check", "/flows", coordinator),
                ("flow graph", "/flows/graphe/intake", coordinator),
                ("flows versions (git)", "/flows/versions", coordinator),
                ("try the bot", "/flows/essai", coordinator),
                ("coordinator's case", f"/dossiers/{case}", coordinator),
                ("coordinator's cases", "/coordination/dossiers", coordinator),
                ("audit log", "/audit", admin),
                ("audit log, one action", "/audit?action=case_viewed", admin),
                ("relays directory", "/relais", coordinator),
                ("relay form", f"/relais/{relays[0]['id']}", coordinator),
            ]
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
                print(f"{'page':<24}{'p50 ms':>9}{'p95 ms':>9}")
                worst = 0.0
                for name, path, cookie in pages:
                    await timed(http, path, cookie, 3)  # warm up
                    times = sorted(await timed(http, path, cookie, args.requests))
                    p95 = times[int(len(times) * 0.95) - 1]
                    worst = max(worst, p95)
                    print(f"{name:<24}{statistics.median(times):>9.1f}{p95:>9.1f}")
                verdict = "met" if worst <= 150 else "NOT met"
                print(f"worst p95: {worst:.1f} ms (target 150 ms: {verdict})")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--relays", type=int, default=100)
    parser.add_argument("--requests", type=int, default=100)
    asyncio.run(main(parser.parse_args()))
