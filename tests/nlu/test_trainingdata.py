"""The Rasa-format NLU project: files load, the intent contract holds, held-out stays apart."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.app.settings import PROJECT
from bot.domain.understanding import Entity
from bot.engine.loader import load_flows
from bot.engine.schema import ChoiceStep
from bot.nlu.entities import fold_words
from bot.nlu.trainingdata import NLUDataError, load_nlu_data, parse_example, parse_nlu_yaml

NLU = PROJECT / "nlu"
HELD_OUT = PROJECT / "tests" / "nlu_data" / "heldout.yml"
CONTRACT = {
    "greet",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "start_project",
    "already_running",
    "ask_funding",
    "ask_human",
    "stop",
    "delete_data",
    "ask_bot",
    "out_of_scope",
}


def test_the_rasa_config_is_an_nlu_pipeline() -> None:
    config = yaml.safe_load((NLU / "config.yml").read_text(encoding="utf-8"))
    assert config["language"] == "fr"
    names = [component["name"] for component in config["pipeline"]]
    assert "DIETClassifier" in names and "FallbackClassifier" in names
    # Lookup matches must be mapped to canonical ids, so the synonym mapper comes after.
    assert names.index("RegexEntityExtractor") < names.index("EntitySynonymMapper")


@pytest.mark.parametrize("path", sorted((NLU / "data").glob("*.yml")), ids=lambda p: p.name)
def test_every_training_file_loads(path: Path) -> None:
    data = load_nlu_data(path)
    assert data.examples or data.synonyms or data.lookups or data.regexes


def test_every_contract_intent_has_at_least_40_examples() -> None:
    counts = Counter(e.intent for e in load_nlu_data(NLU / "data").examples)
    assert set(counts) == CONTRACT
    assert min(counts.values()) >= 40


def test_sector_values_are_the_intake_flow_sector_ids() -> None:
    flows = load_flows(PROJECT / "flows")
    step = flows.flow("intake").steps["secteur"]
    assert isinstance(step, ChoiceStep) and step.entity == "sector"
    ids = {o.id for o in step.options}
    data = load_nlu_data(NLU / "data")
    assert set(data.synonyms.values()) <= ids
    annotated = {
        data.synonyms.get(" ".join(fold_words(e.value)), e.value)
        for example in data.examples
        for e in example.entities
        if e.name == "sector"
    }
    assert annotated <= ids
    assert {"sector", "postal_code", "amount"} <= set(data.lookups) | set(data.regexes)


def test_the_held_out_set_covers_every_intent_and_is_never_trained_on() -> None:
    training = {" ".join(fold_words(e.text)) for e in load_nlu_data(NLU / "data").examples}
    held_out = load_nlu_data(HELD_OUT)
    assert {e.intent for e in held_out.examples} == CONTRACT
    assert not [e.text for e in held_out.examples if " ".join(fold_words(e.text)) in training]


def test_annotations_in_the_three_rasa_forms() -> None:
    example = parse_example(
        'un [snack]{"entity": "sector", "value": "restauration"} à [69120](postal_code) '
        "pour [5k](amount:5000)",
        "start_project",
    )
    assert example.text == "un snack à 69120 pour 5k"
    assert example.entities == (
        Entity("sector", "restauration", 3, 8),
        Entity("postal_code", "69120", 11, 16),
        Entity("amount", "5000", 22, 24),
    )


def test_unreadable_files_are_reported_with_their_name() -> None:
    with pytest.raises(NLUDataError, match=r"broken\.yml"):
        parse_nlu_yaml("nlu: [unclosed", "broken.yml")
    with pytest.raises(NLUDataError, match="regex"):
        parse_nlu_yaml('nlu:\n- regex: x\n  examples: |\n    - "(("\n', "bad.yml")
