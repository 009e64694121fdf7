"""The check of translation files: missing, stale, placeholders, Arabic lines, plain English."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.flowtools.check import check_flows
from bot.flowtools.lint_translations import flesch_english
from tests.conftest import SHIPPED_FLOWS


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(SHIPPED_FLOWS, target)
    return target


def _messages(folder: Path) -> list[str]:
    return [f.message for f in check_flows(folder).findings]


def test_the_shipped_translations_are_complete_and_up_to_date() -> None:
    assert not [m for m in _messages(SHIPPED_FLOWS) if "traduit" in m or "difficile" in m]


def test_a_changed_french_text_makes_its_translations_stale(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    intake = folder / "intake.yml"
    intake.write_text(
        intake.read_text(encoding="utf-8").replace(
            "Explique ton projet en une phrase.", "Dis-moi ton projet en une phrase."
        ),
        encoding="utf-8",
    )
    stale = [m for m in _messages(folder) if "changé(s) depuis la traduction" in m]
    assert len(stale) == 2 and all("intake.pitch.ask" in m for m in stale)


def test_a_missing_text_a_lost_placeholder_and_an_unmarked_arabic_line(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    english = folder / "langues" / "en.yml"
    lines = english.read_text(encoding="utf-8").splitlines()
    english.write_text(
        "\n".join(
            line.replace("{commune}", "the town")
            for line in lines
            if not line.startswith("  intake.age.ask:")
        ),
        encoding="utf-8",
    )
    arabic = folder / "langues" / "ar.yml"
    arabic.write_text(arabic.read_text(encoding="utf-8").replace("\u200f", ""), encoding="utf-8")
    found = _messages(folder)
    assert any("pas encore traduit" in m and "intake.age.ask" in m for m in found)
    assert any("intake.lieu_ok.ask" in m and "{...}" in m for m in found)
    assert any("droite à gauche" in m for m in found)


def test_plain_english_scores_high_and_long_words_low() -> None:
    assert flesch_english("Hi! How old are you?")[0] > 80
    assert (
        flesch_english(
            "Notwithstanding administrative considerations, comprehensive documentation "
            "regarding organisational eligibility requirements is mandatory."
        )[0]
        < 30
    )
