"""The pure runner: state + event in, replies + effects + state out, no I/O at all."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.messages import Inbound, InboundKind
from bot.domain.understanding import Entity, Understanding
from bot.engine.actions import Outcome
from bot.engine.loader import FlowSet, LoadedFlow
from bot.engine.runner import Runner
from bot.engine.schema import Flow, Global
from bot.engine.state import ConversationState, CreateLead, Forget, Mode, RecordConsent, Status
from bot.engine.turn import TurnResult, notice_hash
from bot.geo.postal import Place, PostalIndex

GLOBAL: dict[str, Any] = {
    "settings": {"start_flow": "main", "max_retries": 2},
    "commands": [
        {"id": "stop", "words": ["stop"], "intents": ["stop"], "do": "stop", "reply": "Arrêté."},
        {"id": "human", "words": ["humain"], "do": {"flow": "human"}, "reply": "Je passe la main."},
        {"id": "help", "words": ["?"], "do": "help", "reply": "Aide."},
    ],
    "messages": {
        "retry": "{reason}",
        "offer_human": "Une personne ?",
        "stale_button": "Bouton périmé.",
        "unknown_button": "Bouton inconnu.",
        "unsupported": "Je ne lis que le texte.",
        "empty": "Vide.",
        "too_long": "Trop long.",
        "welcome_back": "Ça a changé.",
        "broken": "Perdu.",
    },
}
MAIN: dict[str, Any] = {
    "flow": "main",
    "title": "t",
    "steps": {
        "hello": {"say": "Bonjour {name}"},
        "color": {
            "ask": "Couleur ?",
            "slot": "color",
            "entity": "color",
            "options": [{"id": "red", "label": "Rouge"}, {"id": "blue", "label": "Bleu"}],
        },
        "route": {"branch": [{"if": {"color": ["red"]}, "goto": "sub"}], "next": "many"},
        "sub": {"call": "side", "next": "many"},
        "many": {
            "ask": "Lesquels ?",
            "slot": "items",
            "multiple": True,
            "options": [
                {"id": "a", "label": "Alpha"},
                {"id": "b", "label": "Bravo"},
                {"id": "c", "label": "Charlie"},
            ],
        },
        "where": {"ask": "Où ?", "slot": "postal_code", "expect": "location"},
        "agree": {"consent": "contact", "text": "On garde ton contact, {color} ?"},
        "lead": {"action": "create_lead"},
        "bye": {"end": "Au revoir."},
    },
}
SIDE = {"flow": "side", "title": "t", "steps": {"note": {"say": "Détour."}}}
HUMAN = {"flow": "human", "title": "t", "steps": {"h": {"end": "Une personne arrive."}}}


def _flowset(*flows: dict[str, Any]) -> FlowSet:
    loaded = {}
    for data in flows:
        flow = Flow.model_validate(data)
        loaded[flow.flow] = LoadedFlow(flow, f"{flow.flow}.yml", "0" * 64, tuple(flow.steps))
    return FlowSet(loaded, Global.model_validate(GLOBAL), "0" * 64)


def _create_lead(slots: Any, args: Any) -> Outcome:
    if slots.get("consent_contact") != "yes":
        return Outcome()
    return Outcome(effects=(CreateLead(dict(slots)),))


PLACES = PostalIndex(
    [
        Place("59100", "59512", "Roubaix"),
        Place("93200", "93066", "Saint-Denis"),
        Place("97400", "97411", "Saint-Denis"),
    ]
)


@pytest.fixture
def runner() -> Runner:
    return Runner(_flowset(MAIN, SIDE, HUMAN), PLACES, {"create_lead": _create_lead})


class Talk:
    """Feeds events to the runner and keeps the state between them."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self.state = ConversationState()
        self.last: TurnResult | None = None

    def __call__(self, text: str = "", **kwargs: Any) -> TurnResult:
        understanding = kwargs.pop("understanding", Understanding())
        self.last = self.runner.run(self.state, Inbound("test", "u", text, **kwargs), understanding)
        self.state = self.last.state
        return self.last

    @property
    def texts(self) -> list[str]:
        assert self.last is not None
        return [r.text for r in self.last.replies]


def test_first_message_starts_the_flow_and_interpolates_missing_slots(runner: Runner) -> None:
    talk = Talk(runner)
    talk("coucou")
    assert talk.texts == ["Bonjour —", "Couleur ?"]
    assert talk.state.status is Status.ACTIVE and talk.state.step == "color"


def test_label_number_and_typo_all_choose_an_option(runner: Runner) -> None:
    for answer in ("Bleu", "2", "bleue", "/color:blue"):
        talk = Talk(runner)
        talk("salut")
        talk(answer)
        assert talk.state.slots["color"] == "blue", answer


def test_branch_calls_a_flow_that_returns_to_the_next_step(runner: Runner) -> None:
    talk = Talk(runner)
    talk("salut")
    talk("/color:red")
    assert talk.texts == ["Détour.", "Lesquels ?"]
    assert talk.state.flow == "main" and talk.state.stack == ()


def test_multiple_choice_by_buttons_or_numbers(runner: Runner) -> None:
    talk = Talk(runner)
    talk("salut")
    talk("/color:blue")
    talk("/many:a")
    talk("/many:c")
    assert talk.state.slots["items"] == ["a", "c"]
    assert "✔ Alpha" in [b.title for b in talk.last.replies[-1].buttons]  # type: ignore[union-attr]
    talk("/many:a")
    assert talk.state.slots["items"] == ["c"]
    talk("/many:_done")
    assert talk.state.step == "where"
    other = Talk(runner)
    other("salut")
    other("Bleu")
    other("1, 3")
    assert other.state.slots["items"] == ["a", "c"] and other.state.step == "where"


def test_invalid_answers_are_asked_again_then_a_person_is_offered(runner: Runner) -> None:
    talk = Talk(runner)
    talk("salut")
    talk("vert")
    assert talk.texts == ["Choisis une des réponses avec les boutons.", "Couleur ?"]
    talk("violet")
    assert talk.state.mode is Mode.OFFER_HUMAN
    assert [b.title for b in talk.last.replies[-1].buttons] == ["Parler à quelqu'un", "Réessayer"]  # type: ignore[union-attr]
    talk("/_sys:human")
    assert talk.texts == ["Je passe la main.", "Une personne arrive.", "Couleur ?"]


def test_stale_and_forged_buttons_are_refused_kindly(runner: Runner) -> None:
    talk = Talk(runner)
    talk("salut")
    talk("/many:a")
    assert talk.texts == ["Bouton périmé.", "Couleur ?"]
    talk("/color:green")
    assert talk.texts == ["Bouton inconnu.", "Couleur ?"]
    assert "color" not in talk.state.slots


def test_an_ambiguous_commune_is_picked_from_buttons(runner: Runner) -> None:
    talk = Talk(runner)
    talk("salut")
    talk("Bleu")
    talk("1")
    talk("/many:_done")
    talk("saint denis")
    assert talk.state.mode is Mode.PICK
    titles = [b.title for b in talk.last.replies[-1].buttons]  # type: ignore[union-attr]
    assert titles[:2] == ["Saint-Denis (93200)", "Saint-Denis (97400)"]
    talk("/_sys:p1")
    assert talk.state.slots["postal_code"] == "97400"
    assert talk.state.slots["department"] == "974"


def test_consent_is_recorded_with_the_hash_of_the_exact_text(runner: Runner) -> None:
    talk = Talk(runner)
    talk("salut")
    talk("Bleu")
    talk("2")
    talk("/many:_done")
    talk("59100")
    result = talk("/agree:yes")
    [consent] = [e for e in result.effects if isinstance(e, RecordConsent)]
    assert consent.granted and consent.notice_hash == notice_hash("On garde ton contact, Bleu ?")
    assert any(isinstance(e, CreateLead) for e in result.effects)


def test_no_lead_without_consent_whatever_the_flow_says(runner: Runner) -> None:
    talk = Talk(runner)
    talk("salut")
    talk("Bleu")
    talk("2")
    talk("/many:_done")
    talk("59100")
    result = talk("non")
    assert not any(isinstance(e, CreateLead) for e in result.effects)
    assert talk.state.status is Status.DONE


def test_stop_without_consent_forgets_everything(runner: Runner) -> None:
    talk = Talk(runner)
    talk("salut")
    result = talk("STOP")
    assert talk.texts == ["Arrêté."]
    assert result.effects == (Forget(),)
    assert talk.state.status is Status.STOPPED and not talk.state.slots


def test_intent_from_nlu_triggers_a_command(runner: Runner) -> None:
    talk = Talk(runner)
    talk("salut")
    talk("arretez svp", understanding=Understanding("stop", 0.95))
    assert talk.state.status is Status.STOPPED


def test_entities_fill_slots_so_their_questions_are_skipped(runner: Runner) -> None:
    talk = Talk(runner)
    talk("du bleu à Roubaix", understanding=Understanding(None, 0, (Entity("color", "blue"),)))
    assert talk.state.slots["color"] == "blue"
    assert talk.texts[-1] == "Lesquels ?"


def test_unsupported_media_and_empty_text_reask_the_question(runner: Runner) -> None:
    talk = Talk(runner)
    talk("salut")
    talk(kind=InboundKind.UNSUPPORTED, media="voice")
    assert talk.texts == ["Je ne lis que le texte.", "Couleur ?"]
    talk("   ")
    assert talk.texts == ["Vide.", "Couleur ?"]


def test_a_conversation_on_a_removed_step_restarts_kindly(runner: Runner) -> None:
    talk = Talk(runner)
    talk.state = ConversationState(flow="main", step="gone", status=Status.ACTIVE)
    talk("Bleu")
    assert talk.texts[0] == "Ça a changé."
    assert talk.state.step == "color"


def test_state_survives_a_json_round_trip(runner: Runner) -> None:
    talk = Talk(runner)
    talk("salut")
    talk("/color:red")
    assert ConversationState.from_json(talk.state.to_json()) == talk.state
