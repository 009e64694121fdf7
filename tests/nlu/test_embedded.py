"""The embedded backend: intents, entities (typos, synonyms), threshold, odd input, model cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app.settings import PROJECT
from bot.app.understanding import faq_training
from bot.domain.text import fold
from bot.domain.understanding import Understanding
from bot.engine.loader import load_flows
from bot.nlu.classifier import IntentModel, export, fit_pipeline
from bot.nlu.embedded import OUT_OF_SCOPE, EmbeddedNLU, cache_path, make_embedded_nlu
from bot.nlu.entities import normalize_amount
from tests.conftest import TEST_FLOWS
from tests.nlu.projects import tiny_project


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("stop", "stop"),
        ("STOP", "stop"),
        ("arrêtez de m'écrire", "stop"),
        ("supprimez mes données", "delete_data"),
        ("je veux parler à quelqu'un", "ask_human"),
        ("bonjour !", "greet"),
        ("merci beaucoup", "thanks"),
        ("jveux monter ma boite", "start_project"),
        ("g pas d'argent", "ask_funding"),
        ("t'es un robot ?", "ask_bot"),
        ("ouais carrément", "affirm"),
    ],
)
async def test_typical_messages_get_their_intent(
    embedded_nlu: EmbeddedNLU, text: str, intent: str
) -> None:
    understood = await embedded_nlu.parse(text)
    assert understood.intent == intent
    assert understood.confidence >= 0.5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("un snack à Vaulx 69120", {"sector": "restauration", "postal_code": "69120"}),
        ("un snak a vaulx 69120", {"sector": "restauration", "postal_code": "69120"}),
        ("jveux ouvrir une boulangrie", {"sector": "artisanat"}),
        ("je suis coifeuse à Roubaix", {"sector": "beaute"}),
        ("mon foodtruk", {"sector": "restauration"}),
        ("une boîte de BTP", {"sector": "batiment"}),
        ("du prêt-à-porter", {"sector": "commerce"}),
        ("un KEBAB", {"sector": "restauration"}),
        ("g besoin de 15k", {"amount": "15000"}),
        ("il me faut 10 000 euros", {"amount": "10000"}),
        ("75000 € pour le local", {"amount": "75000"}),
        ("j'habite au 75011", {"postal_code": "75011"}),
    ],
)
def test_entities_with_typos_and_synonyms_get_canonical_values(
    embedded_nlu: EmbeddedNLU, text: str, expected: dict[str, str]
) -> None:
    entities = embedded_nlu.understand(text).entities
    assert {e.name: e.value for e in entities} == expected
    for entity in entities:  # offsets point into the text as written
        assert text[entity.start : entity.end].strip()


@pytest.mark.parametrize("text", ["je veux téléphoner", "il me reste 200 euros", "je cuisine"])
def test_ordinary_words_are_not_taken_for_a_misspelt_sector(
    embedded_nlu: EmbeddedNLU, text: str
) -> None:
    assert embedded_nlu.understand(text).entity("sector") is None


def test_below_the_threshold_the_intent_is_out_of_scope(embedded_nlu: EmbeddedNLU) -> None:
    strict = EmbeddedNLU(embedded_nlu.model, embedded_nlu.extractor, threshold=0.999)
    understood = strict.understand("jveux monter ma boite de snack")
    assert understood.intent == OUT_OF_SCOPE
    assert understood.entity("sector") == "restauration"  # entities are kept
    assert embedded_nlu.understand("jveux monter ma boite de snack").intent == "start_project"


@pytest.mark.parametrize("text", ["qsdkjqhsd", "xkcdjdjqq", "aaaaaaaaaaaaaaaaaaaa"])
def test_gibberish_is_out_of_scope(embedded_nlu: EmbeddedNLU, text: str) -> None:
    assert embedded_nlu.understand(text).intent == OUT_OF_SCOPE


ODD = [
    "",
    "   ",
    "😂😂😂",
    "a" * 20_000,
    "mot " * 5_000,
    bytes(range(256)).decode("latin-1"),
    "\ud800 lone surrogate",
    "\x00\x1b[31m",
    "٣٤٥ مرحبا שלום 你好",
    "9" * 300,
]


@pytest.mark.parametrize("text", ODD, ids=range(len(ODD)))
async def test_odd_input_never_raises(embedded_nlu: EmbeddedNLU, text: str) -> None:
    understood = await embedded_nlu.parse(text)
    assert isinstance(understood, Understanding)
    assert 0.0 <= understood.confidence <= 1.0


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300))
def test_any_text_is_understood_without_error(embedded_nlu: EmbeddedNLU, text: str) -> None:
    understood = embedded_nlu.understand(text)
    assert understood.intent is None or understood.intent in embedded_nlu.model.classes
    for entity in understood.entities:
        assert 0 <= entity.start < entity.end <= len(text)


def test_amounts_are_read_as_whole_euros() -> None:
    assert normalize_amount("10 000") == "10000"
    assert normalize_amount("2,5k") == "2500"
    assert normalize_amount("5 mille") == "5000"
    assert normalize_amount("8000e") == "8000"
    assert normalize_amount("rien") is None


def test_the_numpy_model_scores_exactly_like_scikit_learn() -> None:
    texts = ["bonjour", "salut toi", "coucou", "stop", "arrête", "laisse moi", "un prêt", "argent"]
    intents = ["greet"] * 3 + ["stop"] * 3 + ["ask_funding"] * 2
    pipeline = fit_pipeline(texts * 2, intents * 2)
    model = export(pipeline)
    probes = ["bonjour stop", "un prêt svp", "", "zzz"]
    expected = pipeline.predict_proba(probes)
    got = np.array([model.probabilities(p) for p in probes])
    assert np.allclose(got, expected, atol=1e-5)


def test_the_model_is_trained_once_then_loaded_from_the_cache(tmp_path: Path) -> None:
    project, cache = tiny_project(tmp_path / "nlu"), tmp_path / "cache"
    first = make_embedded_nlu(project, cache, isolate=False)
    [saved] = cache.glob("intents-*.npz")
    stamp = saved.stat().st_mtime_ns
    second = make_embedded_nlu(project, cache, isolate=False)
    assert saved.stat().st_mtime_ns == stamp  # loaded, not trained again
    assert second.model.vocabulary == first.model.vocabulary
    assert second.understand("salut").intent == "greet"
    assert second.understand("un pret pour mon snack").entity("sector") == "restauration"
    # Changing the data changes the key: the next start trains a new model.
    with (project / "data" / "nlu.yml").open("a", encoding="utf-8") as out:
        out.write("- intent: thanks\n  examples: |\n    - merci\n    - thx\n    - merci bcp\n")
    assert cache_path(project / "data", cache) != saved
    third = make_embedded_nlu(project, cache, isolate=False)
    assert "thanks" in third.model.classes


def test_a_damaged_cache_file_is_replaced(tmp_path: Path) -> None:
    project, cache = tiny_project(tmp_path / "nlu"), tmp_path / "cache"
    path = cache_path(project / "data", cache)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a model")
    nlu = make_embedded_nlu(project, cache, isolate=False)
    assert nlu.understand("bonjour").intent == "greet"
    assert IntentModel.load(path).classes == nlu.model.classes


def test_training_in_a_child_process_fills_the_same_cache(tmp_path: Path) -> None:
    project, cache = tiny_project(tmp_path / "nlu"), tmp_path / "cache"
    nlu = make_embedded_nlu(project, cache, isolate=True)
    assert cache_path(project / "data", cache).exists()
    assert nlu.understand("stop").intent == "stop"


# Questions of flows/faq.yml, none written as in its examples.
FAQ_QUESTIONS = [
    ("est ce que c'est payant", "faq_gratuit"),
    ("ça coûte quelque chose ?", "faq_gratuit"),
    ("quand est-ce que quelqu'un va me rappeler ?", "faq_suite"),
    ("vous allez faire quoi avec mes infos ?", "faq_donnees"),
    ("combien de temps ça dure tout ça ?", "faq_duree"),
]


def test_the_faq_of_the_flows_is_trained_with_the_nlu(embedded_nlu: EmbeddedNLU) -> None:
    flows = load_flows(PROJECT / "flows")
    intents = {entry.intent_name for entry in flows.faq.faq}
    assert {"faq_gratuit", "faq_suite", "ask_bot"} <= intents
    assert intents <= set(embedded_nlu.model.classes)
    training = faq_training(flows)
    assert set(training.intents) == intents
    for text in (text for text, _ in FAQ_QUESTIONS):
        assert fold(text) not in {fold(e.text) for e in training.examples}


@pytest.mark.parametrize(("text", "intent"), FAQ_QUESTIONS)
async def test_a_clear_faq_question_gets_its_faq_intent(
    embedded_nlu: EmbeddedNLU, text: str, intent: str
) -> None:
    understood = await embedded_nlu.parse(text)
    assert understood.intent == intent
    assert understood.confidence >= 0.5


def test_is_it_free_went_from_ask_bot_to_the_faq(embedded_nlu: EmbeddedNLU) -> None:
    assert embedded_nlu.understand("is it free").intent == "faq_gratuit"
    assert embedded_nlu.understand("t'es un robot ?").intent == "ask_bot"


HOURS = """\
faq:
  - id: horaires
    examples:
      - vous êtes ouverts quand
      - c'est quoi vos horaires
      - vous ouvrez a quelle heure
      - vous fermez a quelle heure
      - c ouvert le samedi ?
      - quels sont les horaires
      - horaires d'ouverture
      - vous etes la le dimanche ?
    answer: "T-HOURS."
unknown: "T-FAQ-UNKNOWN."
"""


def test_faq_examples_train_their_own_intent_and_change_the_cache_key(tmp_path: Path) -> None:
    project, cache = tiny_project(tmp_path / "nlu"), tmp_path / "cache"
    flows = tmp_path / "flows"
    shutil.copytree(TEST_FLOWS, flows)
    (flows / "faq.yml").write_text(HOURS, encoding="utf-8")
    extra = faq_training(load_flows(flows))
    assert extra.intents == ["faq_horaires"]
    without = make_embedded_nlu(project, cache, isolate=False)
    assert "faq_horaires" not in without.model.classes
    with_faq = make_embedded_nlu(project, cache, isolate=False, extra=extra)  # not the cached
    assert "faq_horaires" in with_faq.model.classes
    assert with_faq.understand("a quelle heure vous ouvrez ?").intent == "faq_horaires"
    assert with_faq.understand("salut").intent == "greet"  # the project's intents stay
    assert len(list(cache.glob("intents-*.npz"))) == 2
