"""The ``bot followups`` command: how many check-ins were asked and what people answered."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.app.settings import Settings
from bot.store import followups
from bot.store.database import make_engine, upgrade

NAMES = {  # what coordinators call each follow-up
    "contacted": "contactée ? (J+3)",
    "progress": "avancement (J+30)",
    "outcome": "résultat (J+90)",
    "nudge": "reprendre l'accueil",
}


def add_followups_parser(sub: Any) -> None:
    """Add ``bot followups`` to the command line."""
    sub.add_parser("followups", help="check-ins asked and answered, and the answers")


async def _figures(settings: Settings) -> str:
    engine = make_engine(settings.database_url)
    try:
        await upgrade(engine)
        async with engine.connect() as connection:
            found = await connection.run_sync(followups.figures)
    finally:
        await engine.dispose()
    lines = []
    for kind, name in NAMES.items():
        asked, answered = found.asked.get(kind, 0), found.answered.get(kind, 0)
        answers = sorted(found.answers.get(kind, {}).items(), key=lambda item: -item[1])
        detail = ", ".join(f"{answer} {count}" for answer, count in answers)
        lines.append(f"{name} : {asked} posée(s), {answered} réponse(s)" + (
            f" ({detail})" if detail else ""))  # fmt: skip
    return "\n".join(lines)


def run_followups_command(args: Any, settings: Settings) -> int:
    """Run ``bot followups``; prints the figures."""
    print(asyncio.run(_figures(settings)))
    return 0
