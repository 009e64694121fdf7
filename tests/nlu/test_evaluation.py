"""Evaluation figures (precision/recall/F1, entity F1, confusions, folds) and `bot nlu`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app.settings import PROJECT, Settings
from bot.cli import main
from bot.domain.understanding import Entity, Understanding
from bot.nlu.evaluation import Score, evaluate, folds
from bot.nlu.trainingdata import Example, NLUData
from tests.nlu.projects import tiny_project


def test_scores_from_counts() -> None:
    assert Score.of(3, 1, 1) == Score(0.75, 0.75, 0.75, 4)
    assert Score.of(0, 0, 0) == Score(0.0, 0.0, 0.0, 0)


async def test_a_report_counts_intents_entities_and_confusions() -> None:
    data = NLUData(
        (
            Example("salut", "greet"),
            Example("bonjour", "greet"),
            Example("stop", "stop"),
            Example("un snack", "start_project", (Entity("sector", "snack", 3, 8),)),
        ),
        synonyms={"snack": "restauration"},
    )
    answers = {
        "salut": Understanding("greet", 0.9),
        "bonjour": Understanding("stop", 0.8),
        "stop": Understanding("stop", 0.9),
        "un snack": Understanding(
            "start_project", 0.9, (Entity("sector", "restauration"), Entity("amount", "5"))
        ),
    }

    async def parse(text: str) -> Understanding:
        return answers[text]

    report = await evaluate(parse, data, data.synonyms)
    assert report.intents["greet"] == Score(1.0, 0.5, 2 / 3, 2)
    assert report.intents["stop"] == Score(0.5, 1.0, 2 / 3, 1)
    assert report.macro_f1 == pytest.approx((2 / 3 + 2 / 3 + 1.0) / 3)
    assert report.accuracy == 0.75
    assert report.entities["sector"] == Score(1.0, 1.0, 1.0, 1)  # "snack" read as its id
    assert report.entities["amount"].precision == 0.0  # found, but not annotated
    assert report.confusions == [("greet", "stop", 1, "bonjour")]


def test_folds_are_stratified_and_cover_every_example_once() -> None:
    examples = [Example(f"{intent} {i}", intent) for intent in "ab" for i in range(10)]
    parts = folds(examples, 5, seed=1)
    assert sorted(e.text for part in parts for e in part) == sorted(e.text for e in examples)
    for part in parts:
        assert [e.intent for e in part].count("a") == 2


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_RUNTIME_DIR", str(settings.runtime_dir))
    monkeypatch.setenv("BOT_NLU__CACHE_DIR", str(settings.nlu.cache_dir))
    monkeypatch.setenv("BOT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("BOT_FLOWS_DIR", str(settings.flows_dir))  # the tests' flows and FAQ


def test_bot_nlu_evaluate_prints_cross_validation_and_held_out_figures(
    env: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sample = tmp_path / "sample.yml"
    sample.write_text(
        'version: "3.1"\nnlu:\n- intent: stop\n  examples: |\n    - STOP\n    - arrêtez svp\n'
        "- intent: ask_funding\n  examples: |\n"
        '    - il me faut [5000](amount) € pour un [kebab]{"entity": "sector", '
        '"value": "restauration"}\n',
        encoding="utf-8",
    )
    # Cross-validation trains a model per fold: on a tiny project, to stay quick here.
    monkeypatch.setenv("BOT_NLU_DIR", str(tiny_project(tmp_path / "nlu")))
    args = ["nlu", "evaluate", "--backend", "embedded", "--folds", "2", "--data", str(sample)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "== 2-fold cross-validation on nlu/data (12 examples)" in out
    assert "ask_funding  " in out and "greet  " in out  # the cross-validation's figures
    assert f"held-out: {sample} (3 examples)" in out
    assert "macro-F1 1.000" in out
    assert "entity F1 1.000" in out
    assert "most confused" in out


def test_bot_nlu_evaluate_without_a_rasa_server_says_how_to_start_one(
    env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_NLU__RASA_URL", "http://127.0.0.1:9")  # nothing listens there
    held_out = PROJECT / "tests" / "nlu_data" / "heldout.yml"
    code = main(["nlu", "evaluate", "--backend", "rasa", "--folds", "0", "--data", str(held_out)])
    assert code == 2
    assert "scripts/rasa.sh serve" in capsys.readouterr().out


def test_bot_nlu_parse_shows_intent_and_entities(
    env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["nlu", "parse", "un snack à Vaulx 69120"]) == 0
    out = capsys.readouterr().out
    assert "entity: sector = restauration  « snack »" in out
    assert "entity: postal_code = 69120" in out


async def test_no_intent_at_all_is_a_miss_not_a_class() -> None:
    data = NLUData((Example("???", "out_of_scope"), Example("salut", "greet")))
    answers = {"???": Understanding(), "salut": Understanding("greet", 0.9)}

    async def parse(text: str) -> Understanding:
        return answers[text]

    report = await evaluate(parse, data, {})
    assert set(report.intents) == {"greet", "out_of_scope"}
    assert report.intents["out_of_scope"].recall == 0.0
    assert report.macro_f1 == 0.5
