"""Pick the relay that fits a resident's place, stage, needs and maturity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.handoff.calendar import PARIS
from bot.handoff.reference import Relay, Relays

GROWTH_LEVELS = frozenset({"pepite"})  # maturity levels sent to growth relays first


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


def wants_growth(stage: str | None, maturity: str | None) -> bool:
    """True for a development case: an established company, or a pépite of any age."""
    return stage == "established" or maturity in GROWTH_LEVELS


def rank_relays(
    relays: Relays,
    *,
    postal_code: str | None,
    insee: str | None,
    department: str | None,
    stage: str | None,
    needs: Sequence[str] = (),
    load: Mapping[str, int] | None = None,
    growth: bool = False,
    today: date | None = None,
) -> list[Relay]:
    """Relays able to take the case, best first; the national fallback comes last.

    Local relays come before the national one; among them, a development case
    (``growth``: see :func:`wants_growth`) goes first to relays working on growth; then
    the closest coverage, the needs they take, and their spare capacity decide. A relay
    away (``absent_until`` on or after ``today``, in Paris; default: now) takes nothing.
    """
    load = load or {}
    today = today or datetime.now(PARIS).date()
    scored: list[tuple[int, int, int, int, int, int, Relay]] = []
    for relay in relays.relays:
        place = _coverage(relay, postal_code, insee, department)
        if place < 0 or load.get(relay.id, 0) >= relay.capacity or relay.absent(today):
            continue
        if stage and stage not in relay.stages and not relay.coverage.national:
            continue
        shared = len(set(needs) & set(relay.needs))
        spare = relay.capacity - load.get(relay.id, 0)
        development = int(growth and "croissance" in relay.needs)
        local = int(place > _NATIONAL)
        scored.append((local, development, place, shared, spare, -len(scored), relay))
    scored.sort(key=lambda item: item[:6], reverse=True)
    return [item[-1] for item in scored]
