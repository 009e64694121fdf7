"""Relays are matched by place, stage, needs and load; schemes by stage and needs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.app.settings import PROJECT
from bot.handoff.matching import rank_relays, suggest_schemes
from bot.handoff.reference import load_catalogue, load_relays

RELAYS = load_relays(PROJECT / "data" / "relays.yml")
CATALOGUE = load_catalogue(PROJECT / "data" / "schemes.yml")


@pytest.mark.parametrize(
    ("postal_code", "insee", "department", "expected"),
    [
        ("69120", "69256", "69", "citeslab_vaulx"),
        ("59100", "59512", "59", "bge_roubaix_tourcoing"),
        ("13015", "13215", "13", "coordination_nationale"),
    ],
)
def test_a_resident_is_matched_to_the_relay_covering_their_place(
    postal_code: str, insee: str, department: str, expected: str
) -> None:
    ranked = rank_relays(
        RELAYS, postal_code=postal_code, insee=insee, department=department, stage="idea"
    )
    assert ranked[0].id == expected
    assert ranked[-1].id == "coordination_nationale"


def test_a_relay_at_full_capacity_is_skipped() -> None:
    full = {"citeslab_vaulx": next(r.capacity for r in RELAYS.relays if r.id == "citeslab_vaulx")}
    ranked = rank_relays(
        RELAYS, postal_code="69120", insee="69256", department="69", stage="idea", load=full
    )
    assert "citeslab_vaulx" not in [r.id for r in ranked]
    assert ranked[0].id == "bge_lyon"


def test_an_established_company_goes_to_development_relays() -> None:
    ranked = rank_relays(
        RELAYS, postal_code="31100", insee="31555", department="31", stage="established",
        needs=["croissance"],
    )  # fmt: skip
    assert ranked[0].id == "accelerateur_toulouse"


def test_schemes_follow_stage_and_needs_with_honest_caveats() -> None:
    funding = suggest_schemes(CATALOGUE, stage="creating", needs=["argent"])
    assert {"adie", "initiative_france"} & {s.id for s in funding}
    honour_loans = [s for s in CATALOGUE.schemes if s.id == "initiative_france"]
    assert "rembours" in (honour_loans[0].caveat + honour_loans[0].conditions)
    tech = suggest_schemes(CATALOGUE, stage="idea", needs=["formation"], sector="numerique")
    assert "french_tech_tremplin" in {s.id for s in tech}
    food = suggest_schemes(CATALOGUE, stage="idea", needs=["formation"], sector="restauration")
    assert "french_tech_tremplin" not in {s.id for s in food}


def test_when_every_relay_is_full_the_flow_hears_that_nobody_is_free() -> None:
    from bot.engine.actions import make_actions
    from bot.handoff.matching import RelayLoads

    full = RelayLoads({r.id: r.capacity for r in RELAYS.relays})
    match = make_actions(CATALOGUE, RELAYS, full)["match_relay"]
    slots = {"postal_code": "69120", "insee": "69256", "department": "69", "stage": "idea"}
    outcome = match(slots, {}, datetime.now(UTC))
    assert outcome.slots["relay_id"] is None
    free = make_actions(CATALOGUE, RELAYS)["match_relay"]
    assert free(slots, {}, datetime.now(UTC)).slots["relay_id"] == "citeslab_vaulx"
