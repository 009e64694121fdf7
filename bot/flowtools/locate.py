"""Find the line of a step, a field or a button in a flow file, for the check's messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError


class Locator:
    """Lines (1-based) of the keys and items of one YAML file."""

    def __init__(self, name: str, document: Any) -> None:
        self.name = name
        self._doc = document

    @classmethod
    def read(cls, folder: Path, name: str) -> Locator:
        """The locator of ``folder/name`` (lines unknown if it cannot be read)."""
        try:
            document = YAML(typ="rt").load((folder / name).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, YAMLError):
            document = None
        return cls(name, document)

    def line(self, *path: str | int) -> int | None:
        """Line of the deepest key or item of ``path`` found in the file."""
        node = self._doc
        line: int | None = None
        for key in path:
            if isinstance(node, CommentedMap) and key in node:
                line = node.lc.key(key)[0] + 1
                node = node[key]
            elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
                line = node.lc.item(key)[0] + 1
                node = node[key]
            else:
                break
        return line

    def step(self, step_id: str, *rest: str | int) -> int | None:
        """Line of a step, or of one of its fields (``"say"``, ``"options", 2``...)."""
        return self.line("steps", step_id, *rest)
