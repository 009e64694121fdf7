"""``bot schemes check``: every profile gets suggestions, no dead rule, links, texts."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.engine.loader import FlowSet
from bot.engine.schema import ChoiceStep, InputStep
from bot.flowtools.findings import Finding, Severity, error, note, warning
from bot.flowtools.lint_words import avoided, excerpt, readability
from bot.flowtools.locate import Locator
from bot.flowtools.style import Style
from bot.handoff.catalogue import Catalogue, Rule, Scheme
from bot.handoff.datafiles import MATURITY, SCHEMES, Reference
from bot.handoff.orientation import Pick, orient
from bot.handoff.profile import (
    COMPANY_STAGES,
    NOT_SAID,
    SLOT_OF,
    STAGES,
    Profile,
    Territory,
    When,
    unmet,
)
from bot.handoff.regions import REGIONS
from bot.handoff.suggestions import render_block

RESIDENT_TEXTS = ("offer", "caveat", "reach", "amount", "conditions")
_FIGURE = re.compile(r"\d[\d\s\u202f]*\s?(?:€|euros?|%)")
LISTED = 20  # combinations named, of each kind; the others are counted


@dataclass
class SchemesReport:
    """What the check found, and its figures."""

    findings: list[Finding] = field(default_factory=list)
    combinations: int = 0
    empty: int = 0
    fewer_than_two: int = 0
    texts: int = 0
    worst_score: float | None = None

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)


def domains(flows: FlowSet) -> dict[str, list[str]]:
    """The answers each condition can meet: the options of the intake's questions."""
    by_slot: dict[str, list[str]] = {}
    for item in flows.flows.values():
        for step in item.flow.steps.values():
            if isinstance(step, (ChoiceStep, InputStep)):
                ids = by_slot.setdefault(step.slot, [])
                ids += [o.id for o in step.options if o.id not in ids]
    found = {name: by_slot.get(slot, []) for name, slot in SLOT_OF.items()}
    found["stages"] = list(STAGES)
    return found


def _blocks(catalogue: Catalogue) -> Iterator[tuple[tuple[str | int, ...], str, When]]:
    """Every block of conditions of the catalogue, with where it is and its name."""
    for i, scheme in enumerate(catalogue.schemes):
        yield ("schemes", i, "for"), f"{scheme.id} (for)", scheme.for_
        for j, rule in enumerate(scheme.rules):
            yield ("schemes", i, "rules", j, "when"), rule.id, rule.when
    for i, guarantee in enumerate(catalogue.guarantees):
        yield ("guarantees", i, "when"), guarantee.id, guarantee.when


def _unknown_values(
    when: When, known: Mapping[str, Sequence[str]], where: str, line: int | None, file: str
) -> list[Finding]:
    found: list[Finding] = []
    for condition in SLOT_OF:
        allowed = known.get(condition)
        if not allowed:
            continue
        for value in getattr(when, condition):
            if value not in allowed:
                found.append(
                    error(
                        file,
                        line,
                        f"« {where} » : la valeur « {value} » de « {condition} » n'existe pas "
                        f"(possibles : {', '.join(allowed)}). Une faute de frappe ?",
                    )
                )
    return found


def _place_in(territory: Territory) -> dict[str, str]:
    """A place inside ``territory``, as slots."""
    if territory.communes:
        code = territory.communes[0]
        dept = code[:3] if code.startswith("97") else code[:2]
        return {"postal_code": code, "insee": code, "department": dept}
    if territory.departments:
        return {"department": territory.departments[0]}
    return {"department": REGIONS[territory.regions[0]][0]} if territory.regions else {}


def _ideal(scheme: Scheme, when: When) -> list[Profile]:
    """Profiles made to meet a rule and its scheme's ``for``, one per stage allowed."""
    slots: dict[str, object] = {}
    stages: list[str] = list(STAGES)
    for condition, slot in SLOT_OF.items():
        wanted = getattr(scheme.for_, condition) or getattr(when, condition)
        both = [v for v in wanted if v in (getattr(when, condition) or wanted)]
        if condition in ("needs", "growth"):
            slots[slot] = list(getattr(when, condition))
        elif condition == "stages":
            stages = both or list(STAGES)
        elif both:
            slots[slot] = both[0]
    for territory in (scheme.for_.territory, when.territory):
        if territory is not None:
            slots.update(_place_in(territory))
    return [Profile.from_slots({**slots, "stage": stage}) for stage in stages]


def _dead_rules(catalogue: Catalogue, locate: Locator) -> list[Finding]:
    found: list[Finding] = []
    for i, scheme in enumerate(catalogue.schemes):
        for j, rule in enumerate(scheme.rules):
            line = locate.line("schemes", i, "rules", j)
            profiles = [
                p
                for p in _ideal(scheme, rule.when)
                if unmet(scheme.for_, p) is None and unmet(rule.when, p) is None
            ]
            if not profiles:
                found.append(
                    error(
                        SCHEMES,
                        line,
                        f"la règle « {rule.id} » ne peut jamais s'appliquer : ses conditions "
                        f"contredisent le « for » de « {scheme.id} ». Corrige l'un ou l'autre.",
                    )
                )
            elif not any(scheme.id in orient(catalogue, p).ids for p in profiles):
                shown = ", ".join(orient(catalogue, profiles[0]).ids)
                found.append(
                    warning(
                        SCHEMES,
                        line,
                        f"la règle « {rule.id} » s'applique, mais « {scheme.id} » n'est jamais "
                        f"montrée, même aux personnes qu'elle vise (on montre : {shown}). "
                        "Donne-lui une « priority » plus haute, ou supprime-la.",
                    )
                )
    return found


def _links(catalogue: Catalogue, locate: Locator) -> list[Finding]:
    found: list[Finding] = []
    for i, scheme in enumerate(catalogue.schemes):
        parts = urlsplit(scheme.link)
        if parts.scheme != "https" or "." not in parts.netloc or " " in scheme.link:
            found.append(
                error(
                    SCHEMES,
                    locate.line("schemes", i, "link"),
                    f"« {scheme.id} » : le lien « {scheme.link} » n'est pas une adresse web "
                    "valable (il faut https://site.fr/...).",
                )
            )
    return found


def _texts(catalogue: Catalogue) -> Iterator[tuple[tuple[str | int, ...], Scheme, str]]:
    for i, scheme in enumerate(catalogue.schemes):
        for name in RESIDENT_TEXTS:
            text = getattr(scheme, name)
            if text:
                yield ("schemes", i, name), scheme, text
        for j, rule in enumerate(scheme.rules):
            if rule.caveat:
                yield ("schemes", i, "rules", j, "caveat"), scheme, rule.caveat


def _lint_texts(
    catalogue: Catalogue, style: Style, locate: Locator, report: SchemesReport
) -> list[Finding]:
    found: list[Finding] = []
    for key, scheme, text in _texts(catalogue):
        line = locate.line(*key)
        report.texts += 1
        for rule, word in avoided(text, style.avoid):
            why = f" ({rule.why})" if rule.why else ""
            found.append(
                warning(
                    SCHEMES,
                    line,
                    f"« {word} » est à éviter{why} : dis plutôt {rule.prefer}. "
                    f"Texte : « {excerpt(text)} »",
                )
            )
        score, words = readability(text)
        if words >= style.readability.min_words:
            report.worst_score = (
                score if report.worst_score is None else min(report.worst_score, score)
            )
            if score < style.readability.min_score:
                found.append(
                    warning(
                        SCHEMES,
                        line,
                        f"texte difficile à lire (score {score:.0f}, il faut au moins "
                        f"{style.readability.min_score:.0f}) : phrases plus courtes, mots plus "
                        f"courants. Texte : « {excerpt(text)} »",
                    )
                )
        if scheme.check and _FIGURE.search(text):
            found.append(
                warning(
                    SCHEMES,
                    line,
                    f"« {scheme.id} » est à vérifier (check: true) : n'écris pas de montant ni de "
                    f"pourcentage, la personne relais les donnera. Texte : « {excerpt(text)} »",
                )
            )
    return found


def _screens(catalogue: Catalogue, locate: Locator) -> list[Finding]:
    """Each scheme as shown, with its longest caveat, fits one phone screen."""
    found: list[Finding] = []
    limit = catalogue.display.max_characters
    for i, scheme in enumerate(catalogue.schemes):
        caveats: list[Rule | None] = [r for r in scheme.rules if r.caveat] or [None]
        longest = max(
            (render_block(catalogue.display, Pick(scheme, i, r, 0), 1) for r in caveats), key=len
        )
        if len(longest) > limit:
            found.append(
                warning(
                    SCHEMES,
                    locate.line("schemes", i),
                    f"« {scheme.id} » ne tient pas sur un écran de téléphone ({len(longest)} "
                    f"caractères, {limit} au plus) : raccourcis « offer », « caveat » ou "
                    "« reach ».",
                )
            )
        if "money" in scheme.kinds and not scheme.caveat:
            found.append(
                error(
                    SCHEMES,
                    locate.line("schemes", i),
                    f"« {scheme.id} » donne ou prête de l'argent : dis honnêtement la contrepartie "
                    "dans « caveat » (un prêt à rembourser...).",
                )
            )
    return found


def _profiles(known: Mapping[str, Sequence[str]]) -> Iterator[tuple[str, Profile]]:
    """Every stage × need (or growth plan) × situation × sector, with nothing else said."""
    situations = [None, *(s for s in known["situations"] if s not in NOT_SAID)]
    sectors = [None, *known["sectors"]]
    for stage in STAGES:
        wants = "growth" if stage in COMPANY_STAGES else "needs"
        options = [None, *known[wants]] if known[wants] else [None]
        for want, situation, sector in itertools.product(options, situations, sectors):
            chosen = frozenset({want}) if want else frozenset()
            needs, growth = (frozenset(), chosen) if wants == "growth" else (chosen, frozenset())
            profile = Profile(
                stage=stage, needs=needs, growth=growth, sector=sector, situation=situation
            )
            yield f"{stage} × {want or '—'} × {situation or '—'} × {sector or '—'}", profile


def _combinations(
    catalogue: Catalogue, known: Mapping[str, Sequence[str]], report: SchemesReport
) -> list[Finding]:
    found: list[Finding] = []
    for said, profile in _profiles(known):
        report.combinations += 1
        result = orient(catalogue, profile)
        if not result.shown:
            report.empty += 1
            if report.empty <= LISTED:
                found.append(error(SCHEMES, None, f"aucune aide pour : {said}."))
        elif len(result.shown) < 2:
            report.fewer_than_two += 1
            if report.fewer_than_two <= LISTED:
                found.append(
                    error(SCHEMES, None, f"une seule aide pour : {said} ({result.ids[0]}).")
                )
    hidden = max(0, report.empty - LISTED) + max(0, report.fewer_than_two - LISTED)
    if hidden:
        found.append(error(SCHEMES, None, f"… et {hidden} autres combinaisons comme celles-ci."))
    return found


def check_schemes(
    data_dir: Path, reference: Reference, flows: FlowSet | None, style: Style | None
) -> SchemesReport:
    """Everything ``bot schemes check`` reports on the reference data of ``data_dir``."""
    report = SchemesReport()
    catalogue = reference.catalogue
    locate = Locator.read(data_dir, SCHEMES)
    known = domains(flows) if flows is not None else {}
    if flows is None:
        report.findings.append(
            note(SCHEMES, None, "les scripts ne se chargent pas : valeurs non vérifiées.")
        )
    known = {**known, "maturity": [lv.id for lv in reference.maturity.levels]}
    for key, where, when in _blocks(catalogue):
        report.findings += _unknown_values(when, known, where, locate.line(*key), SCHEMES)
    in_maturity = Locator.read(data_dir, MATURITY)
    for i, signal in enumerate(reference.maturity.signals):
        line = in_maturity.line("signals", i)
        report.findings += _unknown_values(signal.when, known, signal.id, line, MATURITY)
    report.findings += _links(catalogue, locate)
    report.findings += _dead_rules(catalogue, locate)
    report.findings += _screens(catalogue, locate)
    if style is not None:
        report.findings += _lint_texts(catalogue, style, locate, report)
    if known.get("needs"):
        report.findings += _combinations(catalogue, known, report)
    return report
