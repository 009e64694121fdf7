"""The reference data read together (schemes, relays, maturity), at start-up and on reload."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.handoff.catalogue import Catalogue, load_catalogue
from bot.handoff.maturity import MaturityRules, load_maturity
from bot.handoff.reference import Relays, load_relays

SCHEMES, RELAYS, MATURITY = "schemes.yml", "relays.yml", "maturity.yml"
FILES = (SCHEMES, RELAYS, MATURITY)
WATCHED = (SCHEMES, MATURITY)  # relays.yml only seeds the directory (the database's)


@dataclass(frozen=True, slots=True)
class Reference:
    """One version of the reference data of ``data/``."""

    catalogue: Catalogue
    relays: Relays
    maturity: MaturityRules

    def labels(self) -> dict[tuple[str, str], str]:
        """How ids read to people: scheme names, maturity levels."""
        found = {("schemes", s.id): s.name for s in self.catalogue.schemes}
        found.update({("maturity", lv.id): lv.label for lv in self.maturity.levels})
        return found


def load_reference(
    data_dir: Path, *, allow_local_webhooks: bool = False, relays: Relays | None = None
) -> Reference:
    """Read and check the three files (raises ``ReferenceDataError`` naming the file).

    ``allow_local_webhooks``: relays' webhooks may name local addresses (tests, development).
    ``relays``: the directory in force (the database's), instead of ``relays.yml``.
    """
    return Reference(
        load_catalogue(data_dir / SCHEMES),
        relays or load_relays(data_dir / RELAYS, allow_local_webhooks=allow_local_webhooks),
        load_maturity(data_dir / MATURITY),
    )
