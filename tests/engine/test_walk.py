"""Walking a flow: steps run until one waits, flows are entered and left, « Question N sur M »."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from bot.engine.actions import Action
from bot.engine.loader import FlowSet
from bot.engine.runner import Runner
from bot.engine.state import (
    ConversationState,
    CreateLead,
    Forget,
    Frame,
    Mode,
    RecordConsent,
    ShowData,
    Status,
)
from bot.geo.search import PlaceFinder
from tests.engine.talk import TO_PLACE, Talk, make_runner, with_flows

THROUGH_MAIN = (*TO_PLACE, "69008", "/contact_pref:call", "/consent_contact:yes")


def test_the_first_message_says_hello_with_the_notice_then_asks_the_first_question(
    runner: Runner,
) -> None:
    talk = Talk(runner)
    result = talk.say("salut")
    welcome, question = talk.texts
    assert welcome.startswith("T-WELCOME. 🔒 Je ne garde rien sur toi sans ton accord.")
    assert question == "Q1/7. T-AGE?"
    assert [b.payload for b in result.replies[-1].buttons] == [
        "/age:under15",
        "/age:15_17",
        "/age:adult",
        "/age:undisclosed",
    ]
    assert talk.state.status is Status.ACTIVE
    assert (talk.state.flow, talk.step, talk.state.mode) == ("main", "age", Mode.ANSWER)


def test_start_begins_afresh_and_keeps_where_the_person_came_from(talk: Talk) -> None:
    talk.go("/age:adult")
    talk.start(source="flyer-lyon")
    assert talk.step == "age" and talk.slots == {}
    assert talk.state.source == "flyer-lyon"
    assert talk.texts[-1] == "Q1/7. T-AGE?"


def test_progress_counts_each_question_asked_once(talk: Talk) -> None:
    seen = [talk.texts[-1]]
    for answer in TO_PLACE:
        talk.say(answer)
        seen.append(talk.texts[-1])
    talk.say("69008")
    seen.append(talk.texts[-1])
    prefixes = [s.split(" ", 1)[0] for s in seen if s.startswith("Q")]
    assert prefixes == ["Q1/7.", "Q2/7.", "Q3/7.", "Q4/7.", "Q5/7.", "Q6/7.", "Q7/7."]


def test_a_question_asked_again_keeps_its_number(talk: Talk) -> None:
    talk.say("bleu")
    assert talk.texts[-1] == "Q1/7. T-AGE?"
    talk.say("34")
    assert talk.texts[-1] == "Q2/7. T-STAGE?"


def test_a_question_skipped_by_an_earlier_answer_shrinks_the_total_without_a_jump(
    talk: Talk,
) -> None:
    talk.say("34 ans et je fais un snack", entities={"sector": "restauration"})
    assert talk.slots["sector"] == "restauration"
    assert talk.texts[-1] == "Q2/6. T-STAGE?"
    talk.say("/stage:idea")
    assert talk.texts[-1] == "Q3/6. T-PITCH?"  # the sector question is skipped: no Q4


def test_consents_and_uncounted_questions_show_no_progress(talk: Talk) -> None:
    talk.go(*THROUGH_MAIN[:-1])
    assert talk.texts == ["T-KEEP-CONTACT?"]
    talk.say("/consent_contact:yes")
    assert talk.texts == ["T-PHONE?"]  # progress: false


def test_a_flow_without_progress_shows_no_number(runner: Runner) -> None:
    talk = Talk(runner)
    talk.go("salut", *THROUGH_MAIN, "/phone:skip", "/consent_relay:yes", "Sam")
    talk.say("bonjour")
    assert talk.texts == ["T-AFTER?"]


def test_the_whole_intake_records_consents_and_creates_a_lead(talk: Talk) -> None:
    talk.go(*THROUGH_MAIN[:-1])
    consent = talk.say("/consent_contact:yes")
    [contact] = [e for e in consent.effects if isinstance(e, RecordConsent)]
    assert contact.granted and contact.notice_version.startswith("main.consent_contact@1-")
    talk.say("06 12 34 56 78")
    assert talk.slots["phone"] == "+33612345678"
    assert talk.texts == ["T-SEND-TO Julien?"]
    relay = talk.say("/consent_relay:yes")
    [sent] = [e for e in relay.effects if isinstance(e, RecordConsent)]
    assert sent.relay_id == talk.slots["relay_id"]
    done = talk.say("Sam")
    [lead] = [e for e in done.effects if isinstance(e, CreateLead)]
    assert lead.slots["first_name"] == "Sam" and lead.slots["lead_status"] == "new"
    # Monday 10:00 + 16 working hours: Tuesday evening.
    assert talk.texts == ["T-SENT Julien mardi 1er décembre by phone."]
    assert talk.state.status is Status.DONE


def test_a_branch_follows_the_first_condition_that_holds(talk: Talk) -> None:
    talk.go(*TO_PLACE, "69008", "/contact_pref:message", "/consent_contact:yes")
    assert talk.step == "consent_relay"  # message: no phone question
    other = Talk(talk.runner)
    other.go("salut", *THROUGH_MAIN)
    assert other.step == "phone"


def test_an_end_that_forgets_leaves_nothing(talk: Talk) -> None:
    talk.go(*TO_PLACE, "69008", "/contact_pref:message")
    result = talk.say("/consent_contact:no")
    assert talk.texts == ["T-NOTHING-KEPT."]
    assert Forget() in result.effects
    assert talk.state.status is Status.DONE and talk.slots == {}


CALLER: dict[str, Any] = {
    "flow": "caller",
    "title": "t",
    "steps": {
        "before": {"say": "T-BEFORE."},
        "detour": {"call": "side"},
        "color": {
            "ask": "T-COLOR?",
            "slot": "color",
            "options": [{"id": "red", "label": "Red"}, {"id": "blue", "label": "Blue"}],
        },
        "route": {"branch": [{"if": {"intent": "greet"}, "goto": "hello"}], "next": "paint"},
        "hello": {"say": "T-GREETED {color}.", "next": "paint"},
        "paint": {"set": {"painted": "yes", "color": None}},
        "show": {"say": "T-PAINTED {painted} {color}."},
        "away": {"goto": {"flow": "side", "step": "last"}},
    },
}
SIDE: dict[str, Any] = {
    "flow": "side",
    "title": "t",
    "steps": {
        "inside": {"say": "T-SIDE."},
        "side_end": {"end": None},
        "last": {"end": "T-LAST."},
    },
}
LOOP: dict[str, Any] = {
    "flow": "loop",
    "title": "t",
    "steps": {"a": {"goto": "b"}, "b": {"goto": "a"}},
}
ENGINE: dict[str, Any] = {
    "flow": "engine",
    "title": "t",
    "steps": {
        "faq": {"action": "answer_faq", "args": {"id": "free"}},
        "nofaq": {"action": "answer_faq", "args": {"id": "nothing_like_this"}},
        "data": {"action": "show_data"},
        "bye": {"end": "T-ENGINE-BYE."},
    },
}


@pytest.fixture(scope="module")
def coded(test_flows: FlowSet, finder: PlaceFinder, actions: Mapping[str, Action]) -> FlowSet:
    return with_flows(test_flows, CALLER, SIDE, LOOP, ENGINE)


def _runner(
    coded: FlowSet, finder: PlaceFinder, actions: Mapping[str, Action], start: str
) -> Runner:
    return make_runner(with_flows(coded, start_flow=start), finder, actions)


def test_a_called_flow_comes_back_to_the_step_after_the_call(
    coded: FlowSet, finder: PlaceFinder, actions: Mapping[str, Action]
) -> None:
    talk = Talk(_runner(coded, finder, actions, "caller"))
    talk.say("salut")
    assert talk.texts == ["T-BEFORE.", "T-SIDE.", "T-COLOR?"]
    assert (talk.state.flow, talk.step, talk.state.stack) == ("caller", "color", ())


def test_set_clears_and_fills_slots_and_a_goto_into_another_flow_does_not_come_back(
    coded: FlowSet, finder: PlaceFinder, actions: Mapping[str, Action]
) -> None:
    talk = Talk(_runner(coded, finder, actions, "caller"))
    talk.go("salut", "/color:red")
    assert talk.texts == ["T-PAINTED yes —.", "T-LAST."]
    assert talk.state.status is Status.DONE and talk.state.flow == "side"


def test_a_branch_may_test_the_intent_of_the_message_answered(
    coded: FlowSet, finder: PlaceFinder, actions: Mapping[str, Action]
) -> None:
    talk = Talk(_runner(coded, finder, actions, "caller"))
    talk.say("salut")
    talk.say("red", intent="greet", confidence=0.9)
    assert talk.texts[0] == "T-GREETED Red."
    button = Talk(_runner(coded, finder, actions, "caller"))
    button.go("salut", "/color:red")
    assert "T-GREETED Red." not in button.texts  # a button press has no intent


def test_steps_going_round_in_circles_stop_with_a_message(
    coded: FlowSet, finder: PlaceFinder, actions: Mapping[str, Action]
) -> None:
    talk = Talk(_runner(coded, finder, actions, "loop"))
    talk.say("salut")
    assert talk.texts == ["T-BROKEN."]
    assert talk.state.status is Status.DONE


def test_engine_actions_answer_a_faq_entry_and_show_the_data(
    coded: FlowSet, finder: PlaceFinder, actions: Mapping[str, Action]
) -> None:
    talk = Talk(_runner(coded, finder, actions, "engine"))
    result = talk.say("salut")
    assert talk.texts == ["T-FAQ-FREE.", "T-FAQ-UNKNOWN.", "T-ACCESS.", "T-ENGINE-BYE."]
    assert ShowData() in result.effects


def test_after_the_end_the_menu_can_start_a_new_project(talk: Talk) -> None:
    talk.go(*THROUGH_MAIN, "/phone:skip", "/consent_relay:yes", "Sam")
    talk.say("bonjour")
    assert talk.step == "menu"
    talk.say("/menu:again")
    assert talk.texts[-1] == "Q1/7. T-AGE?"
    assert talk.slots == {} and talk.state.flow == "main"


def test_after_the_end_the_menu_can_say_goodbye(talk: Talk) -> None:
    talk.go(*THROUGH_MAIN, "/phone:skip", "/consent_relay:yes", "Sam")
    talk.go("bonjour", "non")
    assert talk.texts == ["T-AFTER-BYE."]
    assert talk.state.status is Status.DONE
    assert talk.slots["lead_status"] == "new"  # the answers are kept


def test_a_conversation_on_a_removed_step_restarts_kindly(runner: Runner) -> None:
    talk = Talk(runner, ConversationState(flow="main", step="gone", status=Status.ACTIVE))
    talk.say("34")
    assert talk.texts[0] == "T-WELCOME-BACK."
    assert talk.step == "age"


def test_a_conversation_returning_to_a_removed_step_restarts_kindly(runner: Runner) -> None:
    state = ConversationState(
        flow="main", step="age", status=Status.ACTIVE, stack=(Frame("main", "gone"),)
    )
    talk = Talk(runner, state)
    talk.say("34")
    assert talk.texts[0] == "T-WELCOME-BACK."
    assert talk.state.stack == ()


def test_the_state_survives_a_json_round_trip(talk: Talk) -> None:
    talk.go("bleu", "/age:adult", "/stage:idea", "/sector:autre", "/pitch:skip", "/needs:local")
    assert ConversationState.from_json(talk.state.to_json()) == talk.state
