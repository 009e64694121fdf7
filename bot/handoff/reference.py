"""Load and validate the reference data of ``data/``: the relays, and the shared loader."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.handoff.profile import Stage
from bot.security.addresses import UnsafeURLError, check_url

Need = Literal[
    "voir_clair",
    "formation",
    "argent",
    "statut",
    "local",
    "clients",
    "reseau",
    "tester",
    "revenus",
    "croissance",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RelayContact(_Model):
    """How a relay is reached."""

    telegram_chat_id: int | str | None = None
    email: str | None = None
    webhook_url: str | None = None


class Coverage(_Model):
    """Where a relay works."""

    postal_codes: list[Annotated[str, Field(pattern=r"^\d{5}$")]] = Field(default_factory=list)
    insee: list[Annotated[str, Field(pattern=r"^[0-9AB]{5}$")]] = Field(default_factory=list)
    departments: list[Annotated[str, Field(pattern=r"^[0-9AB]{2,3}$")]] = Field(
        default_factory=list
    )
    national: bool = False


class Relay(_Model):
    """A real person in a local structure who takes cases."""

    id: str
    structure: str
    display_name: str
    town: str
    demo: bool = False
    contact: RelayContact
    coverage: Coverage
    stages: list[Stage]
    needs: list[Need]
    languages: list[str]
    capacity: Annotated[int, Field(ge=0)]
    absent_until: date | None = None  # away through this day: no new case until the next

    def absent(self, today: date) -> bool:
        """Away on ``today`` (a day at or before ``absent_until``): takes no new case."""
        return self.absent_until is not None and today <= self.absent_until


class Relays(_Model):
    """The relays file."""

    version: int
    demo: bool = False
    relays: list[Relay]


class ReferenceDataError(Exception):
    """A reference data file is wrong; the message names the file and the field."""


M = TypeVar("M", bound=BaseModel)


def load_model(model: type[M], path: Path) -> M:
    """Read ``path`` as ``model``; errors name the file and the field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return model.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise ReferenceDataError(f"{path.name}: cannot read ({exc})") from exc
    except ValidationError as exc:
        lines = [f"{path.name}: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise ReferenceDataError("\n".join(lines)) from exc


def load_relays(path: Path, *, allow_local_webhooks: bool = False) -> Relays:
    """Read and check the relays directory (one national fallback is required).

    A relay's ``webhook_url`` must be https and not name a private or local address
    (``allow_local_webhooks``: tests and local development only); the address it
    resolves to is checked again at each send.
    """
    relays = load_model(Relays, path)
    problems = check_relays(relays.relays, allow_local_webhooks=allow_local_webhooks)
    if problems:
        raise ReferenceDataError("\n".join(f"{path.name}: {p.english}" for p in problems))
    return relays


@dataclass(frozen=True, slots=True)
class Problem:
    """A rule of the directory that a version breaks: in English (files, logs) and in
    French (the coordinators' web form), with the form field it concerns."""

    english: str
    french: str
    field: str = ""


def check_relays(relays: Sequence[Relay], *, allow_local_webhooks: bool = False) -> list[Problem]:
    """What is wrong with a version of the directory (``[]``: it may serve).

    The rules of ``data/relays.yml`` and of the web form alike: https webhooks to public
    addresses, unique ids, at least one national fallback relay.
    """
    problems: list[Problem] = []
    for relay in relays:
        if relay.contact.webhook_url is not None:
            try:
                check_url(relay.contact.webhook_url, allow_local=allow_local_webhooks)
            except UnsafeURLError as exc:
                problems.append(
                    Problem(
                        f"{relay.id}: webhook_url: {exc}",
                        "L'adresse du webhook doit commencer par https:// et viser un "
                        "serveur public.",
                        "webhook_url",
                    )
                )
    ids = [r.id for r in relays]
    if len(ids) != len(set(ids)):
        problems.append(
            Problem(
                "duplicate relay ids", "Cet identifiant est déjà pris par un autre relais.", "id"
            )
        )
    if not any(r.coverage.national for r in relays):
        problems.append(
            Problem(
                "no national fallback relay (coverage.national)",
                "Il faut au moins un relais national, qui reçoit les dossiers qu'aucun relais "
                "local ne peut prendre.",
                "national",
            )
        )
    return problems
