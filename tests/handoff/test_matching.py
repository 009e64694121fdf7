"""Relays are matched by place, stage, needs, maturity and load."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.app.settings import PROJECT
from bot.handoff.datafiles import load_reference
from bot.handoff.matching import rank_relays, wants_growth

REFERENCE = load_reference(PROJECT / "data")
RELAYS = REFERENCE.relays


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
        needs=["croissance"], growth=wants_growth("established", None),
    )  # fmt: skip
    assert ranked[0].id == "accelerateur_toulouse"


@pytest.mark.parametrize(
    ("postal_code", "insee", "department"),
    [("69120", "69256", "69"), ("59100", "59512", "59"), ("93200", "93066", "93"),
     ("75019", "75119", "75"), ("31100", "31555", "31")],
)  # fmt: skip
def test_every_pilot_territory_has_a_local_growth_relay_for_companies_and_pepites(
    postal_code: str, insee: str, department: str
) -> None:
    for stage, growth in (("established", True), ("young", True)):
        ranked = rank_relays(
            RELAYS, postal_code=postal_code, insee=insee, department=department, stage=stage,
            needs=["croissance"], growth=growth,
        )  # fmt: skip
        assert not ranked[0].coverage.national
        assert "croissance" in ranked[0].needs


def test_a_young_company_that_is_not_a_pepite_stays_with_its_local_relay() -> None:
    ranked = rank_relays(
        RELAYS, postal_code="69120", insee="69256", department="69", stage="young",
        needs=["croissance"],
    )  # fmt: skip
    assert ranked[0].id == "citeslab_vaulx"


def test_when_every_relay_is_full_the_flow_hears_that_nobody_is_free() -> None:
    from bot.engine.actions import make_actions
    from bot.handoff.matching import RelayLoads

    full = RelayLoads({r.id: r.capacity for r in RELAYS.relays})
    match = make_actions(REFERENCE, full)["match_relay"]
    slots = {"postal_code": "69120", "insee": "69256", "department": "69", "stage": "idea"}
    outcome = match(slots, {}, datetime.now(UTC))
    assert outcome.slots["relay_id"] is None
    free = make_actions(REFERENCE)["match_relay"]
    assert free(slots, {}, datetime.now(UTC)).slots["relay_id"] == "citeslab_vaulx"
