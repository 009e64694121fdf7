"""``bot schemes explain``: the schemes a person gets, in order, and the rule that chose each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.handoff.datafiles import Reference
from bot.handoff.maturity import assess
from bot.handoff.orientation import Pick, orient
from bot.handoff.profile import COMPANY_STAGES, Profile
from bot.handoff.regions import REGION_OF

WORDS = {
    "stages": "étape",
    "needs": "besoins",
    "growth": "projets",
    "sectors": "domaine",
    "situations": "situation",
    "ages": "âge",
    "company_age": "âge de l'entreprise",
    "headcount": "effectif",
    "turnover": "chiffre d'affaires",
    "maturity": "repérage",
    "territory": "lieu",
}


def _said(value: object) -> str:
    if isinstance(value, frozenset):
        return ", ".join(sorted(value)) or "—"
    return str(value) if value else "—"


def describe(profile: Profile) -> str:
    """The profile on one line, in the file's words."""
    place = "—"
    if profile.department:
        region = REGION_OF.get(profile.department, "?")
        place = f"{profile.postal_code or profile.insee or ''} ({profile.department}, {region})"
    parts = [
        f"étape {_said(profile.stage)}",
        f"besoins {_said(profile.needs)}",
        f"projets {_said(profile.growth)}" if profile.growth else "",
        f"domaine {_said(profile.sector)}",
        f"situation {_said(profile.situation)}",
        f"âge {_said(profile.age)}",
        f"lieu {place.strip()}",
    ]
    if profile.stage in COMPANY_STAGES:
        parts += [
            f"entreprise {_said(profile.company_age)}",
            f"effectif {_said(profile.headcount)}",
            f"chiffre d'affaires {_said(profile.turnover)}",
        ]
    return "Profil : " + " · ".join(p for p in parts if p)


def _pick(number: int, pick: Pick) -> list[str]:
    head = f"{number}. {pick.scheme.id} : {pick.scheme.name}, score {pick.score}"
    lines = [head]
    if pick.rule is not None:
        lines.append(f"   règle « {pick.rule.id} » : {pick.rule.because}")
    if pick.guarantee is not None:
        verb = "ajoutée" if pick.rule is None else "gardée"
        lines.append(
            f"   {verb} par la garantie « {pick.guarantee.id} » : {pick.guarantee.because}"
        )
    if pick.specific:
        lines.append("   précise pour la personne : " + ", ".join(WORDS[s] for s in pick.specific))
    if pick.caveat:
        lines.append(f"   ⚠️ {pick.caveat}")
    return lines


def explain(reference: Reference, profile: Profile, shown_then: Sequence[str] = ()) -> list[str]:
    """What a coordinator reads: the profile, its maturity, each scheme and why."""
    lines = [describe(profile)]
    if profile.stage in COMPANY_STAGES and profile.maturity is None:
        found = assess(reference.maturity, profile)
        profile = replace(profile, maturity=found.level)
        if found.level:
            reasons = ", ".join(found.reasons)
            label = reference.maturity.label(found.level)
            lines.append(f"Repérage : {label} ({found.points} points : {reasons})")
        else:
            lines.append(f"Repérage : aucun niveau ({found.points} point(s))")
    result = orient(reference.catalogue, profile)
    lines.append("")
    lines.append("Aides montrées, dans l'ordre :" if result.shown else "Aucune aide montrée.")
    for number, pick in enumerate(result.shown, 1):
        lines += _pick(number, pick)
    if shown_then and list(shown_then) != result.ids:
        lines.append(f"Montrées au moment de la demande : {', '.join(shown_then)}.")
    if result.others:
        lines.append("")
        lines.append("Aussi possibles (une règle s'applique, mais moins bien classées) :")
        lines += [
            f"   • {p.scheme.id}, score {p.score}, règle « {p.chosen_by} »" for p in result.others
        ]
    if result.quiet:
        lines.append("")
        quiet = ", ".join(p.scheme.id for p in result.quiet)
        lines.append(f"Pour cette personne, mais aucune règle ne s'applique : {quiet}.")
    if result.not_for:
        lines.append("")
        lines.append("Pas pour cette personne (la condition du « for » qui manque) :")
        lines.append("   " + ", ".join(f"{s.id} ({WORDS[c]})" for s, c in result.not_for))
    for guarantee in result.unmet:
        lines.append(f"ATTENTION : la garantie « {guarantee.id} » n'a pas pu être tenue.")
    return lines
