"""The ``bot`` command: chat, serve, export leads, manage the database, flows and schemes."""

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
from pathlib import Path
from typing import Any

from bot.app.build import DeploymentError, make_app, start_bot
from bot.app.flowtools import (
    GRAPHS,
    run_check,
    run_graph,
    run_tests,
    run_translations,
    run_understand,
    watched,
)
from bot.app.followup_commands import add_followups_parser, run_followups_command
from bot.app.jobs_commands import add_jobs_parser, run_jobs_command
from bot.app.keys import check_keys, open_database
from bot.app.logs import configure_logging
from bot.app.nlu_commands import add_nlu_parser, run_nlu_command
from bot.app.relays_commands import add_relays_parser, run_relays_command
from bot.app.schemes_commands import add_schemes_parser, run_schemes_command
from bot.app.settings import Settings
from bot.app.sweeps import run_purge
from bot.app.telegram import TelegramConfigError, manage_webhook
from bot.app.whatsapp import WhatsAppConfigError
from bot.channels.terminal import TerminalChannel
from bot.engine.schema import flow_file_schema
from bot.privacy.atrest import KeyCheckError
from bot.privacy.crypto import FernetCipher
from bot.store.database import make_engine, upgrade
from bot.store.leads import EXPORT_FIELDS, PEPITE, export_leads
from bot.store.rotation import rotate_keys


def _read() -> str | None:
    try:
        return input("toi> ")
    except EOFError:
        return None


def _write(text: str) -> None:
    print(f"\n{text}\n", flush=True)


async def _chat(settings: Settings, user: str) -> None:
    bot = await start_bot(settings)
    bot.run_jobs()
    terminal = TerminalChannel(_read, _write, user_ref=user)
    try:
        await terminal.start(watched(bot, settings, _write))
        await terminal.run()
    finally:
        await terminal.stop()
        await bot.close()


def _serve(settings: Settings, host: str, port: int) -> int:
    import subprocess

    import uvicorn

    # Migrate in a child process: the server never loads Alembic (~15 MB it would keep).
    migrated = subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], check=False)
    if migrated.returncode != 0:
        return migrated.returncode
    asyncio.run(check_keys(settings))  # keys that cannot read the data: refused here, clearly
    app = make_app(settings, migrate=False)  # so are channel settings that cannot work
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        log_config=None,  # uvicorn's records go through our handlers and their filter
        access_log=False,
        loop="uvloop" if sys.platform != "win32" else "asyncio",
        http="httptools",
    )
    return 0


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


async def _export(settings: Settings, fmt: str, pepites: bool = False) -> str:
    engine = make_engine(settings.database_url)
    try:
        cipher = await open_database(settings, engine)
        actor = os.environ.get("USER") or os.environ.get("LOGNAME") or "cli"
        maturity = PEPITE if pepites else None
        rows = await export_leads(engine, cipher, actor=actor, maturity=maturity)
        return render_leads(rows, fmt)
    finally:
        await engine.dispose()


async def _privacy(settings: Settings, command: str, dry_run: bool) -> str:
    engine = make_engine(settings.database_url)
    try:
        cipher = await open_database(settings, engine)
        if command == "rotate-key":
            count = await rotate_keys(engine, cipher)
            return f"{count} lignes rechiffrées avec la clé la plus récente."
        report = await run_purge(engine, cipher, settings.privacy, dry_run=dry_run)
        prefix = "À supprimer (simulation, rien n'est effacé)" if dry_run else "Supprimé"
        return (
            f"{prefix} : {report.texts} textes de messages de plus de "
            f"{settings.privacy.text_retention_days} jours, {report.abandoned} conversations "
            f"abandonnées, {report.erased} personnes inactives depuis "
            f"{settings.privacy.contact_retention_months} mois. "
            f"{len(report.renewals)} personnes à qui redemander leur accord."
        )
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
    export.add_argument(
        "--pepites", action="store_true", help="only the pépites (data/maturity.yml)"
    )
    db = sub.add_parser("db", help="database")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply the migrations")
    flows = sub.add_parser("flows", help="conversation scripts")
    flows_sub = flows.add_subparsers(dest="flows_command", required=True)
    flows_sub.add_parser("check", help="check every file of flows/")
    flows_sub.add_parser("schema", help="write flows/schema.json")
    translations = flows_sub.add_parser(
        "translations", help="texts missing or stale in each language of flows/langues/"
    )
    translations.add_argument(
        "--stamp",
        metavar="LANG",
        default=None,
        help="mark LANG's texts as made from today's French",
    )
    flows_test = flows_sub.add_parser("test", help="run the conversation tests of flows/tests/")
    flows_test.add_argument("-k", dest="name", default=None, help="only tests named like this")
    understand = flows_sub.add_parser(
        "understand", help="score typed answers (flows/comprendre/reponses.yml)"
    )
    understand.add_argument("file", nargs="?", type=Path, help="another corpus file")
    understand.add_argument("--errors", action="store_true", help="list what was missed")
    graph = flows_sub.add_parser("graph", help="draw each flow (Mermaid, and SVG with mmdc)")
    graph.add_argument("names", nargs="*", help="flows to draw (default: all)")
    graph.add_argument("--out", type=Path, default=None, help="default: <runtime>/graphs")
    privacy = sub.add_parser("privacy", help="personal data: retention and keys")
    privacy_sub = privacy.add_subparsers(dest="privacy_command", required=True)
    purge = privacy_sub.add_parser("purge", help="apply the retention periods now")
    purge.add_argument("--dry-run", action="store_true", help="count, change nothing")
    privacy_sub.add_parser("rotate-key", help="re-encrypt everything with the newest key")
    privacy_sub.add_parser("new-key", help="print a fresh encryption key")
    telegram = sub.add_parser("telegram", help="the Telegram bot's webhook at Telegram")
    telegram_sub = telegram.add_subparsers(dest="telegram_command", required=True)
    for name, text in (
        ("set-webhook", "send updates to BOT_TELEGRAM__WEBHOOK_URL, with the secret token"),
        ("delete-webhook", "stop webhook delivery (bot serve then polls)"),
        ("webhook-info", "what Telegram knows of the webhook (pending updates, last error)"),
    ):
        command = telegram_sub.add_parser(name, help=text)
        if name != "webhook-info":
            command.add_argument("--drop-pending", action="store_true", help="drop queued updates")
    add_nlu_parser(sub)
    add_jobs_parser(sub)
    add_relays_parser(sub)
    add_followups_parser(sub)
    add_schemes_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    settings = Settings()
    configure_logging(settings)  # secrets and personal data never reach a log
    try:
        return _command(args, settings)
    except (KeyCheckError, DeploymentError, WhatsAppConfigError, TelegramConfigError) as exc:
        # Settings that cannot work: refused at once, in one line an operator can act on.
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _command(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "chat":
        logging.getLogger().setLevel(logging.ERROR)  # the terminal is the conversation
        asyncio.run(_chat(settings, args.user))
    elif args.command == "serve":
        return _serve(settings, args.host or settings.host, args.port or settings.port)
    elif args.command == "leads":
        sys.stdout.write(asyncio.run(_export(settings, args.format, args.pepites)))
        sys.stdout.write("\n" if args.format == "json" else "")
    elif args.command == "db":
        asyncio.run(_db_upgrade(settings))
    elif args.command == "nlu":
        return run_nlu_command(args, settings)
    elif args.command == "jobs":
        return run_jobs_command(args, settings)
    elif args.command == "relays":
        return run_relays_command(args, settings)
    elif args.command == "followups":
        return run_followups_command(args, settings)
    elif args.command == "schemes":
        return run_schemes_command(args, settings, print)
    elif args.command == "privacy":
        if args.privacy_command == "new-key":
            print(FernetCipher.new_key())
            return 0
        dry_run = bool(getattr(args, "dry_run", False))
        print(asyncio.run(_privacy(settings, args.privacy_command, dry_run)))
    elif args.command == "telegram":
        drop = bool(getattr(args, "drop_pending", False))
        print(asyncio.run(manage_webhook(settings, args.telegram_command, drop_pending=drop)))
    elif args.command == "flows":
        if args.flows_command == "schema":
            path = settings.flows_dir / "schema.json"
            path.write_text(json.dumps(flow_file_schema(), ensure_ascii=False, indent=2) + "\n")
            print(f"écrit : {path}")
            return 0
        if args.flows_command == "translations":
            return run_translations(settings.flows_dir, print, args.stamp, settings.data_dir)
        if args.flows_command == "test":
            logging.getLogger().setLevel(logging.ERROR)  # the coordinator reads the results
            return asyncio.run(run_tests(settings, print, args.name))
        if args.flows_command == "understand":
            return asyncio.run(run_understand(settings, print, args.file, errors=args.errors))
        if args.flows_command == "graph":
            out = args.out or settings.runtime_dir / GRAPHS
            return run_graph(settings.flows_dir, out, args.names, print)
        return run_check(settings.flows_dir, print, settings.data_dir)
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
