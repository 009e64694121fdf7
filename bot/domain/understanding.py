"""What the NLU understood from a text, and the protocol every NLU backend follows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Entity:
    """A value found in the text: ``sector``, ``postal_code``, ``amount``..."""

    name: str
    value: str
    start: int = 0
    end: int = 0


@dataclass(frozen=True, slots=True)
class Understanding:
    """The intent (or ``None``) with its confidence, and the entities found.

    ``runner_up`` lets a caller tell a clear intent from a close call between two.
    """

    intent: str | None = None
    confidence: float = 0.0
    entities: tuple[Entity, ...] = ()
    runner_up: float = 0.0  # the confidence of the next most likely intent (0: unknown)

    def entity(self, name: str) -> str | None:
        """Return the first value of entity ``name``, if any."""
        for entity in self.entities:
            if entity.name == name:
                return entity.value
        return None


NOTHING = Understanding()


class NLU(Protocol):
    """Turns a resident's free text into an :class:`Understanding`."""

    async def parse(self, text: str) -> Understanding:
        """Understand ``text``; never raises for odd input."""
        ...
