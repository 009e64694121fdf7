"""The ``bot`` command: chat, serve, export leads, manage the database and the flows."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from bot.app.build import make_app, make_cipher, start_bot
from bot.app.settings import Settings
from bot.channels.terminal import run_terminal
from bot.engine.loader import FlowError, load_flows
from bot.engine.schema import flow_file_schema
from bot.store.database import make_engine, upgrade
from bot.store.leads import EXPORT_FIELDS, export_leads


def _read() -> str | None:
    try:
        return input("toi> ")
    except EOFError:
        return None


def _write(text: str) -> None:
    print(f"\n{text}\n", flush=True)


async def _chat(settings: Settings, user: str) -> None:
    bot = await start_bot(settings)
    try:
        await run_terminal(bot.handle, _read, _write, user_ref=user)
    finally:
        await bot.close()


def _serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(
        make_app(settings),
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        access_log=False,
        loop="uvloop" if sys.platform != "win32" else "asyncio",
        http="httptools",
    )


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ";".join(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def render_leads(rows: Sequence[dict[str, Any]], fmt: str) -> str:
    """Leads as a JSON array or as CSV rows with a header."""
    if fmt == "json":
        return json.dumps(list(rows), ensure_ascii=False, indent=2)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_FIELDS)
    for row in rows:
        writer.writerow([_csv_cell(row.get(name)) for name in EXPORT_FIELDS])
    return out.getvalue()


async def _export(settings: Settings, fmt: str) -> str:
    engine = make_engine(settings.database_url)
    try:
        await upgrade(engine)
        actor = os.environ.get("USER") or os.environ.get("LOGNAME") or "cli"
        return render_leads(await export_leads(engine, make_cipher(settings), actor=actor), fmt)
    finally:
        await engine.dispose()


async def _db_upgrade(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot", description="Tremplin, the messaging bot.")
    sub = parser.add_subparsers(dest="command", required=True)
    chat = sub.add_parser("chat", help="chat with the bot in this terminal")
    chat.add_argument("--user", default="local", help="who you are in the conversation")
    serve = sub.add_parser("serve", help="serve the webhooks (REST channel) over HTTP")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    leads = sub.add_parser("leads", help="leads")
    leads_sub = leads.add_subparsers(dest="leads_command", required=True)
    export = leads_sub.add_parser("export", help="print every lead")
    export.add_argument("--format", choices=["json", "csv"], default="json")
    db = sub.add_parser("db", help="database")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply the migrations")
    flows = sub.add_parser("flows", help="conversation scripts")
    flows_sub = flows.add_subparsers(dest="flows_command", required=True)
    flows_sub.add_parser("check", help="check every file of flows/")
    flows_sub.add_parser("schema", help="write flows/schema.json")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.command == "chat":
        logging.getLogger().setLevel(logging.WARNING)
        asyncio.run(_chat(settings, args.user))
    elif args.command == "serve":
        _serve(settings, args.host or settings.host, args.port or settings.port)
    elif args.command == "leads":
        sys.stdout.write(asyncio.run(_export(settings, args.format)))
        sys.stdout.write("\n" if args.format == "json" else "")
    elif args.command == "db":
        asyncio.run(_db_upgrade(settings))
    elif args.command == "flows":
        if args.flows_command == "schema":
            path = settings.flows_dir / "schema.json"
            path.write_text(json.dumps(flow_file_schema(), ensure_ascii=False, indent=2) + "\n")
            print(f"écrit : {path}")
            return 0
        try:
            flow_set = load_flows(settings.flows_dir)
        except FlowError as exc:
            for problem in exc.problems:
                print(f"ERREUR  {problem}", file=sys.stderr)
            return 1
        print(f"OK : {len(flow_set.flows)} scripts sans erreur.")
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
