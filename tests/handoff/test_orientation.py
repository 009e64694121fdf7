"""Orientation on the real catalogue, measured against an adviser's table; and its rules."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.app.settings import PROJECT
from bot.geo.postal import PostalIndex
from bot.handoff.catalogue import Catalogue
from bot.handoff.datafiles import load_reference
from bot.handoff.maturity import assess
from bot.handoff.orientation import Orientation, orient
from bot.handoff.profile import COMPANY_STAGES, Profile

REFERENCE = load_reference(PROJECT / "data")
CATALOGUE = REFERENCE.catalogue
POSTAL = PostalIndex.from_csv(PROJECT / "data" / "postal_codes.csv")
TABLE: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "orientation_table.yml").read_text(encoding="utf-8")
)["profiles"]
MONEY_NEEDS = {"argent", "financement"}


def slots_of(row: dict[str, Any]) -> dict[str, Any]:
    """A table row as the intake would have kept it."""
    slots = {
        "stage": row["stage"],
        "sector": row.get("sector"),
        "situation": row.get("situation"),
        "age_band": row.get("age"),
        "company_age": row.get("company_age"),
        "headcount": row.get("headcount"),
        "turnover": row.get("turnover"),
        "growth_needs" if row["stage"] in COMPANY_STAGES else "needs": row["needs"],
    }
    if "place" in row:
        place = POSTAL.by_code(row["place"])[0]
        slots.update(postal_code=place.postal_code, insee=place.insee, department=place.department)
    return slots


def oriented(row: dict[str, Any]) -> Orientation:
    profile = Profile.from_slots(slots_of(row))
    profile = replace(profile, maturity=assess(REFERENCE.maturity, profile).level)
    return orient(CATALOGUE, profile)


def test_the_table_is_big_enough_and_names_real_schemes() -> None:
    assert len(TABLE) >= 60
    known = {s.id for s in CATALOGUE.schemes}
    named = {row["first"] for row in TABLE} | {s for row in TABLE for s in row.get("also", [])}
    assert named <= known, named - known


def test_every_profile_of_the_table_gets_a_list_holding_the_advisers_first_choice() -> None:
    results = [(row, oriented(row).ids) for row in TABLE]
    assert all(ids for _, ids in results)  # 100 %: never an empty list
    hits = [row for row, ids in results if row["first"] in ids]
    missed = [(row, ids) for row, ids in results if row["first"] not in ids]
    assert len(hits) >= 0.95 * len(TABLE), missed


@pytest.mark.parametrize("row", TABLE, ids=lambda r: f"{r['stage']}-{'+'.join(r['needs'])}")
def test_every_profile_has_someone_to_talk_to_and_a_way_to_money_when_needed(
    row: dict[str, Any],
) -> None:
    shown = oriented(row).shown
    assert 2 <= len(shown) <= CATALOGUE.display.limit
    kinds = [set(p.scheme.kinds) for p in shown]
    wanted = "growth" if row["stage"] == "established" else "person"
    assert any(wanted in k for k in kinds)
    if MONEY_NEEDS & set(row["needs"]):
        money = [p for p in shown if "money" in p.scheme.kinds]
        assert money and all(p.caveat for p in money)  # a loan says it must be repaid


def test_a_hairdresser_hears_about_the_cma_and_the_diploma_first() -> None:
    shown = oriented({"stage": "idea", "needs": ["voir_clair"], "sector": "beaute"}).shown
    assert shown[0].scheme.id == "cma"
    assert "diplôme" in shown[0].caveat and shown[0].chosen_by == "cma_beaute_diplome"


def test_a_job_seeker_hears_about_france_travail_and_the_acre() -> None:
    ids = oriented({"stage": "creating", "needs": ["argent"], "situation": "demandeur_emploi"}).ids
    assert ids[0] == "france_travail" and "acre" in ids


def test_saying_nothing_about_ones_situation_changes_nothing() -> None:
    base = {"stage": "idea", "needs": ["argent"], "sector": "restauration"}
    assert oriented(base).ids == oriented({**base, "situation": "undisclosed"}).ids


# ---------------------------------------------------------------- the rules themselves
def catalogue(**data: Any) -> Catalogue:
    """A small catalogue written for one test."""
    base = {"check": False, "last_checked": "2026-11-26", "link": "https://example.org"}
    schemes = [{**base, "kinds": ["person"], **s} for s in data.pop("schemes")]
    return Catalogue.model_validate(
        {
            "version": 2,
            "display": {"title": "{number}. {name}", "caveat": "! {caveat}", "reach": "> {reach}"},
            "schemes": schemes,
            **data,
        }
    )


def scheme(scheme_id: str, **data: Any) -> dict[str, Any]:
    rules = data.pop("rules", [{"id": f"{scheme_id}_r", "because": "T"}])
    return {"id": scheme_id, "name": scheme_id.upper(), "offer": "T-OFFER", "rules": rules, **data}


def test_a_condition_specific_to_the_person_outranks_needs_and_priorities() -> None:
    small = catalogue(
        schemes=[
            scheme("general", rules=[{"id": "g", "when": {"needs": ["argent", "local"]},
                                      "priority": 50, "because": "T"}]),
            scheme("trade", rules=[{"id": "t", "when": {"sectors": ["beaute"]}, "because": "T"}]),
        ]
    )  # fmt: skip
    profile = Profile(stage="idea", sector="beaute", needs=frozenset({"argent", "local"}))
    shown = orient(small, profile).shown
    assert [p.scheme.id for p in shown] == ["trade", "general"]
    assert shown[0].specific == ("sectors",) and shown[1].score == 70


def test_who_a_scheme_is_for_is_a_hard_condition_explained() -> None:
    small = catalogue(schemes=[scheme("paris", **{"for": {"territory": {"departments": ["75"]}}})])
    result = orient(small, Profile(stage="idea", department="59"))
    assert result.shown == [] and result.not_for[0][1] == "territory"
    assert orient(small, Profile(stage="idea", department="75")).ids == ["paris"]


def test_a_guarantee_replaces_the_weakest_suggestion_with_what_it_asks() -> None:
    small = catalogue(
        guarantees=[{"id": "money", "when": {"needs": ["argent"]}, "kinds": ["money"],
                     "because": "T"}],
        schemes=[scheme("a"), scheme("b"), scheme("c"),
                 scheme("loan", kinds=["money"], rules=[{"id": "never", "when": {"needs": ["x"]},
                                                        "because": "T"}])],
        display={"limit": 3, "title": "{name}", "caveat": "{caveat}", "reach": "{reach}"},
    )  # fmt: skip
    shown = orient(small, Profile(stage="idea", needs=frozenset({"argent"}))).shown
    assert [p.scheme.id for p in shown] == ["a", "b", "loan"]  # "c", the weakest, made room
    assert shown[-1].chosen_by == "money" and shown[-1].rule is None


def test_a_pepite_is_spotted_with_its_reasons() -> None:
    profile = Profile(
        stage="established", company_age="3_5", headcount="2_5", growth=frozenset({"embauche"})
    )
    found = assess(REFERENCE.maturity, profile)
    assert found.level == "pepite"
    assert found.reasons == ("3 ans ou plus", "2 à 5 personnes", "veut embaucher")
    assert assess(REFERENCE.maturity, Profile(stage="established", company_age="3_5")).level is None
