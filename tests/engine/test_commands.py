"""Global commands, by their exact words or by an NLU intent, and what reaches the bot
while a person talks with a relay."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.engine.runner import Runner
from bot.engine.state import (
    ConversationState,
    Forget,
    ForwardToRelay,
    Frame,
    LeaveBridge,
    Mode,
    ShowData,
    Status,
    StopContact,
)
from tests.engine.talk import TO_PLACE, Talk

DONE = (*TO_PLACE, "69008", "/contact_pref:message", "/consent_contact:yes")
FINISHED = (*DONE, "/consent_relay:yes", "Sam")


@pytest.mark.parametrize("said", ["stop", "STOP", "/stop", "Stop !"])
def test_stop_without_a_kept_contact_forgets_everything(talk: Talk, said: str) -> None:
    talk.go("/age:adult")
    result = talk.say(said)
    assert talk.texts == ["T-STOP."]
    assert result.effects == (Forget(),)
    assert talk.state.status is Status.STOPPED and talk.slots == {}


def test_stop_with_a_kept_contact_stops_writing_but_keeps_the_case(talk: Talk) -> None:
    talk.go(*DONE)
    result = talk.say("stop")
    assert result.effects == (StopContact(),)
    assert talk.state.status is Status.STOPPED
    assert talk.slots["consent_contact"] == "yes"


def test_a_message_after_stop_starts_afresh(talk: Talk) -> None:
    talk.go("stop", "salut")
    assert talk.texts[-1] == "Q1/7. T-AGE?"
    assert talk.state.status is Status.ACTIVE


@pytest.mark.parametrize(("confidence", "asked"), [(0.95, True), (0.7, True), (0.6, False)])
def test_a_stop_only_the_nlu_heard_is_asked_about_before_it_stops(
    talk: Talk, confidence: float, asked: bool
) -> None:
    talk.say("arrêtez de m'écrire", intent="stop", confidence=confidence)
    assert (talk.texts == ["T-STOP?"]) is asked
    assert talk.state.status is Status.ACTIVE
    if asked:
        talk.say("oui")
        assert talk.state.status is Status.STOPPED


def test_no_to_the_stop_question_goes_on_where_the_person_was(talk: Talk) -> None:
    talk.go("/age:adult")
    talk.say("un message", intent="stop", confidence=0.8)
    talk.say("/_sys:keep")
    assert talk.texts == ["T-GOING-ON.", "Q2/7. T-STAGE?"]
    assert talk.slots["age_band"] == "adult"


def test_the_stop_button_of_the_question_stops(talk: Talk) -> None:
    talk.say("un message", intent="stop", confidence=0.8)
    talk.say("/_sys:cmd_stop")
    assert talk.state.status is Status.STOPPED


def test_an_intent_triggered_command_yields_to_a_valid_answer(talk: Talk) -> None:
    talk.go(*TO_PLACE, "69008")
    talk.say("par téléphone", intent="ask_human", confidence=0.95)
    assert talk.heard == "answer"
    assert talk.slots["contact_pref"] == "call"
    assert talk.state.flow == "main"


def test_an_intent_triggered_command_wins_over_a_message_that_answers_nothing(
    talk: Talk,
) -> None:
    talk.say("je veux parler à quelqu'un", intent="ask_human", confidence=0.95)
    assert talk.heard == "command:human"
    assert talk.texts == ["T-HUMAN-PLACE?"]
    assert talk.state.stack == (Frame("main", "age"),)


def test_exact_words_are_a_command_even_where_they_could_answer(talk: Talk) -> None:
    talk.go(*TO_PLACE)
    talk.say("humain")
    assert talk.state.flow == "human"


def test_free_text_yields_to_a_command_only_when_the_nlu_is_very_sure(talk: Talk) -> None:
    talk.go("/age:adult", "/stage:idea", "/sector:autre")
    talk.say("une appli pour arrêter de fumer", intent="stop", confidence=0.85)
    assert talk.slots["pitch"] == "une appli pour arrêter de fumer"
    talk.say("stop là", intent="stop", confidence=0.95)
    talk.say("oui")
    assert talk.state.status is Status.STOPPED


@pytest.mark.parametrize("said", ["aide", "?", "/aide", "/_sys:cmd_help"])
def test_help_then_the_question_waiting(talk: Talk, said: str) -> None:
    talk.go("/age:adult")
    talk.say(said)
    assert talk.heard == "command:help"
    assert talk.texts == ["T-HELP.", "Q2/7. T-STAGE?"]


def test_an_unknown_command_button_is_a_stale_button(talk: Talk) -> None:
    talk.say("/_sys:cmd_nothing")
    assert talk.texts == ["T-STALE.", "Q1/7. T-AGE?"]


def test_my_data_shows_it_then_the_question_waiting(talk: Talk) -> None:
    result = talk.say("mes données")
    assert ShowData() in result.effects
    assert talk.texts == ["T-ACCESS.", "Q1/7. T-AGE?"]


def test_privacy_gives_the_whole_notice_with_the_controller(talk: Talk) -> None:
    talk.say("confidentialité")
    notice, question = talk.texts
    assert "Qui : T-CONTROLLER. Contact : T-DPO." in notice
    assert question == "Q1/7. T-AGE?"


@pytest.mark.parametrize("said", ["nouveau projet", "recommencer", "Nouveau projet !"])
def test_new_project_restarts_from_the_first_question(talk: Talk, said: str) -> None:
    talk.go("/age:adult", "/stage:idea")
    talk.say(said)
    assert talk.heard == "command:restart"
    assert talk.texts[0] == "T-RESTART."
    assert talk.texts[-1] == "Q1/7. T-AGE?"
    assert talk.slots == {} and talk.state.asked == ()


def test_new_project_after_the_end_restarts(talk: Talk) -> None:
    talk.go(*FINISHED)
    assert talk.state.status is Status.DONE
    talk.say("nouveau projet")
    assert talk.texts[-1] == "Q1/7. T-AGE?"
    assert talk.state.status is Status.ACTIVE and talk.slots == {}


def test_help_after_the_end_does_not_restart(talk: Talk) -> None:
    talk.go(*FINISHED)
    talk.say("aide")
    assert talk.texts == ["T-HELP."]
    assert talk.state.status is Status.DONE


def test_a_command_leading_to_a_flow_comes_back_to_the_question_waiting(talk: Talk) -> None:
    talk.go("/age:adult", "humain")
    assert talk.state.stack == (Frame("main", "stage"),)
    talk.go("69008", "/consent_contact:yes", "/consent_relay:yes")
    assert talk.texts[0] == "T-HUMAN-SENT Julien."
    assert talk.step == "stage" and talk.state.stack == ()


def test_progress_carries_on_after_coming_back_from_a_called_flow(talk: Talk) -> None:
    talk.go("/age:adult")
    assert talk.texts == ["Q2/7. T-STAGE?"]
    talk.go("humain", "69008", "/consent_contact:yes", "/consent_relay:yes")
    assert talk.texts[-1].startswith("Q2/")


def test_leave_without_a_relay_carries_on(talk: Talk) -> None:
    talk.say("fin")
    assert talk.heard == "command:leave"
    assert talk.texts == ["Q1/7. T-AGE?"]


# ---------------------------------------------------------------- talking with a relay
@pytest.fixture
def bridged(talk: Talk) -> Talk:
    talk.go(*DONE)
    talk.state = replace(talk.state, bridge="Julien")
    return talk


def test_with_a_relay_messages_go_to_the_relay_and_the_bot_stays_silent(bridged: Talk) -> None:
    for said in ("bonjour Julien", "aide", "34", "nouveau projet"):
        result = bridged.say(said)
        assert result.effects == (ForwardToRelay(said),)
        assert bridged.texts == []


def test_with_a_relay_media_cannot_be_passed_on(bridged: Talk) -> None:
    from bot.domain.messages import InboundKind

    result = bridged.say("", kind=InboundKind.UNSUPPORTED)
    assert bridged.texts == ["T-BRIDGE-MEDIA."] and result.effects == ()


def test_with_a_relay_rights_commands_still_reach_the_bot(bridged: Talk) -> None:
    result = bridged.say("mes données")
    assert result.effects == (ShowData(),)
    assert bridged.state.bridge == "Julien"


def test_leave_ends_the_talk_with_the_relay(bridged: Talk) -> None:
    result = bridged.say("fin")
    assert result.effects == (LeaveBridge(),)
    assert bridged.texts == ["T-LEAVE Julien."]
    assert bridged.state.bridge is None


def test_stop_ends_the_talk_with_the_relay_and_stops(bridged: Talk) -> None:
    result = bridged.say("stop")
    assert result.effects == (LeaveBridge(), StopContact())
    assert bridged.state.status is Status.STOPPED and bridged.state.bridge is None


def test_erase_with_a_relay_is_confirmed_first(bridged: Talk) -> None:
    bridged.say("supprimer mes données")
    assert bridged.state.mode is Mode.CONFIRM_ERASE
    bridged.say("non")
    assert bridged.texts[0] == "T-KEPT."
    assert bridged.state.bridge == "Julien"


def test_a_command_on_a_conversation_never_started(runner: Runner) -> None:
    talk = Talk(runner, ConversationState())
    talk.say("aide")
    assert talk.texts[0] == "T-HELP."
    assert talk.texts[-1] == "Q1/7. T-AGE?"
