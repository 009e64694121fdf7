"""Coordinators' conversation tests (``flows/tests/*.yml``): the model and how to read them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.engine.yamlfiles import FlowError, Problem, load_yaml_model
from bot.flowtools.locate import Locator

TESTS = "tests"
Value = str | int | float | bool | list[str] | None
Texts = str | list[str]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expect(_Model):
    """What the bot must have done after one turn (every field is optional)."""

    says: Texts | None = Field(default=None, description="Said, in this turn's messages.")
    not_says: Texts | None = Field(default=None, description="Not said in this turn.")
    asks: str | None = Field(default=None, description="The step the bot now waits on.")
    buttons: list[str] | None = Field(default=None, description="Buttons offered.")
    slots: dict[str, Value] | None = Field(default=None, description="Answers kept (null: none).")
    lead: bool | dict[str, Any] | None = Field(
        default=None, description="A lead exists (true), none (false), or has these fields."
    )
    ends: bool | None = Field(default=None, description="The conversation is over.")
    forgotten: bool | None = Field(default=None, description="Nothing is kept about it.")


class Turn(_Model):
    """One thing the resident does: write, press a button, or open the conversation."""

    say: str | None = None
    press: str | None = None
    start: bool | str | None = Field(default=None, description="true, or where they came from.")
    expect: Expect | None = None

    @model_validator(mode="after")
    def _one_action(self) -> Turn:
        if sum(x is not None for x in (self.say, self.press, self.start)) != 1:
            raise ValueError("chaque ligne fait une seule chose : « say », « press » ou « start »")
        return self


class Scenario(_Model):
    """One test: a name and the turns of a conversation."""

    name: Annotated[str, Field(min_length=1)]
    turns: Annotated[list[Turn], Field(min_length=1)]


class ScenarioFile(_Model):
    """A file of ``flows/tests/``."""

    tests: Annotated[list[Scenario], Field(min_length=1)]


@dataclass(frozen=True, slots=True)
class LocatedTurn:
    """A turn with the line it is written on."""

    turn: Turn
    line: int | None


@dataclass(frozen=True, slots=True)
class LoadedScenario:
    """A test ready to run, with its file and lines."""

    file: str
    name: str
    line: int | None
    turns: tuple[LocatedTurn, ...]

    @property
    def id(self) -> str:
        """A short stable name (for pytest)."""
        return f"{self.file}:{self.line}"


def load_scenarios(folder: Path) -> list[LoadedScenario]:
    """Every test of ``folder/tests/*.yml``; raises :class:`FlowError` listing all problems."""
    found: list[LoadedScenario] = []
    problems: list[Problem] = []
    names: dict[str, str] = {}
    for path in sorted((folder / TESTS).glob("*.yml")):
        name = f"{TESTS}/{path.name}"
        try:
            model, document = load_yaml_model(ScenarioFile, path, name)
        except FlowError as exc:
            problems.extend(exc.problems)
            continue
        locate = Locator(name, document)
        for i, scenario in enumerate(model.tests):
            line = locate.line("tests", i)
            if scenario.name in names:
                problems.append(
                    Problem(name, line, f"le nom « {scenario.name} » est déjà pris : change-le")
                )
            names[scenario.name] = name
            turns = tuple(
                LocatedTurn(turn, locate.line("tests", i, "turns", j))
                for j, turn in enumerate(scenario.turns)
            )
            found.append(LoadedScenario(name, scenario.name, line, turns))
    if problems:
        raise FlowError(problems)
    return found
