"""``bot flows check``: load the flows, then every rule; the same gate guards hot reloads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.engine.loader import FlowSet, load_flows
from bot.engine.yamlfiles import FlowError
from bot.flowtools.context import Context
from bot.flowtools.findings import Finding, Severity, error, note, ordered
from bot.flowtools.lint_answers import check_answers
from bot.flowtools.lint_channels import check_channels
from bot.flowtools.lint_consent import check_consents
from bot.flowtools.lint_graph import check_graph
from bot.flowtools.lint_lang import check_languages
from bot.flowtools.lint_translations import check_translations
from bot.flowtools.lint_words import check_words
from bot.flowtools.scenarios import LoadedScenario, load_scenarios
from bot.flowtools.style import STYLE_FILE, load_style
from bot.flowtools.texts import texts
from bot.flowtools.translations import data_texts


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The flows (when they load) and everything found in them."""

    flows: FlowSet | None
    findings: tuple[Finding, ...]

    def count(self, severity: Severity) -> int:
        """How many findings of ``severity``."""
        return sum(f.severity is severity for f in self.findings)

    @property
    def ok(self) -> bool:
        """True when nothing blocks this version."""
        return self.count(Severity.ERROR) == 0


def _rules(ctx: Context) -> list[Finding]:
    """The rules that can block a version (errors), with their warnings."""
    return (
        check_graph(ctx)
        + check_consents(ctx)
        + check_channels(ctx)
        + check_languages(ctx)
        + check_translations(ctx)
        + check_answers(ctx)
    )


def check_flows(folder: Path, data_dir: Path | None = None) -> CheckResult:
    """Everything ``bot flows check`` reports on ``folder``, in file and line order.

    ``data_dir`` (default: the ``data`` folder beside ``folder``) gives the schemes' texts,
    whose translations are checked with the flows'."""
    try:
        flows = load_flows(folder)
    except FlowError as exc:
        return CheckResult(None, tuple(error(p.file, p.line, p.message) for p in exc.problems))
    ctx = Context.build(folder, flows, data=data_texts(data_dir or folder.parent / "data"))
    found = _rules(ctx)
    try:
        style = load_style(folder)
    except FlowError as exc:
        style = None
        found += [error(p.file, p.line, p.message) for p in exc.problems]
    else:
        if style is None:
            found.append(
                note(
                    STYLE_FILE.as_posix(),
                    None,
                    "pas de liste de mots à éviter : les mots et la lisibilité ne sont pas "
                    "vérifiés.",
                )
            )
    if style is not None:
        found += check_words(texts(ctx), style)
    try:
        found += _asked_steps(load_scenarios(folder), flows)
    except FlowError as exc:
        found += [error(p.file, p.line, p.message) for p in exc.problems]
    return CheckResult(flows, tuple(ordered(found)))


def _asked_steps(scenarios: Sequence[LoadedScenario], flows: FlowSet) -> list[Finding]:
    """Tests waiting for a step that does not exist (renamed since?)."""
    steps = {s for item in flows.flows.values() for s in item.flow.steps}
    steps |= {f"{flow_id}.{s}" for flow_id, item in flows.flows.items() for s in item.flow.steps}
    found: list[Finding] = []
    for scenario in scenarios:
        for located in scenario.turns:
            expect = located.turn.expect
            if expect is not None and expect.asks is not None and expect.asks not in steps:
                found.append(
                    error(
                        scenario.file,
                        located.line,
                        f"le test attend la question « {expect.asks} », qui n'existe dans "
                        "aucun script : l'étape a-t-elle changé de nom ?",
                    )
                )
    return found


def load_checked(folder: Path) -> FlowSet:
    """The flows of ``folder`` if nothing blocks them (start-up, hot reload).

    Raises :class:`FlowError` with the schema problems or the check's errors.
    """
    flows = load_flows(folder)
    ctx = Context.build(folder, flows, advice=False)
    errors: Sequence[Finding] = [f for f in _rules(ctx) if f.severity is Severity.ERROR]
    if errors:
        raise FlowError([f.problem for f in ordered(errors)])
    return flows
