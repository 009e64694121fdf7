"""Hot reload: watch the flows (and the reference data), check a changed version, swap it in
or keep the old one."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

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


def files_digest(folder: Path, paths: Iterable[Path]) -> str:
    """Hash of the content of ``paths`` (inside ``folder``), a missing file reading empty."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        try:
            content = path.read_bytes()
        except OSError:  # removed while we looked: the next poll sees the new state
            content = b""
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


def folder_digest(folder: Path) -> str:
    """Hash of what a version is made of: ``*.yml`` and ``notices/*.md``."""
    return files_digest(folder, [*folder.glob("*.yml"), *(folder / NOTICES).glob("*.md")])


R = TypeVar("R")


class _Watcher(ABC, Generic[R]):
    """Polling and telling, shared by the watchers below."""

    watched = ""  # what is watched, for the log
    tell: Callable[[str], None] | None

    @abstractmethod
    async def poll(self) -> R | None:
        """Look once; a new version is put in force, or refused (and said), or ``None``."""

    def _report(self, result: R) -> R:
        text = str(result)
        if isinstance(result, Rejected | DataRejected):
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
                log.exception("watching %s failed", self.watched)


class FlowWatcher(_Watcher[Reloaded | Rejected]):
    """Polls ``folder``; a changed, valid version replaces ``target.runner`` in one step.

    A turn takes the runner in force when it starts, so it runs entirely on one version.
    ``tell`` receives the French message for the coordinator (server log, terminal).
    """

    watched = "the flow folder"

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


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class DataReloaded:
    """A new version of the reference data is in force."""

    names: tuple[str, ...]

    def __str__(self) -> str:
        return f"Nouvelle version des données en service : {', '.join(self.names)}."


@dataclass(frozen=True, slots=True)
class DataRejected:
    """The edited data files have errors: the previous version keeps serving."""

    message: str

    def __str__(self) -> str:
        lines = "\n".join(f"  ERREUR  {line}" for line in self.message.splitlines())
        return (
            "Les données modifiées ont des erreurs : le bot garde la version d'avant.\n"
            f"{lines}\nCorrige-les et enregistre : le bot réessaie tout seul."
        )


class DataWatcher(_Watcher[DataReloaded | DataRejected], Generic[T]):
    """Polls some files of ``folder`` (``data/schemes.yml``...); a changed version that
    ``load`` accepts is handed to ``apply`` in one step, one that it refuses (raising
    ``errors``) leaves the version in force. ``tell`` receives the coordinator's message.
    """

    watched = "the reference data"

    def __init__(
        self,
        folder: Path,
        names: Sequence[str],
        load: Callable[[], T],
        apply: Callable[[T], None],
        *,
        errors: tuple[type[Exception], ...],
        tell: Callable[[str], None] | None = None,
    ) -> None:
        self.folder = folder
        self.names = tuple(names)
        self.load = load
        self.apply = apply
        self.errors = errors
        self.tell = tell
        self._seen = self._serving = self._digest()

    def _digest(self) -> str:
        return files_digest(self.folder, [self.folder / name for name in self.names])

    async def poll(self) -> DataReloaded | DataRejected | None:
        """Look once; ``None`` when nothing changed."""
        seen = await asyncio.to_thread(self._digest)
        if seen == self._seen:
            return None
        self._seen = seen
        if seen == self._serving:
            return None
        try:
            loaded = await asyncio.to_thread(self.load)
        except self.errors as exc:
            log.warning("reference data reload rejected; the previous version stays")
            return self._report(DataRejected(str(exc)))
        self._serving = seen
        self.apply(loaded)
        log.info("reference data reloaded: %s", ", ".join(self.names))
        return self._report(DataReloaded(self.names))
