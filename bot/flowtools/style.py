"""The editable style rules (``flows/check/words.yml``): words to avoid, readability, length."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from bot.engine.yamlfiles import load_yaml_model

STYLE_FILE = Path("check") / "words.yml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Avoid(_Model):
    """Words to avoid with the bot's users, and what to say instead."""

    words: Annotated[list[Annotated[str, Field(min_length=2)]], Field(min_length=1)]
    prefer: Annotated[str, Field(min_length=1)]
    why: str = ""


class Readability(_Model):
    """Kandel-Moles score (Flesch adapted to French, 0-100+: higher is easier)."""

    min_score: float = 70
    min_words: Annotated[int, Field(ge=1)] = 6


class Length(_Model):
    """About 3 short lines per message."""

    max_lines: Annotated[int, Field(ge=1)] = 3
    max_characters: Annotated[int, Field(ge=20)] = 300


class Style(_Model):
    """The whole file."""

    readability: Readability = Readability()
    messages: Length = Length()
    avoid: list[Avoid] = Field(default_factory=list)


def load_style(folder: Path) -> Style | None:
    """The style rules of a flow folder, or ``None`` when it has no such file.

    Raises :class:`bot.engine.loader.FlowError` when the file is not valid.
    """
    path = folder / STYLE_FILE
    if not path.is_file():
        return None
    style, _ = load_yaml_model(Style, path, STYLE_FILE.as_posix())
    return style
