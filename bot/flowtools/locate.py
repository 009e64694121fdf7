"""Find the line of a step, a field or a button in a flow file, for the check's messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

_UNREAD = object()


class Locator:
    """Lines (1-based) of the keys and items of one YAML file, read when first asked."""

    def __init__(self, name: str, document: Any = _UNREAD, path: Path | None = None) -> None:
        self.name = name
        self._doc = document
        self._path = path

    @classmethod
    def read(cls, folder: Path, name: str) -> Locator:
        """The locator of ``folder/name`` (lines unknown if it cannot be read)."""
        return cls(name, path=folder / name)

    def _document(self) -> Any:
        if self._doc is _UNREAD:  # only a finding needs lines: clean flows never pay this
            try:
                text = self._path.read_text(encoding="utf-8") if self._path else ""
                self._doc = YAML(typ="rt").load(text)
            except (OSError, UnicodeDecodeError, YAMLError):
                self._doc = None
        return self._doc

    def line(self, *path: str | int) -> int | None:
        """Line of the deepest key or item of ``path`` found in the file."""
        node = self._document()
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
