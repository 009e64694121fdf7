"""Built-in actions a flow can call by name (``action: match_relay``), all pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.engine.state import CreateLead, Effect, SlotValue
from bot.handoff.matching import RelayLoads, rank_relays, suggest_schemes
from bot.handoff.reference import Catalogue, Relays


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an action changes: slots, extra messages, effects."""

    slots: Mapping[str, SlotValue] = field(default_factory=dict)
    say: tuple[str, ...] = ()
    effects: tuple[Effect, ...] = ()


RELAY_SLOTS = ("relay_id", "relay_name", "relay_structure", "relay_town", "relay_email")

Action = Callable[[Mapping[str, SlotValue], Mapping[str, Any]], Outcome]


def _text(slots: Mapping[str, SlotValue], name: str) -> str | None:
    value = slots.get(name)
    return value if isinstance(value, str) else None


def _needs(slots: Mapping[str, SlotValue]) -> list[str]:
    needs = slots.get("needs")
    return [n for n in needs if isinstance(n, str)] if isinstance(needs, list) else []


def make_actions(
    catalogue: Catalogue, relays: Relays, loads: RelayLoads | None = None
) -> dict[str, Action]:
    """The registry of actions available to flows.

    ``loads`` is a snapshot of open cases per relay, so a full relay is skipped.
    """
    loads = loads or RelayLoads()

    def match_relay(slots: Mapping[str, SlotValue], args: Mapping[str, Any]) -> Outcome:
        ranked = rank_relays(
            relays,
            postal_code=_text(slots, "postal_code"),
            insee=_text(slots, "insee"),
            department=_text(slots, "department"),
            stage=_text(slots, "stage"),
            needs=_needs(slots),
            load=loads.current,
        )
        if not ranked:  # every relay is full: the flows branch on relay_id being empty
            return Outcome(dict.fromkeys(RELAY_SLOTS))
        relay = ranked[0]
        return Outcome(
            {
                "relay_id": relay.id,
                "relay_name": relay.display_name,
                "relay_structure": relay.structure,
                "relay_town": relay.town,
                "relay_email": relay.contact.email,
            }
        )

    def suggest(slots: Mapping[str, SlotValue], args: Mapping[str, Any]) -> Outcome:
        limit = int(args.get("limit", 3))
        schemes = suggest_schemes(
            catalogue,
            stage=_text(slots, "stage"),
            needs=_needs(slots),
            sector=_text(slots, "sector"),
            limit=limit,
        )
        lines = []
        for scheme in schemes:
            line = f"• {scheme.name} : {scheme.offer}"
            if scheme.caveat:
                line += f" ⚠️ {scheme.caveat}"
            lines.append(line)
        return Outcome({"schemes": [s.id for s in schemes], "schemes_text": "\n".join(lines)})

    def create_lead(slots: Mapping[str, SlotValue], args: Mapping[str, Any]) -> Outcome:
        # The flow may say anything: without consent to keep the contact, no lead.
        if slots.get("consent_contact") != "yes":
            return Outcome()
        status = str(args.get("status", "new"))
        return Outcome(
            {"lead_status": status}, effects=(CreateLead({**slots, "lead_status": status}),)
        )

    return {
        "match_relay": match_relay,
        "suggest_schemes": suggest,
        "create_lead": create_lead,
    }
