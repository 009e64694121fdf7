"""Coordinators' tests: read with their lines, and a failure explained in French."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app.bot import Bot
from bot.app.flowtools import BotProbe
from bot.engine.yamlfiles import FlowError
from bot.flowtools.playback import play
from bot.flowtools.scenarios import load_scenarios


def _tests(folder: Path, content: str) -> Path:
    (folder / "tests").mkdir(exist_ok=True)
    (folder / "tests" / "essai.yml").write_text(content, encoding="utf-8")
    return folder


async def _outcome(bot: Bot, folder: Path, content: str) -> str:
    [scenario] = [s for s in load_scenarios(_tests(folder, content)) if s.file == "tests/essai.yml"]
    outcome = await play(BotProbe(bot), scenario, "essai")
    assert not outcome.ok
    assert outcome.failure is not None
    return outcome.failure


async def test_a_wrong_expectation_names_the_line_and_what_the_bot_said(
    bot: Bot, tmp_path: Path
) -> None:
    failure = await _outcome(
        bot,
        tmp_path,
        "tests:\n"
        "  - name: Essai\n"
        "    turns:\n"
        "      - say: salut\n"
        "        expect: {says: Q1/7}\n"
        "      - press: Adult\n"
        "        expect: {says: Quel âge as-tu ?}\n",
    )
    assert failure.startswith("tests/essai.yml, ligne 6 : le bot devait dire « Quel âge as-tu ? ».")
    assert "Il a dit : « Q2/7. T-STAGE? »" in failure


@pytest.mark.parametrize(
    ("turn", "message"),
    [
        (
            "- press: Peut-être",
            "pas de bouton « Peut-être » à cet endroit. Boutons proposés : « Under 15 », « 15-17",
        ),
        (
            "- say: salut\n        expect: {asks: stage}",
            "devait poser la question « stage », mais elle en est à « age »",
        ),
        (
            "- say: salut\n        expect: {slots: {stage: idea}}",
            "la réponse « stage » devait valoir « idea », elle vaut vide",
        ),
        (
            "- say: salut\n        expect: {lead: true}",
            "une demande devait être enregistrée, il n'y en a pas",
        ),
        (
            "- say: salut\n        expect: {ends: true}",
            "la conversation devait être finie, elle continue",
        ),
        (
            "- say: salut\n        expect: {forgotten: true}",
            "le bot devait tout oublier, mais il garde la conversation",
        ),
        (
            "- say: salut\n        expect: {not_says: T-AGE?}",
            "le bot ne devait pas dire « T-AGE? »",
        ),
        (
            "- say: salut\n        expect: {buttons: [Peut-être]}",
            "le bot devait proposer « Peut-être »",
        ),
    ],
)
async def test_each_expectation_fails_in_french_with_its_line(
    bot: Bot, tmp_path: Path, turn: str, message: str
) -> None:
    failure = await _outcome(
        bot,
        tmp_path,
        f"tests:\n  - name: Essai\n    turns:\n      - say: salut\n      {turn}\n",
    )
    assert failure.startswith("tests/essai.yml, ligne 5 : "), failure
    assert message in failure, failure


def test_a_badly_written_test_is_explained_with_its_line(tmp_path: Path) -> None:
    folder = _tests(
        tmp_path,
        "tests:\n  - name: Essai\n    turns:\n      - say: salut\n        press: Oui\n",
    )
    with pytest.raises(FlowError) as caught:
        load_scenarios(folder)
    [problem] = caught.value.problems
    assert (problem.file, problem.line) == ("tests/essai.yml", 4)
    assert "une seule chose" in problem.message
