"""Find the line of a step, a field or a button in a flow file, for the check's messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from bot.engine.yamlfiles import line_in

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
        return line_in(self._document(), path, fallback=False)

    def step(self, step_id: str, *rest: str | int) -> int | None:
        """Line of a step, or of one of its fields (``"say"``, ``"options", 2``...)."""
        return self.line("steps", step_id, *rest)
