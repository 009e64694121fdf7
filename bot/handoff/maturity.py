"""Spot mature companies ("pépites") from explicit rules (``data/maturity.yml``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from bot.handoff.profile import Profile, When, unmet
from bot.handoff.reference import ReferenceDataError, load_model

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]*$", max_length=40)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Level(_Model):
    """A level of maturity, reached from ``min`` points."""

    id: Id
    label: Annotated[str, Field(min_length=1, max_length=60)]
    min: Annotated[int, Field(ge=1)]


class Signal(_Model):
    """One sign of maturity: when its conditions hold, it adds points and says why."""

    id: Id
    when: When
    points: int = 1
    reason: Annotated[str, Field(min_length=1, max_length=80)]


class MaturityRules(_Model):
    """The maturity file."""

    version: int
    levels: Annotated[list[Level], Field(min_length=1)]
    signals: list[Signal]

    def label(self, level_id: str) -> str:
        return next((lv.label for lv in self.levels if lv.id == level_id), level_id)


@dataclass(frozen=True, slots=True)
class Assessment:
    """How mature a company looks, and why."""

    level: str | None
    points: int
    reasons: tuple[str, ...]
    signals: tuple[str, ...]


def assess(rules: MaturityRules, profile: Profile) -> Assessment:
    """Add the points of every signal that holds; the highest level reached wins."""
    held = [s for s in rules.signals if unmet(s.when, profile) is None]
    points = sum(s.points for s in held)
    reached = [lv for lv in rules.levels if points >= lv.min]
    level = max(reached, key=lambda lv: lv.min).id if reached else None
    return Assessment(
        level,
        points,
        tuple(s.reason for s in held if s.points > 0),
        tuple(s.id for s in held),
    )


def load_maturity(path: Path) -> MaturityRules:
    """Read and check the maturity rules."""
    rules = load_model(MaturityRules, path)
    for kind, ids in (
        ("level", [lv.id for lv in rules.levels]),
        ("signal", [s.id for s in rules.signals]),
    ):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ReferenceDataError(f"{path.name}: {kind} « {twice[0]} » appears twice")
    return rules
