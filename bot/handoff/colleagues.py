"""Whom a relay may hand a case over to: colleagues covering the resident first, then the rest."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.handoff.matching import rank_relays, wants_growth
from bot.handoff.reference import Relay, Relays


def colleagues(
    directory: Relays,
    lead: Mapping[str, Any],
    loads: Mapping[str, int],
    *,
    holder: str,
    reachable: Callable[[Relay], bool],
) -> tuple[list[Relay], list[Relay]]:
    """``(suited, others)``: relays with room who cover the resident's place and stage,
    best first; then every other relay we can reach, by name. Never ``holder``."""
    details = lead.get("details") or {}
    suited = [
        relay
        for relay in rank_relays(
            directory,
            postal_code=lead.get("postal_code"),
            insee=details.get("insee"),
            department=details.get("department"),
            stage=lead.get("stage"),
            needs=lead.get("needs") or [],
            load=loads,
            growth=wants_growth(lead.get("stage"), details.get("maturity")),
        )
        if relay.id != holder and reachable(relay)
    ]
    taken = {relay.id for relay in suited} | {holder}
    others = sorted(
        (r for r in directory.relays if r.id not in taken and reachable(r)),
        key=lambda r: (r.display_name.lower(), r.structure.lower()),
    )
    return suited, others
