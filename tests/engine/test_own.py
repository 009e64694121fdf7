"""The bot's own questions: which commune?, erase everything?, and « c'est bien ça ? »."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from bot.engine.actions import Action
from bot.engine.loader import FlowSet
from bot.engine.runner import Runner
from bot.engine.state import ConversationState, EraseAll, Forget, Mode, Status
from bot.geo.search import PlaceFinder
from tests.engine.talk import TO_PLACE, Talk, make_runner, with_flows


# ---------------------------------------------------------------- which commune?
@pytest.fixture
def picking(talk: Talk) -> Talk:
    talk.go(*TO_PLACE, "saint denis")
    return talk


def test_a_commune_name_several_places_share_offers_them(picking: Talk) -> None:
    assert picking.heard == "pick"
    assert picking.state.mode is Mode.PICK
    assert picking.texts == ["T-PICK-PLACE."]
    assert picking.titles == [
        "Saint-Denis (11310)",
        "Saint-Denis (30500)",
        "Saint-Denis (93200)",
        "Saint-Denis (97400)",
        "T-None",
    ]


def test_a_pressed_commune_fills_the_place(picking: Talk) -> None:
    picking.say("/_sys:p2")
    assert (picking.slots["postal_code"], picking.slots["department"]) == ("93200", "93")
    assert picking.step == "contact_pref" and picking.state.mode is Mode.ANSWER


@pytest.mark.parametrize(("said", "code"), [("4", "97400"), ("Saint-Denis (97", "97400")])
def test_a_typed_number_or_the_start_of_a_name_picks(picking: Talk, said: str, code: str) -> None:
    picking.say(said)
    assert picking.slots["postal_code"] == code
    assert picking.slots["department"] == "974"


def test_none_of_these_asks_the_place_again(picking: Talk) -> None:
    picking.say("/_sys:none")
    assert picking.texts == ["Q6/7. T-PLACE?"]
    assert "postal_code" not in picking.slots


def test_a_commune_button_that_was_never_offered_is_refused(picking: Talk) -> None:
    picking.say("/_sys:p9")
    assert picking.texts == ["T-UNKNOWN-BUTTON.", "Q6/7. T-PLACE?"]


def test_another_answer_while_picking_is_read_afresh(picking: Talk) -> None:
    picking.say("lyon 8")
    assert picking.slots["postal_code"] == "69008"
    assert picking.step == "contact_pref"


def test_a_postal_code_and_a_name_that_disagree_are_both_offered(talk: Talk) -> None:
    talk.go(*TO_PLACE, "69120 villeurbanne")
    assert talk.state.mode is Mode.PICK
    assert talk.titles[:2] == ["Vaulx-en-Velin (69120)", "Villeurbanne (69100)"]


# ---------------------------------------------------------------- erase everything?
@pytest.fixture
def erasing(talk: Talk) -> Talk:
    talk.go("/age:adult", "supprimer mes données")
    return talk


def test_erase_asks_for_a_confirmation_first(erasing: Talk) -> None:
    assert erasing.state.mode is Mode.CONFIRM_ERASE
    assert erasing.texts == ["T-ERASE?"]
    assert erasing.titles == ["T-Erase", "T-Keep"]
    assert erasing.slots["age_band"] == "adult"


@pytest.mark.parametrize("said", ["/_sys:erase", "oui", "oui efface tout"])
def test_a_confirmed_erase_erases_everything(erasing: Talk, said: str) -> None:
    result = erasing.say(said)
    assert result.effects == (EraseAll(),)
    assert erasing.texts == ["T-ERASED."]
    assert erasing.state == ConversationState(status=Status.DONE)


@pytest.mark.parametrize("said", ["/_sys:keep", "non", "bof", "ouais non", "c bon", "👍"])
def test_anything_but_a_clear_yes_keeps_everything(erasing: Talk, said: str) -> None:
    result = erasing.say(said)
    assert result.effects == ()
    assert erasing.texts == ["T-KEPT.", "Q2/7. T-STAGE?"]
    assert erasing.slots["age_band"] == "adult"


def test_erase_by_intent(talk: Talk) -> None:
    talk.say("effacez tout ce que vous savez", intent="delete_data", confidence=0.9)
    assert talk.state.mode is Mode.CONFIRM_ERASE


@pytest.mark.parametrize("before", [(), ("salut", "stop")])
def test_erase_confirmed_on_a_conversation_without_position_erases(
    runner: Runner, before: tuple[str, ...]
) -> None:
    talk = Talk(runner)
    talk.go(*before, "supprimer mes données")
    result = talk.say("oui")
    assert result.effects == (EraseAll(),)
    assert talk.texts == ["T-ERASED."]


def test_erase_kept_on_a_conversation_never_started_asks_nothing(runner: Runner) -> None:
    talk = Talk(runner)
    talk.go("supprimer mes données", "non")
    assert talk.texts == ["T-KEPT."]


# ---------------------------------------------------------------- « c'est bien ça ? »
@pytest.fixture
def confirming(talk: Talk) -> Talk:
    talk.say("1")
    return talk


def test_a_typed_answer_that_ends_the_chat_is_said_back(confirming: Talk) -> None:
    assert confirming.state.mode is Mode.CONFIRM_ANSWER
    assert confirming.texts == ["T-CONFIRM 1 = Under 15 ?"]
    assert [b.payload for b in confirming.buttons] == ["/_sys:yes", "/_sys:no"]


@pytest.mark.parametrize("said", ["oui", "ok", "ouais", "c'est ça", "/_sys:yes", "oui c'est ça"])
def test_a_yes_takes_the_answer(confirming: Talk, said: str) -> None:
    result = confirming.say(said)
    assert confirming.texts == ["T-MINOR."]
    assert Forget() in result.effects
    assert confirming.state.status is Status.DONE


@pytest.mark.parametrize("said", ["non", "nan", "/_sys:no", "non c'est pas ça"])
def test_a_no_asks_the_question_again(confirming: Talk, said: str) -> None:
    confirming.say(said)
    assert confirming.texts == ["Q1/7. T-AGE?"]
    assert confirming.state.mode is Mode.ANSWER
    assert "age_band" not in confirming.slots
    assert confirming.state.retries == 0


def test_another_answer_instead_of_yes_or_no_is_read_as_an_answer(confirming: Talk) -> None:
    confirming.say("j'ai 34 ans")
    assert confirming.slots["age_band"] == "adult"
    assert confirming.step == "stage"


def test_a_command_instead_of_yes_or_no_is_carried_out(confirming: Talk) -> None:
    confirming.say("aide")
    assert confirming.texts[0] == "T-HELP."


CONFIRMED: dict[str, Any] = {
    "flow": "confirmed",
    "title": "t",
    "steps": {
        "kind": {
            "ask": "T-KIND?",
            "slot": "kind",
            "options": [
                {"id": "big", "label": "Big", "words": ["grand"], "confirm": True},
                {"id": "small", "label": "Small", "words": ["petit"]},
                {
                    "id": "leave",
                    "label": "Leave",
                    "words": ["partir"],
                    "confirm": False,
                    "next": "leave_end",
                },
            ],
        },
        "next_one": {"say": "T-NEXT {kind}.", "next": "bye"},
        "leave_end": {"end": "T-LEFT.", "forget": True},
        "bye": {"end": "T-BYE."},
    },
}


@pytest.fixture
def flow_with_confirm(
    test_flows: FlowSet, finder: PlaceFinder, actions: Mapping[str, Action]
) -> Talk:
    flows = with_flows(test_flows, CONFIRMED, start_flow="confirmed")
    talk = Talk(make_runner(flows, finder, actions))
    talk.say("salut")
    return talk


def test_an_option_may_ask_to_be_confirmed(flow_with_confirm: Talk) -> None:
    flow_with_confirm.say("grand")
    assert flow_with_confirm.texts == ["T-CONFIRM grand = Big ?"]
    flow_with_confirm.say("oui")
    assert flow_with_confirm.texts == ["T-NEXT Big.", "T-BYE."]


def test_other_options_are_taken_at_once(flow_with_confirm: Talk) -> None:
    flow_with_confirm.say("petit")
    assert flow_with_confirm.texts == ["T-NEXT Small.", "T-BYE."]


def test_an_ending_option_may_skip_the_confirmation(flow_with_confirm: Talk) -> None:
    flow_with_confirm.say("partir")
    assert flow_with_confirm.texts == ["T-LEFT."]
