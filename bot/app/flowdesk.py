"""The flows pages' desk: the check, graphs and history of the flows on disk, a trial chat."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime
from pathlib import Path

from bot.engine.loader import FlowSet, load_flows
from bot.engine.yamlfiles import FlowError
from bot.flowtools.check import check_flows
from bot.flowtools.findings import LABELS, summary
from bot.flowtools.history import commit_diff, flow_history
from bot.flowtools.mermaid import render_mermaid
from bot.flowtools.outline import outline
from bot.flowtools.reload import files_digest
from bot.web.flowdesk import Checked, Drawing, FlowDesk, FlowFile, Found, Talk


def _stamp(path: Path) -> tuple[str, datetime | None]:
    """The file's sha256 and modification time (empty when it vanished meanwhile)."""
    try:
        content = path.read_bytes()
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return "", None
    return hashlib.sha256(content).hexdigest(), modified


def _files(folder: Path, flows: FlowSet | None) -> tuple[FlowFile, ...]:
    """The flows found, or every ``*.yml`` of the folder when they do not load."""
    if flows is not None:
        found = []
        for flow_id, item in sorted(flows.flows.items()):
            sha, modified = _stamp(folder / item.path)
            found.append(FlowFile(flow_id, item.flow.title, item.path, item.version, sha, modified))
        return tuple(found)
    files = []
    for path in sorted(folder.glob("*.yml")):
        sha, modified = _stamp(path)
        files.append(FlowFile(path.stem, "", path.name, "?", sha, modified))
    return tuple(files)


def check_on_disk(folder: Path) -> Checked:
    """``bot flows check`` on the files as they are now (what the hot reload will read)."""
    result = check_flows(folder)
    found = tuple(
        Found(
            f.severity.value,
            LABELS[f.severity],
            f"{f.file}, ligne {f.line}" if f.line else f.file,
            f.message,
        )
        for f in result.findings
    )
    count = len(result.flows.flows) if result.flows else 0
    return Checked(result.ok, summary(result.findings, count), found, _files(folder, result.flows))


def draw(folder: Path, flow_id: str) -> Drawing | None:
    """One flow of the files on disk as a diagram and in words; ``None``: no such flow."""
    try:
        flows = load_flows(folder)
    except FlowError:
        return None
    item = flows.flows.get(flow_id)
    if item is None:
        return None
    sha, modified = _stamp(folder / item.path)
    flow = FlowFile(flow_id, item.flow.title, item.path, item.version, sha, modified)
    return Drawing(flow, render_mermaid(item, flows), outline(item, flows))


class CachedCheck:
    """The check, run again only when a file of the folder changed (it takes a second).

    Keyed by the content of every file under the folder (flows, notices, tests, the
    words to avoid), so a saved edit is always seen at the next look.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._last: tuple[str, Checked] | None = None

    def __call__(self) -> Checked:
        """The check of the files as they are now."""
        with self._lock:  # two coordinators at once: one check
            paths = [p for p in self.folder.rglob("*") if p.is_file()]
            digest = files_digest(self.folder, paths)
            if self._last is None or self._last[0] != digest:
                self._last = (digest, check_on_disk(self.folder))
            return self._last[1]


def make_flow_desk(folder: Path, talk: Talk) -> FlowDesk:
    """The desk over the flows of ``folder``; ``talk`` reaches the bot as the REST channel."""
    return FlowDesk(
        check=CachedCheck(folder),
        drawing=lambda flow_id: draw(folder, flow_id),
        history=lambda: flow_history(folder),
        diff=lambda commit: commit_diff(folder, commit),
        talk=talk,
    )
