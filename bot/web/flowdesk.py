"""What the flows pages read, as plain values: the check, graphs, history, a trial chat."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Found:
    """One finding of ``bot flows check``, as the command prints it."""

    level: str  # "error", "warning" or "note"
    label: str  # ERREUR, ATTENTION, À SAVOIR
    where: str  # "intake.yml, ligne 12"
    message: str


@dataclass(frozen=True, slots=True)
class FlowFile:
    """One flow and its file: what version is on disk, since when."""

    flow_id: str
    title: str
    file: str
    version: str
    sha256: str
    modified: datetime | None


@dataclass(frozen=True, slots=True)
class Checked:
    """The check of the files on disk, and the flows found (none when they do not load)."""

    ok: bool
    summary: str
    findings: tuple[Found, ...]
    flows: tuple[FlowFile, ...]


@dataclass(frozen=True, slots=True)
class Exit:
    """Where a step can lead: a button, a condition, or simply the next step."""

    label: str
    target: str


@dataclass(frozen=True, slots=True)
class StepView:
    """A step told in words, for the textual version of a graph."""

    step_id: str
    kind: str
    text: str
    exits: tuple[Exit, ...]


@dataclass(frozen=True, slots=True)
class Drawing:
    """A flow's Mermaid diagram and the same in words."""

    flow: FlowFile
    mermaid: str
    steps: tuple[StepView, ...]


@dataclass(frozen=True, slots=True)
class Change:
    """One commit touching the flows."""

    commit: str
    author: str
    at: datetime
    message: str
    files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class History:
    """The flows' history, or why it cannot be shown (``reason``, in French)."""

    changes: tuple[Change, ...]
    reason: str | None = None


# (sender, message) -> the REST channel's answer: Rasa's list of {text, buttons}.
Talk = Callable[[str, str], Awaitable[list[dict[str, Any]]]]


@dataclass(frozen=True, slots=True)
class FlowDesk:
    """The coordinators' flow tools, given to the web app by the composition root.

    The reading functions do blocking work (files, ``git``): pages run them in a thread.
    """

    check: Callable[[], Checked]
    drawing: Callable[[str], Drawing | None]
    history: Callable[[], History]
    diff: Callable[[str], str | None]  # a validated commit hash -> its patch on flows/
    talk: Talk
