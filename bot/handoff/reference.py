"""Load and validate the reference data of ``data/``: the relays, and the shared loader."""

from __future__ import annotations

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
    for relay in relays.relays:
        if relay.contact.webhook_url is not None:
            try:
                check_url(relay.contact.webhook_url, allow_local=allow_local_webhooks)
            except UnsafeURLError as exc:
                raise ReferenceDataError(f"{path.name}: {relay.id}: webhook_url: {exc}") from None
    ids = [r.id for r in relays.relays]
    if len(ids) != len(set(ids)):
        raise ReferenceDataError(f"{path.name}: duplicate relay ids")
    if not any(r.coverage.national for r in relays.relays):
        raise ReferenceDataError(f"{path.name}: no national fallback relay (coverage.national)")
    return relays
