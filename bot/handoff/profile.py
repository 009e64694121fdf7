"""A resident's profile for orientation, and the conditions coordinators write on it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.handoff.regions import REGION_OF, REGIONS

Stage = Literal["idea", "creating", "testing", "young", "established"]
STAGES: tuple[str, ...] = ("idea", "creating", "testing", "young", "established")
COMPANY_STAGES = frozenset({"young", "established"})

# Each condition of a rule, and the intake slot whose answers it tests.
SLOT_OF: dict[str, str] = {
    "stages": "stage",
    "needs": "needs",
    "growth": "growth_needs",
    "sectors": "sector",
    "situations": "situation",
    "ages": "age_band",
    "company_age": "company_age",
    "headcount": "headcount",
    "turnover": "turnover",
    "maturity": "maturity",
}
# Conditions that make a suggestion specific to the person (ranked first).
SPECIFIC = ("sectors", "territory", "situations", "ages", "maturity")
# Conditions on the person's needs or plans: each one met adds to a rule's score.
WANTS = ("needs", "growth")
# Values a person may give that say nothing about them ("je préfère ne pas dire").
NOT_SAID = frozenset({"skip", "undisclosed"})

Code = Annotated[str, Field(pattern=r"^[0-9AB]{5}$")]
Department = Annotated[str, Field(pattern=r"^[0-9AB]{2,3}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Territory(_Model):
    """Where a scheme works; empty everywhere means all of France."""

    regions: list[str] = Field(default_factory=list, description="e.g. hauts_de_france")
    departments: list[Department] = Field(default_factory=list)
    communes: list[Code] = Field(default_factory=list, description="INSEE or postal codes")

    @property
    def national(self) -> bool:
        return not (self.regions or self.departments or self.communes)


class When(_Model):
    """Conditions on a profile: every condition written must hold (any of its values)."""

    stages: list[Stage] = Field(default_factory=list)
    needs: list[str] = Field(default_factory=list)
    growth: list[str] = Field(default_factory=list)
    sectors: list[str] = Field(default_factory=list)
    situations: list[str] = Field(default_factory=list)
    ages: list[str] = Field(default_factory=list)
    company_age: list[str] = Field(default_factory=list)
    headcount: list[str] = Field(default_factory=list)
    turnover: list[str] = Field(default_factory=list)
    maturity: list[str] = Field(default_factory=list)
    territory: Territory | None = None

    def written(self) -> list[str]:
        """The conditions this block sets, in the file's words."""
        found = [name for name in SLOT_OF if getattr(self, name)]
        if self.territory is not None and not self.territory.national:
            found.append("territory")
        return found


@dataclass(frozen=True, slots=True)
class Profile:
    """What orientation knows of a person: their answers, their place, their company."""

    stage: str | None = None
    needs: frozenset[str] = frozenset()
    growth: frozenset[str] = frozenset()
    sector: str | None = None
    situation: str | None = None
    age: str | None = None
    company_age: str | None = None
    headcount: str | None = None
    turnover: str | None = None
    maturity: str | None = None
    postal_code: str | None = None
    insee: str | None = None
    department: str | None = None

    @classmethod
    def from_slots(cls, slots: Mapping[str, object]) -> Profile:
        """A profile from a conversation's answers (or a lead's fields)."""

        def one(name: str) -> str | None:
            value = slots.get(name)
            return value if isinstance(value, str) and value not in NOT_SAID else None

        def many(name: str) -> frozenset[str]:
            value = slots.get(name)
            if isinstance(value, list):
                return frozenset(v for v in value if isinstance(v, str))
            return frozenset()

        return cls(
            stage=one("stage"),
            needs=many("needs"),
            growth=many("growth_needs"),
            sector=one("sector"),
            situation=one("situation"),
            age=one("age_band"),
            company_age=one("company_age"),
            headcount=one("headcount"),
            turnover=one("turnover"),
            maturity=one("maturity"),
            postal_code=one("postal_code"),
            insee=one("insee"),
            department=one("department"),
        )


_ATTRIBUTE = {
    "stages": "stage",
    "sectors": "sector",
    "situations": "situation",
    "ages": "age",
    "company_age": "company_age",
    "headcount": "headcount",
    "turnover": "turnover",
    "maturity": "maturity",
}


def answers(profile: Profile, condition: str) -> frozenset[str]:
    """The person's answers a condition is tested against."""
    if condition == "needs":
        return profile.needs
    if condition == "growth":
        return profile.growth
    value = getattr(profile, _ATTRIBUTE[condition])
    return frozenset() if value is None else frozenset({value})


def in_territory(territory: Territory, profile: Profile) -> int:
    """How precisely ``profile``'s place lies in ``territory``: 3 commune, 2 department,
    1 region, 0 everywhere (national), -1 outside or unknown."""
    if territory.national:
        return 0
    codes = {profile.insee, profile.postal_code} - {None}
    if codes & set(territory.communes):
        return 3
    if profile.department and profile.department in territory.departments:
        return 2
    region = REGION_OF.get(profile.department or "")
    if region is not None and region in territory.regions:
        return 1
    return -1


def unmet(when: When, profile: Profile) -> str | None:
    """The first condition of ``when`` that ``profile`` does not meet, or ``None``."""
    for condition in SLOT_OF:
        wanted = getattr(when, condition)
        if wanted and not set(wanted) & answers(profile, condition):
            return condition
    if when.territory is not None and in_territory(when.territory, profile) < 0:
        return "territory"
    return None


def met_wants(when: When, profile: Profile) -> int:
    """How many of the person's needs and plans ``when`` names."""
    return sum(len(set(getattr(when, c)) & answers(profile, c)) for c in WANTS)


def unknown_regions(territory: Territory) -> list[str]:
    """Region names a territory uses that do not exist."""
    return [r for r in territory.regions if r not in REGIONS]
