"""The schemes catalogue (``data/schemes.yml``): who each scheme is for, and why it is chosen."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.handoff.profile import When, unknown_regions
from bot.handoff.reference import ReferenceDataError, load_model

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]*$", max_length=60)]
Kind = Literal["person", "money", "growth", "online", "info", "test"]
KINDS: tuple[str, ...] = ("person", "money", "growth", "online", "info", "test")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Rule(_Model):
    """One reason to suggest a scheme: when its conditions hold, the scheme is a candidate."""

    id: Id
    when: When = Field(default_factory=When)
    because: Annotated[str, Field(min_length=1)] = Field(
        description="Why, in the coordinators' words (shown by `bot schemes explain`)."
    )
    priority: int = Field(default=0, description="Added to the score: pushes a rule up or down.")
    caveat: str | None = Field(
        default=None, description="Shown instead of the scheme's caveat when this rule chose it."
    )


class Scheme(_Model):
    """One support scheme, described for residents, with who it is for."""

    id: Id
    name: str
    aliases: list[str] = Field(
        default_factory=list, description="Other ways people write the name: short, misspelt."
    )
    offer: str = Field(description="One sentence: what it does for you.")
    caveat: str = Field(default="", description="The honest warning (a loan to repay...).")
    reach: str = Field(default="", description="How to reach it, in one short sentence.")
    link: str = Field(description="The official address.")
    amount: str | None = Field(
        default=None, description="One honest line on the money it gives or lends (None: none)."
    )
    conditions: str = ""
    kinds: list[Kind] = Field(min_length=1)
    for_: When = Field(default_factory=When, alias="for", description="Who it is for (required).")
    rules: list[Rule] = Field(min_length=1)
    check: bool = False
    last_checked: date


class Guarantee(_Model):
    """What every list must hold when its conditions hold (e.g. someone to talk to)."""

    id: Id
    when: When = Field(default_factory=When)
    kinds: list[Kind] = Field(default_factory=list, description="Empty: any scheme.")
    count: Annotated[int, Field(ge=1, le=3)] = 1
    prefer: list[Kind] = Field(
        default_factory=list, description="When filling, schemes of these kinds first."
    )
    because: Annotated[str, Field(min_length=1)]


class Display(_Model):
    """How suggestions read on a phone: one block per scheme."""

    limit: Annotated[int, Field(ge=1, le=5)] = 3
    title: str = Field(description="{number}, {name}")
    caveat: str = Field(description="{caveat}")
    reach: str = Field(description="{reach}, {site} (the link without https://)")
    max_characters: Annotated[int, Field(ge=100)] = 320


class Catalogue(_Model):
    """The schemes file."""

    version: int
    display: Display
    guarantees: list[Guarantee] = Field(default_factory=list)
    schemes: list[Scheme]

    def scheme(self, scheme_id: str) -> Scheme | None:
        """The scheme with this id, if any."""
        return next((s for s in self.schemes if s.id == scheme_id), None)

    def names(self) -> dict[str, str]:
        """Scheme names by id (relays and coordinators read names, not ids)."""
        return {s.id: s.name for s in self.schemes}


def _twice(ids: list[str]) -> list[str]:
    return sorted({i for i in ids if ids.count(i) > 1})


def load_catalogue(path: Path) -> Catalogue:
    """Read and check the schemes catalogue."""
    catalogue = load_model(Catalogue, path)
    schemes = catalogue.schemes
    problems = [f"scheme « {i} » appears twice" for i in _twice([s.id for s in schemes])]
    rules = [r.id for s in schemes for r in s.rules] + [g.id for g in catalogue.guarantees]
    problems += [f"rule « {i} » appears twice" for i in _twice(rules)]
    blocks = [(s.id, s.for_) for s in schemes]
    blocks += [(f"{s.id}.{r.id}", r.when) for s in schemes for r in s.rules]
    blocks += [(g.id, g.when) for g in catalogue.guarantees]
    for where, when in blocks:
        if when.territory is not None:
            unknown = unknown_regions(when.territory)
            problems += [f"{where}: unknown region « {r} »" for r in unknown]
    if problems:
        raise ReferenceDataError("\n".join(f"{path.name}: {p}" for p in problems))
    return catalogue
