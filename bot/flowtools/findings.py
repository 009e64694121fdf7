"""What ``bot flows check`` reports: located findings with a severity, in French."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.engine.yamlfiles import Problem


class Severity(StrEnum):
    """How much a finding matters; only errors block a version of the flows."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


LABELS = {Severity.ERROR: "ERREUR", Severity.WARNING: "ATTENTION", Severity.NOTE: "À SAVOIR"}
_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing to tell a coordinator about a flow file, with where it is."""

    severity: Severity
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, ligne {self.line}" if self.line else self.file
        return f"{LABELS[self.severity]:<10} {where} : {self.message}"

    @property
    def problem(self) -> Problem:
        """The same, as the loader's :class:`Problem` (for a :class:`FlowError`)."""
        return Problem(self.file, self.line, self.message)


def error(file: str, line: int | None, message: str) -> Finding:
    """A finding that blocks the version (check fails, reload refused)."""
    return Finding(Severity.ERROR, file, line, message)


def warning(file: str, line: int | None, message: str) -> Finding:
    """A finding to fix, that does not block the version."""
    return Finding(Severity.WARNING, file, line, message)


def note(file: str, line: int | None, message: str) -> Finding:
    """Something good to know (how a channel will show a question); nothing to fix."""
    return Finding(Severity.NOTE, file, line, message)


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Findings by file, then line, then severity; duplicates dropped."""
    unique = dict.fromkeys(findings)
    return sorted(unique, key=lambda f: (f.file, f.line or 0, _ORDER[f.severity], f.message))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def summary(findings: Sequence[Finding], flow_count: int) -> str:
    """The last line of the check, in plain French."""
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = sum(f.severity is Severity.WARNING for f in findings)
    notes = sum(f.severity is Severity.NOTE for f in findings)
    others = _plural(warnings, "avertissement")
    if notes:
        others += f", {_plural(notes, 'remarque')}"
    if errors:
        return (
            f"{_plural(errors, 'erreur')}, {others}. Corrige les erreurs : tant qu'il y en a, "
            "le bot garde la version d'avant (ou refuse de démarrer)."
        )
    return f"OK : {_plural(flow_count, 'script')} sans erreur, {others}."
