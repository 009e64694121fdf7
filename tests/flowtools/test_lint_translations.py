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


def test_buttons_too_long_in_a_language_are_reported_for_that_language(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    english, arabic = folder / "langues" / "en.yml", folder / "langues" / "ar.yml"
    long_row = "A choice far too long for a WhatsApp row"
    text = english.read_text(encoding="utf-8")
    text = text.replace(
        'intake.etape.options.idea.label: "I have an idea"',
        (f'intake.etape.options.idea.label: "{long_row}"'),
    )
    text = text.replace(
        'global.messages.offer_human_yes: "Talk to someone"',
        'global.messages.offer_human_yes: "Talk to a real person near where you live"',
    )
    english.write_text(text, encoding="utf-8")
    text = arabic.read_text(encoding="utf-8")
    arabic.write_text(
        text.replace(
            'global.messages.channel_list_button: "رؤية الاختيارات"',
            'global.messages.channel_list_button: "اضغط هنا لرؤية كل الاختيارات"',
        ),
        encoding="utf-8",
    )
    findings = check_flows(folder).findings
    flagged = {(f.file, m) for f in findings for m in (f.message,)}
    assert any(f == "langues/en.yml" and long_row in m and "coupé" in m for f, m in flagged)
    assert any(f == "langues/en.yml" and "offer_human_yes" in m for f, m in flagged)
    assert any(f == "langues/ar.yml" and "channel_list_button" in m for f, m in flagged)
    # The French and the other language are not blamed for it.
    assert not any(f == "langues/ar.yml" and "offer_human_yes" in m for f, m in flagged)
    assert not any(f == "global.yml" and "coupé" in m for f, m in flagged)


def test_the_shipped_buttons_fit_in_every_language() -> None:
    findings = check_flows(SHIPPED_FLOWS).findings
    assert not [f for f in findings if "coupé" in f.message or "Telegram" in f.message]
