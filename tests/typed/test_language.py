"""Language detection on short messages: the set of benchmarks/language.py, and edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from bot.typed.language import detect

DATA = Path(__file__).resolve().parents[1] / "lang_data" / "detection.yml"


def test_the_detection_set_is_read_right_at_least_97_percent_of_the_time() -> None:
    data = YAML(typ="safe").load(DATA.read_text(encoding="utf-8"))
    cases = [(str(text), lang) for lang, texts in data.items() for text in texts]
    assert len(cases) >= 300
    right = sum(1 for text, lang in cases if detect(text).lang == lang)
    assert right / len(cases) >= 0.97


@pytest.mark.parametrize("text", ["69120", "ok", "👍", "", "25", "?"])
def test_no_language_in_numbers_ok_or_emoji(text: str) -> None:
    assert detect(text).lang is None


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("أريد أن أفتح مطعما", "ar"),
        ("do you speak English?", "en"),
        ("je veux ouvrir un restaurant", "fr"),
        ("bghit ndir mashrou3", "ar"),
    ],
)
def test_sentences_are_sure(text: str, lang: str) -> None:
    guess = detect(text)
    assert guess.lang == lang
    assert guess.sure
