"""What every rule of the check reads: the loaded flows, their graphs and their lines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.engine.loader import FAQ_FILE, GLOBAL_FILE, RELAY_FILE, FlowSet, LoadedFlow
from bot.flowtools.graph import Edge, edges, prefillable
from bot.flowtools.locate import Locator


@dataclass(frozen=True, slots=True)
class Context:
    """A valid set of flows, ready to be checked."""

    folder: Path
    flows: FlowSet
    graphs: dict[str, dict[str, list[Edge]]]
    locators: dict[str, Locator]
    advice: bool = True  # False: only errors matter (start-up, hot reload)
    # The French texts of data/ residents read (the schemes'), to translate like the flows'.
    data: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        folder: Path,
        flows: FlowSet,
        *,
        advice: bool = True,
        data: Mapping[str, Any] | None = None,
    ) -> Context:
        """Graphs and line finders of every flow of ``flows`` (read from ``folder``)."""
        prefilled = prefillable(flows)
        graphs = {flow_id: edges(item, prefilled) for flow_id, item in flows.flows.items()}
        names = [item.path for item in flows.flows.values()] + [GLOBAL_FILE, FAQ_FILE, RELAY_FILE]
        locators = {name: Locator.read(folder, name) for name in names}
        return cls(folder, flows, graphs, locators, advice, dict(data or {}))

    def where(self, item: LoadedFlow, step_id: str, *rest: str | int) -> tuple[str, int | None]:
        """File name and line of a step (or of one of its fields)."""
        return item.path, self.locators[item.path].step(step_id, *rest)
