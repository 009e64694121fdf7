"""What a typed answer means for the question asked (pure functions, no runner)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.understanding import Entity, Understanding
from bot.engine.interpret import (
    Candidates,
    Chosen,
    DontKnow,
    Meaning,
    PlaceChoice,
    Unclear,
    in_range,
    overlaps,
    place_slots,
    question_info,
    read_choice,
    read_consent,
    read_input,
)
from bot.engine.loader import FlowSet
from bot.engine.schema import ChoiceStep, InputStep, Option
from bot.geo.search import PlaceFinder
from bot.typed.numbers import Reading


def _step(flows: FlowSet, flow: str, step: str) -> Any:
    return flows.flow(flow).steps[step]


def _choice(
    flows: FlowSet,
    step_id: str,
    text: str,
    *,
    flow: str = "main",
    positions: bool = False,
    understanding: Understanding | None = None,
) -> Meaning:
    step = _step(flows, flow, step_id)
    assert isinstance(step, ChoiceStep)
    return read_choice(
        step,
        question_info(step),
        text,
        understanding or Understanding(),
        positions=positions,
        this_year=2026,
    )


def _ids(meaning: Meaning) -> list[str]:
    assert isinstance(meaning, (Chosen, Candidates)), meaning
    return [o.id for o in meaning.options]


# ---------------------------------------------------------------- choices
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("34", "adult"),
        ("j'ai 34 ans", "adult"),
        ("19", "adult"),
        ("14", "under15"),
        ("2", "under15"),  # an age, while the choices are not numbered
        ("plus de 30", "adult"),
        ("Adlt", "adult"),  # a label with a typo
        ("MAJEUR", "adult"),
        ("je sais pas", "undisclosed"),  # no kind word: the skip button
    ],
)
def test_read_choice_at_an_age_question(test_flows: FlowSet, text: str, value: str) -> None:
    meaning = _choice(test_flows, "age", text)
    assert isinstance(meaning, Chosen) and meaning.value == value


def test_the_number_that_chose_is_kept_for_the_next_question(test_flows: FlowSet) -> None:
    meaning = _choice(test_flows, "age", "j'ai 34 ans")
    assert isinstance(meaning, Chosen)
    assert meaning.number == Reading(34, 34, "34", years=True)


def test_positions_read_a_number_as_the_choice_s_rank(test_flows: FlowSet) -> None:
    meaning = _choice(test_flows, "age", "2", positions=True)
    assert isinstance(meaning, Chosen) and meaning.value == "15_17"
    assert _ids(_choice(test_flows, "age", "14", positions=True)) == ["under15"]


@pytest.mark.parametrize(
    ("text", "options"),
    [("moins de 18", ["under15", "15_17"]), ("entre 16 et 20", ["15_17", "adult"])],
)
def test_a_span_across_ranges_gives_candidates(
    test_flows: FlowSet, text: str, options: list[str]
) -> None:
    meaning = _choice(test_flows, "age", text)
    assert isinstance(meaning, Candidates) and _ids(meaning) == options


def test_a_number_outside_every_range_is_said_back(test_flows: FlowSet) -> None:
    assert _choice(test_flows, "age", "200") == Unclear("understood_other", {"said": "200"})


@pytest.mark.parametrize("text", ["bof", "bleu", "", "je mange une pomme"])
def test_what_names_no_option_is_unclear(test_flows: FlowSet, text: str) -> None:
    assert _choice(test_flows, "age", text) == Unclear()


def test_words_two_options_share_give_candidates(test_flows: FlowSet) -> None:
    meaning = _choice(test_flows, "stage", "ma boîte")
    assert isinstance(meaning, Candidates) and _ids(meaning) == ["young", "established"]


def test_words_and_a_duration_together_pick_by_the_duration(test_flows: FlowSet) -> None:
    meaning = _choice(test_flows, "stage", "ça fait 5 ans que j'ai ma boîte")
    assert isinstance(meaning, Chosen) and meaning.value == "established"
    assert meaning.number is not None and meaning.number.low == 5


def test_a_duration_alone_answers_the_options_with_ranges(test_flows: FlowSet) -> None:
    meaning = _choice(test_flows, "stage", "ça fait 1 an")
    assert isinstance(meaning, Chosen) and meaning.value == "young"


def test_dont_know_lands_on_its_option_or_is_dont_know(test_flows: FlowSet) -> None:
    meaning = _choice(test_flows, "sector", "jsp")
    assert isinstance(meaning, Chosen) and meaning.value == "unknown"
    assert _choice(test_flows, "stage", "jsp") == DontKnow()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("argent et local", ["argent", "local"]),
        ("de l'argnt", ["argent"]),  # one typo in a long word
        ("pas de local, juste des sous", ["argent"]),
        ("je sais pas", ["unknown"]),
        ("jsp par où commencer, un local", ["local"]),  # a need said after the doubt
    ],
)
def test_read_choice_at_a_multiple_choice(test_flows: FlowSet, text: str, value: list[str]) -> None:
    meaning = _choice(test_flows, "needs", text)
    assert isinstance(meaning, Chosen) and meaning.value == value


def test_numbers_pick_several_choices_once_numbered(test_flows: FlowSet) -> None:
    meaning = _choice(test_flows, "needs", "1 et 2", positions=True)
    assert isinstance(meaning, Chosen) and meaning.value == ["argent", "local"]


def test_a_negated_need_is_not_picked(test_flows: FlowSet) -> None:
    assert _choice(test_flows, "needs", "pas de local") == Unclear()


def test_an_entity_of_the_question_chooses(test_flows: FlowSet) -> None:
    found = Understanding(None, 0.0, (Entity("sector", "beaute"),))
    meaning = _choice(test_flows, "sector", "je fais des ongles", understanding=found)
    assert isinstance(meaning, Chosen) and meaning.value == "beaute"


@pytest.mark.parametrize(("text", "value"), [("non", "nothing"), ("non merci", "nothing")])
def test_a_yes_or_no_lands_on_the_option_that_means_it(
    test_flows: FlowSet, text: str, value: str
) -> None:
    meaning = _choice(test_flows, "menu", text, flow="after")
    assert isinstance(meaning, Chosen) and meaning.value == value


# ---------------------------------------------------------------- consents
@pytest.mark.parametrize(
    ("text", "granted"),
    [
        ("oui", True),
        ("Oui d'accord", True),
        ("ok", True),
        ("non", False),
        ("non merci", False),
        ("pas d'accord", False),
        ("absolument pas", False),
        ("bof", None),
        ("c bon", None),
        ("👍", None),
        ("je sais pas trop", None),
        ("oui si tu veux", None),
    ],
)
def test_read_consent_needs_a_clear_answer(text: str, granted: bool | None) -> None:
    assert read_consent(text) is granted


# ---------------------------------------------------------------- typed in
def _input(step: dict[str, Any], text: str, finder: PlaceFinder) -> Meaning:
    model = InputStep.model_validate({"ask": "Q ?", "slot": "answer", **step})
    return read_input(model, question_info(model), text, finder, this_year=2026)


@pytest.mark.parametrize(
    ("step", "text", "meaning"),
    [
        ({"expect": "text"}, "une appli", Chosen("une appli")),
        ({"expect": "text"}, "...", Unclear("invalid_text_empty")),
        (
            {"expect": "text", "max_length": 5},
            "trop long",
            Unclear("invalid_text_long", {"max": "5"}),
        ),
        ({"expect": "number"}, "on est 4 plus moi", Chosen(5)),
        ({"expect": "number"}, "trois", Chosen(3)),
        ({"expect": "number"}, "la trentaine", Unclear("invalid_number")),  # not one number
        ({"expect": "number", "min": 1}, "0", Unclear("invalid_number_min", {"min": "1"})),
        ({"expect": "number", "max": 10}, "12", Unclear("invalid_number_max", {"max": "10"})),
        ({"expect": "number"}, "beaucoup", Unclear("invalid_number")),
        ({"expect": "yes_no"}, "ouais", Chosen(True)),
        ({"expect": "yes_no"}, "nan", Chosen(False)),
        ({"expect": "yes_no"}, "bof", Unclear("invalid_yes_no")),
        ({"expect": "phone"}, "06 12 34 56 78", Chosen("+33612345678")),
        ({"expect": "phone"}, "0612", Unclear("invalid_phone")),
        ({"expect": "postal_code"}, "Roubaix", Unclear("invalid_postal_code")),
        ({"expect": "postal_code"}, "99999", Unclear("unknown_postal_code")),
        ({"expect": "location"}, "Zorglub", Unclear("unknown_commune", {"said": "zorglub"})),
        ({"expect": "location"}, "je sais pas", DontKnow()),
        ({"expect": "location", "dont_know": "T."}, "je sais pas", DontKnow()),
    ],
)
def test_read_input(step: dict[str, Any], text: str, meaning: Meaning, finder: PlaceFinder) -> None:
    assert _input(step, text, finder) == meaning


def test_a_place_fills_its_slot_and_the_other_place_slots(finder: PlaceFinder) -> None:
    meaning = _input({"expect": "location", "slot": "postal_code"}, "lyon 8", finder)
    assert meaning == Chosen(
        "69008", extra={"commune": "Lyon 8e Arrondissement", "insee": "69388", "department": "69"}
    )


def test_a_place_several_communes_share_is_a_choice(finder: PlaceFinder) -> None:
    meaning = _input({"expect": "location"}, "saint denis", finder)
    assert isinstance(meaning, PlaceChoice)
    assert [p.postal_code for p in meaning.places] == ["11310", "30500", "93200", "97400"]


def test_place_slots_names_the_commune() -> None:
    from bot.geo.postal import Place

    assert place_slots(Place("97400", "97411", "Saint-Denis")) == {
        "postal_code": "97400",
        "commune": "Saint-Denis",
        "insee": "97411",
        "department": "974",
    }


def test_an_option_of_a_typed_question_is_chosen_by_its_words(finder: PlaceFinder) -> None:
    step = {"expect": "phone", "options": [{"id": "skip", "label": "Pas de téléphone"}]}
    meaning = _input(step, "pas de téléphone", finder)
    assert isinstance(meaning, Chosen) and meaning.value == "skip"


# ---------------------------------------------------------------- question data
def test_question_info_knows_ranges_meanings_and_options_to_confirm(test_flows: FlowSet) -> None:
    age = _step(test_flows, "main", "age")
    info = question_info(age, frozenset({"under15"}))
    assert info.numeric  # every option but "rather not say" has a range
    assert set(info.means) == {"skip"}
    assert info.confirm == {"under15"}
    assert not question_info(_step(test_flows, "main", "sector")).numeric


def test_an_explicit_confirm_wins_over_ending_the_chat() -> None:
    step = ChoiceStep.model_validate(
        {
            "ask": "Q ?",
            "slot": "s",
            "options": [
                {"id": "a", "label": "A", "confirm": True},
                {"id": "b", "label": "B", "confirm": False},
                {"id": "c", "label": "C"},
            ],
        }
    )
    assert question_info(step, frozenset({"b", "c"})).confirm == {"a", "c"}


@pytest.mark.parametrize(
    ("bounds", "low", "high", "inside", "touching"),
    [
        ((18, 25), 18, 18, True, True),
        ((18, 25), 25.5, 25.5, True, True),  # "25 ans et demi" is 25
        ((18, 25), 26, 26, False, False),
        ((18, 25), 20, 30, False, True),
        ((31, None), 31, 10_000, True, True),
        ((31, None), 30, 39, False, True),
    ],
)
def test_in_range_and_overlaps(
    bounds: tuple[float, float | None], low: float, high: float, inside: bool, touching: bool
) -> None:
    option = Option(id="x", label="X", range=bounds)
    reading = Reading(low, high, "n")
    assert in_range(option, reading) is inside
    assert overlaps(option, reading) is touching


def test_an_option_without_range_holds_no_number() -> None:
    option = Option(id="x", label="X")
    assert not in_range(option, Reading(3, 3, "3"))
    assert not overlaps(option, Reading(3, 3, "3"))
