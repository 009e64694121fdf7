"""Steps turned into messages: ``{slot}`` read as words, buttons, numbered choices."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.messages import Button, Outbound
from bot.engine.loader import FlowSet
from bot.engine.render import Renderer, payload
from bot.engine.schema import ChoiceStep, ConsentStep, InputStep
from bot.engine.state import SlotValue


@pytest.fixture(scope="module")
def render(test_flows: FlowSet) -> Renderer:
    return Renderer(test_flows, {"responsable": "T-CONTROLLER"})


def _step(flows: FlowSet, step_id: str) -> ChoiceStep | InputStep | ConsentStep:
    step = flows.flow("main").steps[step_id]
    assert isinstance(step, (ChoiceStep, InputStep, ConsentStep))
    return step


@pytest.mark.parametrize(
    ("text", "slots", "said"),
    [
        ("{age_band}", {"age_band": "adult"}, "Adult"),  # an option id reads as its label
        ("{needs}", {"needs": ["argent", "local"]}, "Money, A place"),
        ("{needs}", {"needs": []}, "—"),
        ("{missing}", {}, "—"),
        ("{flag}", {"flag": True}, "oui"),
        ("{flag}", {"flag": False}, "non"),
        ("{count}", {"count": 3.0}, "3"),
        ("{count}", {"count": 2.5}, "2.5"),
        ("{first_name}", {"first_name": "Sam"}, "Sam"),  # free text as it is
        ("{contact_pref_phrase}", {"contact_pref": "call"}, "by phone"),
        ("{age_band_phrase}", {"age_band": "adult"}, "Adult"),  # no phrase: the label
        ("{handoff_due}", {"handoff_due": "2026-12-01T17:00:00+01:00"}, "mardi 1er décembre"),
        ("{handoff_due}", {"handoff_due": "2026-12-02T23:30:00+00:00"}, "jeudi 3 décembre"),
        ("{handoff_due}", {"handoff_due": "bientôt"}, "bientôt"),
        ("{responsable}", {}, "T-CONTROLLER"),
        ("{responsable}", {"responsable": "Slot"}, "Slot"),  # a slot wins over a constant
        ("{Not_A_Slot} {x", {}, "{Not_A_Slot} {x"),
    ],
)
def test_fill_reads_slots_as_words(
    render: Renderer, text: str, slots: dict[str, SlotValue], said: str
) -> None:
    assert render.fill(text, slots) == said


@pytest.mark.parametrize(
    ("day", "said"),
    [(date(2026, 12, 1), "mardi 1er décembre"), (date(2026, 11, 30), "lundi 30 novembre")],
)
def test_dates_read_as_people_say_them(render: Renderer, day: date, said: str) -> None:
    assert render.date(day) == said


def test_a_button_carries_the_step_and_the_option_never_the_label() -> None:
    assert payload("age", "15_17") == "/age:15_17"


def test_a_question_with_its_buttons(render: Renderer, test_flows: FlowSet) -> None:
    step = _step(test_flows, "age")
    assert isinstance(step, ChoiceStep)
    shown = render.question("age", step, {}, prefix="Q1/7.")
    assert shown.text == "Q1/7. T-AGE?"
    assert shown.buttons[0] == Button("/age:under15", "Under 15")
    assert not shown.multiple and not shown.numbered


def test_a_multiple_choice_marks_what_is_picked_and_ends_with_done(
    render: Renderer, test_flows: FlowSet
) -> None:
    step = _step(test_flows, "needs")
    assert isinstance(step, ChoiceStep)
    shown = render.question("needs", step, {"needs": ["local"]})
    assert [b.title for b in shown.buttons] == ["Money", "✔ A place", "Don't know", "C'est tout ✅"]
    assert shown.buttons[-1].payload == "/needs:_done"
    assert shown.multiple


def test_numbered_choices_and_a_way_to_a_person(render: Renderer, test_flows: FlowSet) -> None:
    step = _step(test_flows, "contact_pref")
    assert isinstance(step, ChoiceStep)
    person = Button("/_sys:human", "T-Person")
    shown = render.question("contact_pref", step, {}, numbered=True, human=person)
    assert shown == Outbound(
        "T-CONTACT?\n1. Message\n2. Call\nT-NUMBERED T-Person.",
        (
            Button("/contact_pref:message", "Message"),
            Button("/contact_pref:call", "Call"),
            person,
        ),
        numbered=True,
    )


def test_a_typed_question_without_buttons_offers_only_a_person(
    render: Renderer, test_flows: FlowSet
) -> None:
    step = _step(test_flows, "place")
    assert isinstance(step, InputStep)
    person = Button("/_sys:human", "T-Person")
    shown = render.question("place", step, {}, numbered=True, human=person)
    assert shown.text == "T-PLACE?\nT-STUCK T-Person."
    assert shown.buttons == (person,)


def test_a_consent_has_a_clear_yes_and_no(render: Renderer, test_flows: FlowSet) -> None:
    step = _step(test_flows, "consent_relay")
    assert isinstance(step, ConsentStep)
    shown = render.consent("consent_relay", step, {"relay_name": "Julien"})
    assert shown == Outbound(
        "T-SEND-TO Julien?",
        (Button("/consent_relay:yes", "Send"), Button("/consent_relay:no", "Don't send")),
    )
    assert render.consent("c", step, {}, "Q1/2.").text == "Q1/2.\nT-SEND-TO —?"


def test_labels_come_from_every_flow(render: Renderer) -> None:
    assert render.label("after_choice", "who") == "Who"
    assert render.label("age_band", "unknown_id") == "unknown_id"
