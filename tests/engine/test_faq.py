"""Questions residents ask in the middle of a chat, and after its end (``faq.yml``)."""

from __future__ import annotations

import pytest

from bot.domain.understanding import Understanding
from bot.engine import faq
from bot.engine.runner import Runner
from bot.engine.state import SlotValue, Status
from tests.engine.talk import TO_PLACE, Talk

AT_PITCH = ("/age:adult", "/stage:idea", "/sector:autre")
TO_CONSENT_RELAY = (*TO_PLACE, "69008", "/contact_pref:message", "/consent_contact:yes")
SENT = (*TO_CONSENT_RELAY, "/consent_relay:yes", "Sam")
KEPT = (*TO_CONSENT_RELAY, "/consent_relay:no", "/first_name:skip")


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("c'est gratuit ?", True),
        ("c'est gratuit", False),
        ("combien ça coûte", True),
        ("c quoi l'adie", True),
        ("est ce que je peux venir avec mon frère", True),
        ("est-ce que je peux venir avec mon frère", True),
        ("qu'est-ce que c'est", True),
        ("pourquoi tu demandes ça", True),
        ("34", False),
        ("je vends des gâteaux", False),
        ("quiche lorraine", False),  # "qui" only as a whole word
    ],
)
def test_a_message_looks_like_a_question(text: str, asks: bool) -> None:
    assert faq.looks_like_question(text) is asks


@pytest.mark.parametrize(
    ("text", "confidence", "where", "found"),
    [
        ("c payant ?", 0.46, {}, True),  # a question: likely is enough
        ("c payant ?", 0.4, {}, False),
        ("c'est payant", 0.85, {}, True),  # sure, even without a question mark
        ("c'est payant", 0.6, {}, False),
        ("c'est payant", 0.55, {"unanswered": True}, True),  # it answers nothing
        ("c payant ?", 0.85, {"free_text": True}, True),
        ("je vends des trucs gratuits", 0.85, {"free_text": True}, False),
        ("je vends des trucs gratuits", 0.95, {"free_text": True}, True),
        ("C'est gratuit ?", 0.0, {}, True),  # a coordinator's example, whatever the NLU
    ],
)
def test_how_sure_the_nlu_must_be_depends_on_where_we_are(
    runner: Runner, text: str, confidence: float, where: dict[str, bool], found: bool
) -> None:
    understanding = Understanding("faq_gratuit" if confidence else None, confidence)
    entry = faq.match(runner.kit, text, understanding, **where)
    assert (entry is not None and entry.id == "free") is found


def test_a_question_is_answered_then_the_question_waiting_asked_again(talk: Talk) -> None:
    talk.say("c payant ?", intent="faq_gratuit", confidence=0.6)
    assert talk.heard == "faq:free"
    assert talk.texts == ["T-FAQ-FREE.", "Q1/7. T-AGE?"]
    assert talk.step == "age" and talk.state.retries == 0


def test_a_close_call_between_two_questions_is_not_answered_at_random(talk: Talk) -> None:
    talk.say("c payant ?", intent="faq_gratuit", confidence=0.6, runner_up=0.5)
    assert talk.texts == ["T-FAQ-UNKNOWN.", "Q1/7. T-AGE?"]


def test_a_real_question_naming_a_choice_is_not_an_answer(talk: Talk) -> None:
    talk.go(*AT_PITCH, "/pitch:skip")
    talk.say("c'est quoi un local ?")
    assert "needs" not in talk.slots
    assert talk.texts == ["T-FAQ-UNKNOWN.", "Q5/7. T-NEEDS?"]


def test_an_answer_wins_over_an_faq_intent_without_a_question_mark(talk: Talk) -> None:
    talk.say("34", intent="faq_gratuit", confidence=0.85)
    assert talk.slots["age_band"] == "adult"


def test_a_question_mark_puts_the_question_first(talk: Talk) -> None:
    talk.go(*AT_PITCH)
    talk.say("c'est payant si j'ai une appli ?", intent="faq_gratuit", confidence=0.85)
    assert talk.texts == ["T-FAQ-FREE.", "Q4/7. T-PITCH?"]
    assert "pitch" not in talk.slots


def test_free_text_that_merely_sounds_like_a_question_is_kept(talk: Talk) -> None:
    talk.go(*AT_PITCH)
    talk.say("je vends des trucs gratuits", intent="faq_gratuit", confidence=0.85)
    assert talk.slots["pitch"] == "je vends des trucs gratuits"


def test_a_question_the_faq_does_not_know_gets_the_unknown_answer(talk: Talk) -> None:
    talk.say("tu aimes le foot ?")
    assert talk.heard == "faq:unknown"
    assert talk.texts == ["T-FAQ-UNKNOWN.", "Q1/7. T-AGE?"]


def test_an_answer_may_quote_what_the_question_names(talk: Talk) -> None:
    talk.say("c'est quoi l'adie ?", intent="faq_dispositif", confidence=0.9)
    assert talk.texts[0] == "T-FAQ-SCHEME Adie."
    talk.say("c'est quoi le truc machin ?", intent="faq_dispositif", confidence=0.9)
    assert talk.texts[0] == "T-FAQ-SCHEME-UNKNOWN."


# ---------------------------------------------------------------- after the end
@pytest.mark.parametrize(
    ("context", "said"),
    [
        (
            {
                "case_status": "waiting",
                "case_relay": "Julien",
                "case_due": "2026-12-01T17:00:00+01:00",
            },
            "T-FAQ-NEXT-WAITING Julien mardi 1er décembre.",
        ),
        (
            {"case_status": "accepted", "case_relay": "Julien"},
            "T-FAQ-NEXT-ACCEPTED Julien by message.",
        ),
        ({}, "T-FAQ-NEXT-BEFORE."),
    ],
)
def test_after_the_end_who_calls_me_is_answered_from_the_case(
    talk: Talk, context: dict[str, SlotValue], said: str
) -> None:
    talk.go(*SENT)
    talk.say("qui va m'appeler ?", intent="faq_suite", context=context)
    assert talk.heard == "faq:next"
    assert talk.texts == [said]
    assert talk.state.status is Status.DONE


def test_after_the_end_a_kept_case_says_so(talk: Talk) -> None:
    talk.go(*KEPT)
    talk.say("qui va m'appeler ?")
    assert talk.texts == ["T-FAQ-NEXT-KEPT."]


@pytest.mark.parametrize(
    ("said", "intent", "reply"), [("merci", "thanks", "T-THANKS."), ("bye", "goodbye", "T-BYE.")]
)
def test_after_the_end_thanks_get_a_polite_word_only(
    talk: Talk, said: str, intent: str, reply: str
) -> None:
    talk.go(*SENT)
    talk.say(said, intent=intent)
    assert talk.texts == [reply]
    assert talk.state.status is Status.DONE


def test_after_the_end_anything_else_opens_the_after_flow(talk: Talk) -> None:
    talk.go(*SENT)
    talk.say("coucou", intent="greet")
    assert talk.texts == ["T-AFTER?"]
    talk.say("qui va me contacter")
    assert talk.texts == ["T-FAQ-NEXT-BEFORE.", "T-AFTER-BYE."]


def test_after_the_end_a_conversation_that_kept_nothing_starts_over(talk: Talk) -> None:
    talk.go(*TO_PLACE, "69008", "/contact_pref:message", "/consent_contact:no")
    assert talk.state.status is Status.DONE and talk.slots == {}
    talk.say("qui va m'appeler ?")
    assert talk.texts[-1] == "Q1/7. T-AGE?"
