"""The ``bot relays`` commands: merge a YAML file into the relays directory, or export it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import yaml

from bot.app.keys import open_database
from bot.app.settings import Settings
from bot.handoff.datafiles import RELAYS
from bot.handoff.directory import RelayDirectory
from bot.handoff.reference import ReferenceDataError, Relays, load_model, load_relays
from bot.store.database import make_engine
from bot.store.turnstore import make_turn_store

HEADER = (
    "# The relays directory, exported from the database by `bot relays export`.\n"
    "# Edit it, then `bot relays import <file>`: the relays listed are added or replaced,\n"
    "# the others stay. The web app (/relais) edits the same directory.\n"
)


def add_relays_parser(sub: Any) -> None:
    """Add ``bot relays import`` and ``bot relays export`` to the command line."""
    relays = sub.add_parser("relays", help="the relays directory (kept in the database)")
    relays_sub = relays.add_subparsers(dest="relays_command", required=True)
    imported = relays_sub.add_parser(
        "import", help="add or replace the relays of a YAML file (default: data/relays.yml)"
    )
    imported.add_argument("file", nargs="?", type=Path, default=None)
    exported = relays_sub.add_parser("export", help="print the directory as YAML")
    exported.add_argument("--out", type=Path, default=None, help="write to this file instead")


def render_relays(relays: Relays) -> str:
    """The directory as a YAML file ``bot relays import`` and the seed both read."""
    data = relays.model_dump(mode="json")
    return HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


async def _relays(settings: Settings, command: str, file: Path | None) -> tuple[int, str]:
    local = settings.handoff.webhook_allow_local
    path = file or settings.data_dir / RELAYS
    engine = make_engine(settings.database_url)
    try:
        cipher = await open_database(settings, engine)
        turns = make_turn_store(engine, cipher)
        try:
            directory = RelayDirectory(turns, lambda relays: None, allow_local_webhooks=local)
            seed = load_relays(settings.data_dir / RELAYS, allow_local_webhooks=local)
            current = await directory.open(seed)
            if command == "export":
                return 0, render_relays(current)
            try:
                # A part of the directory may be listed: the rules apply to the merge.
                listed = load_model(Relays, path)
            except ReferenceDataError as exc:
                return 1, f"Fichier refusé :\n{exc}"
            known = {relay.id for relay in current.relays}
            saved = await directory.save_many(listed.relays, "cli:bot relays import", new=None)
            if not saved.ok:
                lines = "\n".join(f"  {p.french}" for p in saved.problems)
                return 1, f"Rien n'est importé :\n{lines}"
            added = sum(1 for relay in listed.relays if relay.id not in known)
            return 0, (
                f"{added} relais ajouté(s), {len(listed.relays) - added} mis à jour. "
                "Les serveurs en marche les prennent en quelques secondes."
            )
        finally:
            await turns.close()
    finally:
        await engine.dispose()


def run_relays_command(args: Any, settings: Settings) -> int:
    """Run ``bot relays ...``; prints the result."""
    command = args.relays_command
    code, text = asyncio.run(_relays(settings, command, getattr(args, "file", None)))
    out = getattr(args, "out", None)
    if command == "export" and out is not None and code == 0:
        out.write_text(text, encoding="utf-8")
        print(f"écrit : {out}")
    else:
        print(text, end="" if command == "export" else "\n")
    return code
