"""Hot reload: watch the flow folder, check a changed version, swap it in or keep the old one."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.engine.loader import NOTICES, FlowSet
from bot.engine.runner import Runner
from bot.engine.yamlfiles import FlowError, Problem
from bot.flowtools.check import load_checked

log = logging.getLogger(__name__)


class HasRunner(Protocol):
    """What serves conversations (the dispatcher): a turn uses the runner in force."""

    runner: Runner


@dataclass(frozen=True, slots=True)
class Reloaded:
    """A new version is in force."""

    versions: dict[str, str]

    def __str__(self) -> str:
        names = ", ".join(f"{flow} {version}" for flow, version in sorted(self.versions.items()))
        return f"Nouvelle version des scripts en service : {names}."


@dataclass(frozen=True, slots=True)
class Rejected:
    """The edit has errors: the previous version keeps serving."""

    problems: tuple[Problem, ...]

    def __str__(self) -> str:
        lines = "\n".join(f"  ERREUR  {p}" for p in self.problems)
        return (
            "Les scripts modifiés ont des erreurs : le bot garde la version d'avant.\n"
            f"{lines}\nCorrige-les et enregistre : le bot réessaie tout seul."
        )


def folder_digest(folder: Path) -> str:
    """Hash of what a version is made of: ``*.yml`` and ``notices/*.md``."""
    digest = hashlib.sha256()
    for path in sorted([*folder.glob("*.yml"), *(folder / NOTICES).glob("*.md")]):
        try:
            content = path.read_bytes()
        except OSError:  # removed while we looked: the next poll sees the new state
            content = b""
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


class FlowWatcher:
    """Polls ``folder``; a changed, valid version replaces ``target.runner`` in one step.

    A turn takes the runner in force when it starts, so it runs entirely on one version.
    ``tell`` receives the French message for the coordinator (server log, terminal).
    """

    def __init__(
        self,
        folder: Path,
        target: HasRunner,
        tell: Callable[[str], None] | None = None,
    ) -> None:
        self.folder = folder
        self.target = target
        self.tell = tell
        self._seen = self._serving = folder_digest(folder)

    async def poll(self) -> Reloaded | Rejected | None:
        """Look once; ``None`` when nothing changed."""
        seen = await asyncio.to_thread(folder_digest, self.folder)
        if seen == self._seen:
            return None
        self._seen = seen
        if seen == self._serving:  # back to the version in force (e.g. an edit undone)
            return None
        try:
            flows: FlowSet = await asyncio.to_thread(load_checked, self.folder)
        except FlowError as exc:
            log.warning(
                "flow reload rejected (%d problems); the previous version stays", len(exc.problems)
            )
            return self._report(Rejected(exc.problems))
        self._serving = seen
        runner = self.target.runner.with_flows(flows)
        self.target.runner = runner  # one assignment: the next turn sees the new version
        versions = {flow_id: item.version for flow_id, item in flows.flows.items()}
        log.info("flows reloaded: %s", versions)
        return self._report(Reloaded(versions))

    def _report(self, result: Reloaded | Rejected) -> Reloaded | Rejected:
        text = str(result)
        if isinstance(result, Rejected):
            log.warning("%s", text)
        if self.tell is not None:
            self.tell(text)
        return result

    async def run(self, every: float) -> None:
        """Poll every ``every`` seconds until cancelled; a failed poll is logged, not fatal."""
        while True:
            await asyncio.sleep(every)
            try:
                await self.poll()
            except Exception:
                log.exception("watching the flow folder failed")
