"""The small types every part of the flow schema is written with."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

INTENT_SLOT = "intent"  # read-only pseudo-slot: the intent of the message being answered


def _not_reserved(name: str) -> str:
    if name == INTENT_SLOT:
        raise ValueError("« intent » est réservé : c'est l'intention comprise dans le message")
    return name


Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]*$", max_length=40)]
SlotName = Annotated[
    str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40), AfterValidator(_not_reserved)
]
Text = Annotated[str, Field(min_length=1, max_length=1024)]
Lang = Annotated[str, Field(pattern=r"^[a-z]{2}$")]
Scalar = str | int | float | bool | None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
