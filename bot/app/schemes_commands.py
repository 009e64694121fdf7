"""The ``bot schemes`` commands: check the catalogue, explain what a person gets and why."""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Callable
from typing import Any

from bot.app.build import make_place_finder
from bot.app.keys import make_cipher
from bot.app.settings import Settings
from bot.engine.loader import load_flows
from bot.engine.yamlfiles import FlowError
from bot.flowtools.explain import explain
from bot.flowtools.findings import Severity
from bot.flowtools.schemes import SchemesReport, check_schemes
from bot.flowtools.style import load_style
from bot.handoff.datafiles import Reference, load_reference
from bot.handoff.profile import Profile
from bot.handoff.reference import ReferenceDataError
from bot.store.audit import record_access
from bot.store.database import make_engine, upgrade
from bot.store.leads import load_lead

Write = Callable[[str], None]
PROFILE_OPTIONS = (
    ("stage", "idea, creating, testing, young, established"),
    ("needs", "besoins, séparés par des virgules (argent,local)"),
    ("growth", "projets d'une entreprise, séparés par des virgules (embauche,export)"),
    ("sector", "domaine (beaute, commerce...)"),
    ("situation", "salarie, demandeur_emploi, rsa, etudiant, retraite, autre"),
    ("age", "tranche d'âge (18_25...)"),
    ("place", "commune ou code postal (« roubaix », « 69120 »)"),
    ("company-age", "âge de l'entreprise (0_1, 1_2, 3_5, 6_10, 10_plus)"),
    ("headcount", "effectif (1, 2_5, 6_10, 11_plus)"),
    ("turnover", "chiffre d'affaires (lt_30k, 30k_100k, 100k_500k, 500k_plus)"),
)


def add_schemes_parser(sub: Any) -> None:
    """Add ``bot schemes check`` and ``bot schemes explain`` to the command line."""
    schemes = sub.add_parser("schemes", help="the schemes catalogue (data/schemes.yml)")
    schemes_sub = schemes.add_subparsers(dest="schemes_command", required=True)
    schemes_sub.add_parser(
        "check", help="every profile gets suggestions; dead rules, links, texts on a phone"
    )
    explain_cmd = schemes_sub.add_parser(
        "explain",
        help="the schemes a profile (or a lead) gets, in order, and which rule chose each",
    )
    explain_cmd.add_argument("--lead", help="a lead id (bot leads export)")
    for name, text in PROFILE_OPTIONS:
        explain_cmd.add_argument(f"--{name}", help=text)


def _summary(report: SchemesReport, reference: Reference) -> list[str]:
    catalogue = reference.catalogue
    rules = sum(len(s.rules) for s in catalogue.schemes)
    errors = sum(f.severity is Severity.ERROR for f in report.findings)
    warnings = sum(f.severity is Severity.WARNING for f in report.findings)
    worst = f"{report.worst_score:.0f}" if report.worst_score is not None else "—"
    lines = [
        f"{len(catalogue.schemes)} aides, {rules} règles, {len(catalogue.guarantees)} garanties, "
        f"{len(reference.maturity.signals)} signes de maturité.",
        f"{report.combinations} combinaisons étape × besoin × situation × domaine : "
        f"{report.empty} sans aide, {report.fewer_than_two} avec une seule aide.",
        f"{report.texts} textes relus ; lisibilité la plus basse : {worst}.",
    ]
    if errors:
        lines.append(f"{errors} erreur(s), {warnings} avertissement(s) : corrige les erreurs.")
    else:
        lines.append(f"OK : 0 erreur, {warnings} avertissement(s).")
    return lines


def run_check(settings: Settings, write: Write) -> int:
    """``bot schemes check``: findings, then the figures; 1 when there are errors."""
    try:
        reference = load_reference(settings.data_dir)
    except ReferenceDataError as exc:
        for line in str(exc).splitlines():
            write(f"ERREUR     {line}")
        return 1
    try:
        flows = load_flows(settings.flows_dir)
        style = load_style(settings.flows_dir)
    except FlowError:
        flows, style = None, None
    report = check_schemes(settings.data_dir, reference, flows, style)
    for finding in report.findings:
        write(str(finding))
    for line in _summary(report, reference):
        write(line)
    return 0 if report.ok else 1


def _listed(value: str | None) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


def _profile_from_args(args: argparse.Namespace, settings: Settings) -> Profile | str:
    slots: dict[str, object] = {
        "stage": args.stage,
        "needs": _listed(args.needs),
        "growth_needs": _listed(args.growth),
        "sector": args.sector,
        "situation": args.situation,
        "age_band": args.age,
        "company_age": args.company_age,
        "headcount": args.headcount,
        "turnover": args.turnover,
    }
    if args.place:
        found = make_place_finder(settings.data_dir).search(args.place).places
        if not found:
            return f"Je ne trouve pas « {args.place} »."
        place = found[0]
        slots.update(postal_code=place.postal_code, insee=place.insee, department=place.department)
    return Profile.from_slots(slots)


async def _lead(settings: Settings, lead_id: str) -> dict[str, Any] | None:
    engine = make_engine(settings.database_url)
    cipher = make_cipher(settings)
    actor = os.environ.get("USER") or os.environ.get("LOGNAME") or "cli"
    try:
        await upgrade(engine)
        async with engine.begin() as connection:

            def read(sync: Any) -> dict[str, Any] | None:
                lead = load_lead(sync, lead_id, cipher)
                if lead is not None:
                    record_access(sync, actor=actor, action="explain_lead", lead_id=lead_id)
                return lead

            return await connection.run_sync(read)
    finally:
        await engine.dispose()


def run_explain(args: argparse.Namespace, settings: Settings, write: Write) -> int:
    """``bot schemes explain``: a profile from the options, or a lead's."""
    try:
        reference = load_reference(settings.data_dir)
    except ReferenceDataError as exc:
        write(f"ERREUR     {exc}")
        return 1
    shown_then: list[str] = []
    if args.lead:
        lead = asyncio.run(_lead(settings, args.lead))
        if lead is None:
            write(f"Pas de demande n° {args.lead}.")
            return 1
        profile = Profile.from_slots({**(lead.get("details") or {}), **lead})
        shown_then = list(lead.get("schemes") or [])
    else:
        made = _profile_from_args(args, settings)
        if isinstance(made, str):
            write(made)
            return 1
        profile = made
    for line in explain(reference, profile, shown_then):
        write(line)
    return 0


def run_schemes_command(args: argparse.Namespace, settings: Settings, write: Write) -> int:
    """Run ``bot schemes ...``; returns the exit code."""
    if args.schemes_command == "check":
        return run_check(settings, write)
    return run_explain(args, settings, write)
