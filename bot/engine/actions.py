"""Built-in actions a flow can call by name (``action: match_relay``), all pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from bot.domain.text import fold
from bot.engine.state import CaseRequest, CreateLead, Effect, SlotValue
from bot.handoff.calendar import add_working_hours
from bot.handoff.catalogue import Catalogue, Scheme
from bot.handoff.datafiles import Reference
from bot.handoff.matching import RelayLoads, rank_relays, wants_growth
from bot.handoff.maturity import assess
from bot.handoff.orientation import Pick, orient
from bot.handoff.profile import COMPANY_STAGES, Profile
from bot.handoff.suggestions import render_suggestions


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an action changes: slots, extra messages, effects."""

    slots: Mapping[str, SlotValue] = field(default_factory=dict)
    say: tuple[str, ...] = ()
    effects: tuple[Effect, ...] = ()


RELAY_SLOTS = (
    "relay_id",
    "relay_name",
    "relay_structure",
    "relay_town",
    "relay_email",
    "relay_local",
)

Action = Callable[[Mapping[str, SlotValue], Mapping[str, Any], datetime], Outcome]
"""A built-in action: (slots, the step's args, when the message came) -> outcome."""


def _text(slots: Mapping[str, SlotValue], name: str) -> str | None:
    value = slots.get(name)
    return value if isinstance(value, str) else None


def _needs(slots: Mapping[str, SlotValue]) -> list[str]:
    needs = slots.get("needs")
    return [n for n in needs if isinstance(n, str)] if isinstance(needs, list) else []


YES, NO = "yes", "no"


def make_actions(
    reference: Reference,
    loads: RelayLoads | None = None,
    accept_within_hours: float = 16,
) -> dict[str, Action]:
    """The registry of actions available to flows, over one version of ``data/``.

    ``loads`` is a snapshot of open cases per relay, so a full relay is skipped;
    ``accept_within_hours`` (working hours) is how long a relay has to take a case.
    """
    loads = loads or RelayLoads()
    catalogue, relays = reference.catalogue, reference.relays
    # The situations some rule tests: only they can change what a person is shown.
    situations = sorted(
        {v for s in catalogue.schemes for w in (s.for_, *(r.when for r in s.rules))
         for v in w.situations}
    )  # fmt: skip

    @lru_cache(maxsize=4096)  # pure, and many people share a profile
    def shown_for(profile: Profile, limit: int | None = None) -> tuple[Pick, ...]:
        return tuple(orient(catalogue, profile, limit).shown)

    def match_relay(
        slots: Mapping[str, SlotValue], args: Mapping[str, Any], now: datetime
    ) -> Outcome:
        ranked = rank_relays(
            relays,
            postal_code=_text(slots, "postal_code"),
            insee=_text(slots, "insee"),
            department=_text(slots, "department"),
            stage=_text(slots, "stage"),
            needs=_needs(slots),
            load=loads.current,
            growth=wants_growth(_text(slots, "stage"), _text(slots, "maturity")),
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
                # "no": nobody covers the place; the national team is offered instead.
                "relay_local": "no" if relay.coverage.national else "yes",
            }
        )

    def suggest(slots: Mapping[str, SlotValue], args: Mapping[str, Any], now: datetime) -> Outcome:
        limit = int(args.get("limit", catalogue.display.limit))
        shown = shown_for(Profile.from_slots(slots), limit)
        return Outcome(
            {
                "schemes": [p.scheme.id for p in shown],
                "schemes_text": render_suggestions(catalogue.display, shown),
            }
        )

    def situation_matters(
        slots: Mapping[str, SlotValue], args: Mapping[str, Any], now: datetime
    ) -> Outcome:
        # Asked only where the answer changes what the person is shown. While the stage or
        # the needs are not known yet, it may: counted ahead, a question may disappear,
        # never appear ("Question N sur M" never grows).
        profile = replace(Profile.from_slots(slots), situation=None)
        wants = "growth_needs" if profile.stage in COMPANY_STAGES else "needs"
        if profile.stage is None or wants not in slots:
            return Outcome({"situation_matters": YES})

        def ids(profile: Profile) -> list[str]:
            return [pick.scheme.id for pick in shown_for(profile)]

        plain = ids(profile)
        changes = any(ids(replace(profile, situation=s)) != plain for s in situations)
        return Outcome({"situation_matters": YES if changes else NO})

    def assess_maturity(
        slots: Mapping[str, SlotValue], args: Mapping[str, Any], now: datetime
    ) -> Outcome:
        found = assess(reference.maturity, Profile.from_slots(slots))
        reasons: SlotValue = list(found.reasons) if found.level else None
        return Outcome({"maturity": found.level, "maturity_reasons": reasons})

    def create_lead(
        slots: Mapping[str, SlotValue], args: Mapping[str, Any], now: datetime
    ) -> Outcome:
        # The flow may say anything: without consent to keep the contact, no lead.
        if slots.get("consent_contact") != "yes":
            return Outcome()
        status = str(args.get("status", "new"))
        made: dict[str, SlotValue] = {"lead_status": status}
        if status == "new" and slots.get("consent_relay") == "yes":
            # When the relay must answer by (texts read it as "mardi 2 décembre").
            made["handoff_due"] = add_working_hours(now, accept_within_hours).isoformat()
        return Outcome(made, effects=(CreateLead({**slots, **made}),))

    def pass_case_on(
        slots: Mapping[str, SlotValue], args: Mapping[str, Any], now: datetime
    ) -> Outcome:
        # Nobody got in touch: the case goes to the next relay (or the coordinator).
        return Outcome(effects=(CaseRequest("pass_on"),))

    def ask_for_help(
        slots: Mapping[str, SlotValue], args: Mapping[str, Any], now: datetime
    ) -> Outcome:
        # The person needs a hand: the coordinator is asked to step in.
        return Outcome(effects=(CaseRequest("help"),))

    return {
        "match_relay": match_relay,
        "suggest_schemes": suggest,
        "situation_matters": situation_matters,
        "assess_maturity": assess_maturity,
        "create_lead": create_lead,
        "pass_case_on": pass_case_on,
        "ask_for_help": ask_for_help,
    }


def _scheme_named(catalogue: Catalogue, text: str) -> Scheme | None:
    """The scheme a question names ("c'est quoi l'adie ?"), by its name or an alias."""
    folded = f" {fold(text)} "
    best: tuple[int, Scheme] | None = None
    for scheme in catalogue.schemes:
        for name in (scheme.name, *scheme.aliases):
            key = fold(name)
            if not key:
                continue
            if f" {key} " in folded or f"l'{key} " in folded:
                score = 100 + len(key)
            else:
                score = int(fuzz.partial_ratio(key, folded)) if len(key) >= 5 else 0
                score = score if score >= 90 else 0
            if score and (best is None or score > best[0]):
                best = (score, scheme)
    return best[1] if best else None


def make_faq_values(catalogue: Catalogue) -> Callable[[str], Mapping[str, str]]:
    """What FAQ answers may quote: the scheme a question names, and the money amounts."""
    amounts = "\n".join(f"• {s.name} : {s.amount}" for s in catalogue.schemes if s.amount)

    def values(text: str) -> Mapping[str, str]:
        found: dict[str, str] = {"amounts": amounts}
        scheme = _scheme_named(catalogue, text)
        if scheme is not None:
            found.update(
                scheme_name=scheme.name,
                scheme_offer=scheme.offer,
                scheme_caveat=scheme.caveat,
                scheme_link=scheme.link,
            )
        return found

    return values
