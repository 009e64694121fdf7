"""Pick the relay and the schemes that fit a resident's place, stage and needs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.handoff.reference import Catalogue, Relay, Relays, Scheme


@dataclass
class RelayLoads:
    """Open cases per relay, kept current by the hand-off service (read when matching)."""

    current: dict[str, int] = field(default_factory=dict)


# How well a relay's coverage fits a place: the most precise match wins.
_EXACT, _COMMUNE, _DEPARTMENT, _NATIONAL = 3, 2, 1, 0


def _coverage(relay: Relay, postal_code: str | None, insee: str | None, dept: str | None) -> int:
    cov = relay.coverage
    if postal_code and postal_code in cov.postal_codes:
        return _EXACT
    if insee and insee in cov.insee:
        return _COMMUNE
    if dept and dept in cov.departments:
        return _DEPARTMENT
    return _NATIONAL if cov.national else -1


def rank_relays(
    relays: Relays,
    *,
    postal_code: str | None,
    insee: str | None,
    department: str | None,
    stage: str | None,
    needs: Sequence[str] = (),
    load: Mapping[str, int] | None = None,
) -> list[Relay]:
    """Relays able to take the case, best first; the national fallback comes last.

    Local relays come before the national one; among them, an established company's
    case (a development case) goes first to relays working on growth; then the closest
    coverage, the needs they take, and their spare capacity decide.
    """
    load = load or {}
    scored: list[tuple[int, int, int, int, int, int, Relay]] = []
    for relay in relays.relays:
        place = _coverage(relay, postal_code, insee, department)
        if place < 0 or load.get(relay.id, 0) >= relay.capacity:
            continue
        if stage and stage not in relay.stages and not relay.coverage.national:
            continue
        shared = len(set(needs) & set(relay.needs))
        spare = relay.capacity - load.get(relay.id, 0)
        development = int(stage == "established" and "croissance" in relay.needs)
        local = int(place > _NATIONAL)
        scored.append((local, development, place, shared, spare, -len(scored), relay))
    scored.sort(key=lambda item: item[:6], reverse=True)
    return [item[-1] for item in scored]


def suggest_schemes(
    catalogue: Catalogue,
    *,
    stage: str | None,
    needs: Sequence[str],
    sector: str | None = None,
    limit: int = 3,
) -> list[Scheme]:
    """Up to ``limit`` schemes for the stage, those meeting most needs first."""
    wanted = set(needs)
    ranked: list[tuple[int, int, int, Scheme]] = []
    for order, scheme in enumerate(catalogue.schemes):
        if stage and stage not in scheme.stages:
            continue
        if scheme.sectors and sector not in scheme.sectors:
            continue
        overlap = len(wanted & set(scheme.needs))
        if wanted and not overlap:
            continue
        # A scheme made for the person's very sector beats a general one.
        ranked.append((overlap, int(bool(scheme.sectors)), -order, scheme))
    ranked.sort(key=lambda item: item[:3], reverse=True)
    return [item[3] for item in ranked[:limit]]
