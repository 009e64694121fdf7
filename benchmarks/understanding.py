"""Typed-answer benchmark: how well the bot understands residents who type instead of pressing.

Prints, on the development corpus (``flows/comprendre/reponses.yml``, which coordinators
tune the flows on) and on the held-out one (``tests/nlu_data/typed_heldout.yml``, never
tuned on), the share of answers understood correctly, understood wrongly, and refused
(the bot asked again), per kind of question, and how many consents were taken for a yes
when they were not. Then it runs the same intake twice on a throwaway database, once
pressing every button and once only typing, and prints the turns each took, and the time
a typed answer costs to read against a pressed one.

    python benchmarks/understanding.py
    python benchmarks/understanding.py --errors    # list what was missed
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app.build import make_place_finder, make_runner, start_bot  # noqa: E402
from bot.app.settings import Settings  # noqa: E402
from bot.app.understanding import make_nlu  # noqa: E402
from bot.domain.messages import Inbound  # noqa: E402
from bot.engine.state import ConversationState, Status  # noqa: E402
from bot.flowtools.understand import (  # noqa: E402
    CORPUS,
    load_corpus,
    render_report,
    same_place,
    score,
)
from bot.store.leads import export_leads  # noqa: E402

HELD_OUT = ROOT / "tests" / "nlu_data" / "typed_heldout.yml"
PRESSING = [
    ("say", "salut"), ("press", "31_plus"), ("press", "idea"), ("press", "restauration"),
    ("say", "des crêpes au marché le samedi"), ("press", "argent"), ("press", "local"),
    ("press", "_done"), ("say", "69120"), ("press", "yes"), ("press", "message"),
    ("press", "yes"), ("press", "yes"), ("press", "yes"), ("say", "Nadia"),
]  # fmt: skip
TYPING = [
    "slt", "jai 34 ans", "j'ai juste l'idée", "un snack", "des crêpes au marché le samedi",
    "des sous et un local", "vaulx", "ouais", "par message", "ok", "ouais", "vas-y", "Nadia",
]  # fmt: skip


async def _turns(settings: Settings) -> tuple[int, int, bool, bool]:
    """Turns of a pressing resident and of a typing one, and whether each got a lead."""
    bot = await start_bot(settings)
    try:
        user = "pressing"
        buttons: list[str] = []
        for kind, value in PRESSING:
            text = value
            if kind == "press":
                text = next(b for b in buttons if b.endswith(f":{value}"))
            replies = await bot.handle(Inbound("rest", user, text))
            buttons = [b.payload for r in replies for b in r.buttons] or buttons
        for text in TYPING:
            await bot.handle(Inbound("rest", "typing", text))
        await bot.drainer.settle()
        leads = {lead["user_ref"] for lead in await export_leads(bot.engine, bot.cipher)}
    finally:
        await bot.close()
    return len(PRESSING), len(TYPING), "pressing" in leads, "typing" in leads


async def _reading_cost(settings: Settings, rounds: int) -> tuple[float, float]:
    """Median microseconds to run a turn on a typed answer and on a pressed button."""
    runner = make_runner(settings)
    nlu = make_nlu(settings)
    version = runner.flows.flows["intake"].version
    state = ConversationState(
        flow="intake", step="besoins", status=Status.ACTIVE, flow_version=version
    )
    typed, pressed = [], []
    understanding = await nlu.parse("des sous et un local")
    for _ in range(rounds):
        started = time.perf_counter()
        runner.run(state, Inbound("rest", "x", "des sous et un local"), understanding)
        typed.append(time.perf_counter() - started)
        started = time.perf_counter()
        runner.run(state, Inbound("rest", "x", "/besoins:argent"), understanding)
        pressed.append(time.perf_counter() - started)
    return statistics.median(typed) * 1e6, statistics.median(pressed) * 1e6


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list what was missed")
    parser.add_argument("--rounds", type=int, default=2000, help="turns timed for the cost")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            runtime_dir=Path(folder),
            database_url=f"sqlite+aiosqlite:///{folder}/bench.db",
            secret_key="benchmark-secret-key-of-32-chars!",
        )
        runner = make_runner(settings)
        nlu = make_nlu(settings)
        same = same_place(make_place_finder(settings.data_dir))

        corpora = (("development", settings.flows_dir / CORPUS), ("held-out", HELD_OUT))
        for name, path in corpora:
            report = await score(runner, load_corpus(path), nlu.parse, same)
            print(f"== {name} corpus: {path.relative_to(ROOT)}")
            for line in render_report(report, errors=args.errors):
                print(line)
            print()
        pressed, typed, lead_pressed, lead_typed = await _turns(settings)
        print("== turns to finish the intake (to a lead sent to a relay)")
        print(f"pressing buttons: {pressed} turns (lead: {lead_pressed})")
        print(f"typing only:      {typed} turns (lead: {lead_typed})")
        print(f"difference:       {typed - pressed:+d} (target: at most +2)")
        print()
        typed_us, pressed_us = await _reading_cost(settings, args.rounds)
        print("== runner time for one turn (median, same process, no database)")
        print(f"typed 'des sous et un local': {typed_us:7.1f} µs")
        print(f"pressed button:               {pressed_us:7.1f} µs")


if __name__ == "__main__":
    asyncio.run(main())
