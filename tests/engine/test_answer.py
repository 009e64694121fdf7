"""Answering the question asked: buttons, typed words, "je sais pas", misunderstandings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from bot.domain.messages import InboundKind
from bot.engine.actions import Action
from bot.engine.loader import FlowSet
from bot.engine.runner import Runner
from bot.engine.state import Mode, RecordConsent
from bot.engine.turn import notice_hash
from bot.geo.search import PlaceFinder
from tests.engine.talk import TO_PLACE, Talk, make_runner, with_flows, with_messages

AT_CONSENT = (*TO_PLACE, "69008", "/contact_pref:message")


# ---------------------------------------------------------------- numbers and ranges
@pytest.mark.parametrize(
    ("said", "band"),
    [
        ("34", "adult"),
        ("j'ai 34 ans", "adult"),
        ("19", "adult"),
        ("jai17ans", "15_17"),
        ("15", "15_17"),
        ("la trentaine", "adult"),
        ("trente ans", "adult"),
        ("né en 1995", "adult"),
        ("bientôt 18", "15_17"),
        ("majeur", "adult"),
        ("Adult", "adult"),
        ("15-17", "15_17"),
        ("Rather not say", "undisclosed"),
    ],
)
def test_a_typed_age_lands_in_the_option_whose_range_holds_it(
    talk: Talk, said: str, band: str
) -> None:
    talk.say(said)
    assert talk.slots["age_band"] == band
    assert talk.step == "stage" and talk.heard == "answer"


@pytest.mark.parametrize("said", ["14", "1", "moins de 15"])
def test_a_typed_age_that_ends_the_chat_is_said_back_first(talk: Talk, said: str) -> None:
    talk.say(said)
    assert talk.heard == "confirm"
    assert talk.state.mode is Mode.CONFIRM_ANSWER
    assert talk.texts == [f"T-CONFIRM {said} = Under 15 ?"]
    assert [b.title for b in talk.buttons] == ["T-Yes", "T-No"]
    assert "age_band" not in talk.slots


def test_a_pressed_button_that_ends_the_chat_is_not_said_back(talk: Talk) -> None:
    talk.say("/age:under15")
    assert talk.texts == ["T-MINOR."]


def test_a_number_between_two_ranges_asks_which_one(talk: Talk) -> None:
    talk.say("entre 16 et 20 ans")
    assert talk.heard == "pick"
    assert talk.texts == ["T-WHICH-ONE."]
    assert [b.payload for b in talk.buttons] == ["/age:15_17", "/age:adult"]
    talk.say("/age:adult")
    assert talk.slots["age_band"] == "adult"


def test_a_number_no_range_holds_is_said_back_as_understood(talk: Talk) -> None:
    talk.say("j'ai 150 ans")
    assert talk.texts[0] == "T-UNDERSTOOD 150. T-AGE-HINT."


# ---------------------------------------------------------------- words
def test_words_of_two_options_ask_which_one(talk: Talk) -> None:
    talk.go("/age:adult", "ma boîte")
    assert talk.texts == ["T-WHICH-ONE."]
    assert [b.payload for b in talk.buttons] == ["/stage:young", "/stage:established"]


def test_words_and_a_number_together_choose_by_the_number(talk: Talk) -> None:
    talk.go("/age:adult", "ça fait 1 an que j'ai ma boîte")
    assert talk.slots["stage"] == "young"


def test_a_label_with_a_typo_is_that_label(talk: Talk) -> None:
    talk.go("/age:adult", "/stage:idea", "Beauti")
    assert talk.slots["sector"] == "beaute"


def test_several_needs_typed_at_once(talk: Talk) -> None:
    talk.go(*TO_PLACE[:4], "de l'argent et un local")
    assert talk.slots["needs"] == ["argent", "local"]
    assert talk.step == "place"


def test_a_need_said_with_a_negation_is_not_picked(talk: Talk) -> None:
    talk.go(*TO_PLACE[:4], "pas de local, juste des sous")
    assert talk.slots["needs"] == ["argent"]


def test_multiple_choice_by_buttons_toggles_then_moves_on(talk: Talk) -> None:
    talk.go(*TO_PLACE[:4], "/needs:argent", "/needs:local")
    assert talk.texts == ["T-MULTI Money, A place C'est tout ✅."]
    assert "✔ Money" in talk.titles and "✔ A place" in talk.titles
    talk.say("/needs:argent")
    assert talk.slots["needs"] == ["local"]
    talk.say("/needs:_done")
    assert talk.slots["needs"] == ["local"] and talk.step == "place"


def test_several_needs_typed_by_number_once_numbered(talk: Talk) -> None:
    talk.go(*TO_PLACE[:4], "boulangerie", "patisserie")
    assert talk.state.numbered
    talk.say("1 et 2")
    assert talk.slots["needs"] == ["argent", "local"]


def test_done_with_nothing_picked_says_so(talk: Talk) -> None:
    talk.go(*TO_PLACE[:4], "/needs:_done")
    assert talk.texts[0] == "T-MULTI-EMPTY C'est tout ✅."
    assert talk.step == "needs"


def test_an_entity_of_the_question_answers_it(talk: Talk) -> None:
    talk.go("/age:adult", "/stage:idea")
    talk.say("je vends des burgers", entities={"sector": "restauration"})
    assert talk.slots["sector"] == "restauration"


def test_answers_to_later_questions_are_noted_when_this_one_is_not_answered(
    talk: Talk,
) -> None:
    talk.say("je fais un snack", entities={"sector": "restauration"})
    assert talk.texts == ["T-NOTED Food.", "Q1/6. T-AGE?"]  # the sector will not be asked
    assert talk.slots["sector"] == "restauration"
    assert talk.state.retries == 0


# ---------------------------------------------------------------- "je sais pas"
def test_dont_know_lands_on_the_dont_know_option(talk: Talk) -> None:
    talk.go("/age:adult", "/stage:idea", "je sais pas")
    assert talk.slots["sector"] == "unknown"


def test_dont_know_lands_on_the_dont_know_option_of_a_multiple_choice(talk: Talk) -> None:
    talk.go(*TO_PLACE[:4], "jsp")
    assert talk.slots["needs"] == ["unknown"]


def test_dont_know_takes_the_skip_option_where_no_kind_word_is_written(talk: Talk) -> None:
    talk.say("je sais pas")
    assert talk.slots["age_band"] == "undisclosed"


@pytest.mark.parametrize("said", ["je sais pas", "jsp", "aucune idée", "chais pas"])
def test_dont_know_without_an_option_gets_the_kind_words_and_is_no_miss(
    talk: Talk, said: str
) -> None:
    talk.go("/age:adult")
    for _ in range(3):
        talk.say(said)
        assert talk.heard == "dont_know"
        assert talk.texts == ["T-DONT-KNOW.", "T-HINT-CHOICE.", "Q2/7. T-STAGE?"]
        assert talk.state.retries == 0 and not talk.state.numbered
    assert "T-Person" not in talk.titles


def test_dont_know_at_a_typed_question_gets_the_step_s_own_words(talk: Talk) -> None:
    talk.go(*TO_PLACE, "je sais pas")
    assert talk.texts == ["T-PLACE-DONT-KNOW.", "T-PLACE-HINT.", "Q6/7. T-PLACE?"]
    assert talk.state.retries == 0


# ---------------------------------------------------------------- places
@pytest.mark.parametrize(
    ("said", "postal_code", "commune"),
    [
        ("lyon 8", "69008", "Lyon 8e Arrondissement"),
        ("marseille 15", "13015", "Marseille 15e Arrondissement"),
        ("Paris 19", "75019", "Paris 19e Arrondissement"),
        ("19e arrondissement de paris", "75019", "Paris 19e Arrondissement"),
        ("j'habite à Roubaix", "59100", "Roubaix"),
        ("59100", "59100", "Roubaix"),
        ("saint-denis 93", "93200", "Saint-Denis"),
        ("le mirail", "31100", "Toulouse"),
    ],
)
def test_a_typed_place_fills_the_place_slots(
    talk: Talk, said: str, postal_code: str, commune: str
) -> None:
    talk.go(*TO_PLACE, said)
    assert (talk.slots["postal_code"], talk.slots["commune"]) == (postal_code, commune)
    assert talk.slots["department"] == postal_code[:2]
    assert talk.step == "contact_pref"


def test_an_unknown_commune_is_said_back_with_the_hint(talk: Talk) -> None:
    talk.go(*TO_PLACE, "Zorglubville")
    assert talk.texts == ["T-UNKNOWN-COMMUNE zorglubville. T-PLACE-HINT.", "Q6/7. T-PLACE?"]


def test_a_phone_number_is_kept_in_international_form(talk: Talk) -> None:
    talk.go(*TO_PLACE, "69008", "/contact_pref:call", "/consent_contact:yes")
    talk.say("je l'ai pas")
    assert talk.texts[0] == "T-PHONE."
    talk.say("+33 6 12 34 56 78")
    assert talk.slots["phone"] == "+33612345678"


# ---------------------------------------------------------------- misunderstandings
OFF_TOPIC_CHATTER = "pour le reste je ne peux pas t'aider"


@pytest.fixture
def off_topic_runner(
    test_flows: FlowSet, finder: PlaceFinder, actions: Mapping[str, Action]
) -> Runner:
    """The test flows with a chatter line for off-topic messages, as older files had."""
    chatter = {**test_flows.glob.messages.chatter, "out_of_scope": OFF_TOPIC_CHATTER}
    return make_runner(with_messages(test_flows, chatter=chatter), finder, actions)


def test_an_off_topic_message_at_an_open_question_is_a_misunderstanding_with_the_hint(
    off_topic_runner: Runner,
) -> None:
    talk = Talk(off_topic_runner)
    talk.go("salut", *TO_PLACE)
    talk.say("j'adore le foot", intent="out_of_scope", confidence=0.95)
    assert talk.heard == "unclear"
    assert talk.texts[0].endswith("T-PLACE-HINT.")
    assert OFF_TOPIC_CHATTER not in talk.text
    assert talk.state.retries == 1


def test_an_off_topic_message_at_a_choice_is_a_misunderstanding_with_the_hint(
    off_topic_runner: Runner,
) -> None:
    talk = Talk(off_topic_runner)
    talk.say("salut")
    talk.say("j'adore le foot", intent="out_of_scope", confidence=0.95)
    assert talk.texts == ["T-NOT-UNDERSTOOD. T-AGE-HINT.", "Q1/7. T-AGE?"]


def test_chatter_gets_a_polite_word_and_is_no_miss(talk: Talk) -> None:
    talk.say("bonjour toi", intent="greet", confidence=0.95)
    assert talk.texts == ["T-HELLO.", "Q1/7. T-AGE?"]
    assert talk.heard == "chatter" and talk.state.retries == 0


def test_two_misses_number_the_choices_and_offer_a_person(talk: Talk) -> None:
    talk.say("bleu")
    assert talk.texts == ["T-NOT-UNDERSTOOD. T-AGE-HINT.", "Q1/7. T-AGE?"]
    assert "T-Person" not in talk.titles
    talk.say("vert")
    reason, question = talk.texts
    assert reason == "T-NOT-UNDERSTOOD."
    assert question == (
        "Q1/7. T-AGE?\n1. Under 15\n2. 15-17\n3. Adult\n4. Rather not say\nT-NUMBERED T-Person."
    )
    assert talk.last is not None and talk.last.replies[-1].numbered
    assert talk.buttons[-1].payload == "/_sys:human"
    talk.say("3")  # a number is now a position, not an age
    assert talk.slots["age_band"] == "adult"
    assert talk.texts == ["Q2/7. T-STAGE?"]  # the next question is not numbered


def test_the_person_button_after_misses_leads_to_a_person(talk: Talk) -> None:
    talk.go("bleu", "vert", "/_sys:human")
    assert talk.heard == "command:human"
    assert talk.texts == ["T-HUMAN-PLACE?"]
    assert talk.state.flow == "human"


def test_two_misses_at_a_typed_question_offer_a_person(talk: Talk) -> None:
    talk.go(*TO_PLACE, "Zorglubville", "Blorgville")
    assert talk.texts[-1] == "Q6/7. T-PLACE?\nT-STUCK T-Person."
    assert talk.titles == ["T-Person"]


def test_an_answer_after_misses_starts_counting_again(talk: Talk) -> None:
    talk.go("bleu", "vert", "3", "bleu")
    assert talk.state.retries == 1 and not talk.state.numbered


def test_a_message_in_another_script_is_asked_in_french(talk: Talk) -> None:
    talk.say("مرحبا")
    assert talk.texts[0] == "T-OTHER-LANGUAGE. T-AGE-HINT."


@pytest.mark.parametrize(
    ("text", "kind", "said"),
    [
        ("", InboundKind.UNSUPPORTED, "T-UNSUPPORTED."),
        ("   ", InboundKind.TEXT, "T-EMPTY."),
        ("a" * 1001, InboundKind.TEXT, "T-TOO-LONG."),
    ],
)
def test_what_cannot_be_read_asks_the_question_again(
    talk: Talk, text: str, kind: InboundKind, said: str
) -> None:
    talk.say(text, kind=kind)
    assert talk.texts == [said, "Q1/7. T-AGE?"]
    assert talk.step == "age" and talk.state.retries == 0


# ---------------------------------------------------------------- buttons
def test_a_button_of_another_question_is_refused_kindly(talk: Talk) -> None:
    talk.say("/stage:idea")
    assert talk.texts == ["T-STALE.", "Q1/7. T-AGE?"]
    assert "stage" not in talk.slots


def test_a_forged_button_is_refused(talk: Talk) -> None:
    talk.say("/age:centenarian")
    assert talk.texts == ["T-UNKNOWN-BUTTON.", "Q1/7. T-AGE?"]
    assert "age_band" not in talk.slots


def test_a_channel_payload_is_a_press_whatever_the_text(talk: Talk) -> None:
    talk.say("Adult", payload="/age:adult")
    assert talk.slots["age_band"] == "adult"


# ---------------------------------------------------------------- free text
def test_free_text_about_the_person_is_kept_without_sensitive_words(talk: Talk) -> None:
    talk.go("/age:adult", "/stage:idea", "/sector:autre")
    talk.say("je suis musulman et je fais des gâteaux")
    assert talk.texts[0].startswith("T-REDACTED ")
    assert "musulman" not in str(talk.slots["pitch"])
    assert talk.step == "needs"


def test_free_text_takes_whatever_is_written(talk: Talk) -> None:
    talk.go("/age:adult", "/stage:idea", "/sector:autre", "une appli pour arrêter de fumer")
    assert talk.slots["pitch"] == "une appli pour arrêter de fumer"


def test_free_text_too_long_for_the_question_is_refused(talk: Talk) -> None:
    talk.go(*AT_CONSENT, "/consent_contact:yes", "/consent_relay:yes")
    talk.say("x" * 41)
    assert talk.texts[0] == "T-TEXT-LONG 40."


# ---------------------------------------------------------------- consents
@pytest.mark.parametrize(
    "said",
    [
        "bof",
        "je sais pas trop",
        "c bon",
        "👍",
        "ok ?",
        "oui si tu veux",
        "ouais non",
        "oui mais non",
    ],
)
def test_a_consent_needs_a_clear_yes_or_no(talk: Talk, said: str) -> None:
    talk.go(*AT_CONSENT)
    result = talk.say(said)
    assert not [e for e in result.effects if isinstance(e, RecordConsent)]
    assert "consent_contact" not in talk.slots
    assert talk.texts[-1] == "T-KEEP-CONTACT?"
    assert "T-CONSENT-UNCLEAR." in talk.texts[0]


@pytest.mark.parametrize(
    "said", ["non", "pas d'accord", "absolument pas", "non merci", "nan laisse tomber"]
)
def test_a_consent_taken_back_is_a_no(talk: Talk, said: str) -> None:
    talk.go(*AT_CONSENT)
    result = talk.say(said)
    [consent] = [e for e in result.effects if isinstance(e, RecordConsent)]
    assert not consent.granted
    assert talk.texts == ["T-NOTHING-KEPT."]


def test_a_consent_is_recorded_with_the_hash_of_the_text_shown(talk: Talk) -> None:
    talk.go(*AT_CONSENT, "oui")
    result = talk.say("oui d'accord")
    [consent] = [e for e in result.effects if isinstance(e, RecordConsent)]
    assert consent.granted
    assert consent.notice_hash == notice_hash("T-SEND-TO Julien?")
    assert consent.relay_id == "bge_lyon"


def test_a_question_at_a_consent_is_answered_then_the_consent_asked_again(talk: Talk) -> None:
    talk.go(*AT_CONSENT)
    talk.say("c'est gratuit ?")
    assert talk.texts == ["T-FAQ-FREE.", "T-KEEP-CONTACT?"]


def test_a_consent_shown_before_the_flow_changed_is_asked_again(talk: Talk) -> None:
    from dataclasses import replace

    talk.go(*AT_CONSENT)
    talk.state = replace(talk.state, flow_version="0-old")
    result = talk.say("oui")
    assert not [e for e in result.effects if isinstance(e, RecordConsent)]
    assert talk.texts == ["T-KEEP-CONTACT?"]
    talk.say("oui")
    assert talk.slots["consent_contact"] == "yes"


# ---------------------------------------------------------------- one number, two answers
BIZ: dict[str, Any] = {
    "flow": "biz",
    "title": "t",
    "steps": {
        "stage": {
            "ask": "T-STAGE?",
            "slot": "stage",
            "options": [
                {"id": "idea", "label": "An idea"},
                {"id": "young", "label": "Young", "range": [0, 2], "words": ["ma boite"]},
                {
                    "id": "established",
                    "label": "Established",
                    "range": [3, 200],
                    "words": ["ma boite"],
                    "next": "company_age",
                },
            ],
        },
        "young_end": {"end": "T-YOUNG."},
        "company_age": {
            "ask": "T-COMPANY-AGE?",
            "slot": "company_age",
            "options": [
                {"id": "3_5", "label": "3-5 years", "range": [3, 5]},
                {"id": "6_10", "label": "6-10 years", "range": [6, 10]},
                {"id": "10_plus", "label": "Over 10 years", "range": [11, 200]},
            ],
        },
        "headcount": {"ask": "T-HEADCOUNT?", "slot": "headcount", "expect": "number"},
        "bye": {"end": "T-BYE."},
    },
}


@pytest.fixture
def biz(test_flows: FlowSet, finder: PlaceFinder, actions: Mapping[str, Action]) -> Talk:
    talk = Talk(make_runner(with_flows(test_flows, BIZ, start_flow="biz"), finder, actions))
    talk.say("salut")
    return talk


@pytest.mark.parametrize(
    ("said", "company_age", "noted"),
    [
        ("ça fait 5 ans que j'ai ma boîte", "3_5", "3-5 years"),
        ("depuis 2018", "6_10", "6-10 years"),  # 2026 - 2018
        ("ma boite a 12 ans", "10_plus", "Over 10 years"),
    ],
)
def test_the_number_that_chose_a_stage_also_answers_the_company_age(
    biz: Talk, said: str, company_age: str, noted: str
) -> None:
    biz.say(said)
    assert biz.slots["stage"] == "established"
    assert biz.slots["company_age"] == company_age
    assert biz.texts == [f"T-NOTED {noted}.", "T-HEADCOUNT?"]


def test_a_number_typed_for_a_number_question(biz: Talk) -> None:
    biz.go("ça fait 5 ans que j'ai ma boîte", "on est 4 plus moi")
    assert biz.slots["headcount"] == 5
    assert biz.texts == ["T-BYE."]
