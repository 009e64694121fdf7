"""The intent contract in English and Arabic: held-out sets the size of the French one,
macro-F1 within 0.05 of French on the embedded backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu.embedded import EmbeddedNLU
from bot.nlu.evaluation import evaluate
from bot.nlu.trainingdata import load_nlu_data

ROOT = Path(__file__).resolve().parents[2]
HELD = ROOT / "tests" / "nlu_data"
SYNONYMS = load_nlu_data(ROOT / "nlu" / "data").synonyms


def _counts(path: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for example in load_nlu_data(path).examples:
        counts[example.intent] = counts.get(example.intent, 0) + 1
    return counts


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_held_out_sets_have_the_size_of_the_french_one(lang: str) -> None:
    assert _counts(HELD / f"heldout_{lang}.yml") == _counts(HELD / "heldout.yml")


@pytest.mark.parametrize("lang", ["en", "ar"])
async def test_macro_f1_is_within_5_points_of_french(embedded_nlu: EmbeddedNLU, lang: str) -> None:
    french = await evaluate(embedded_nlu.parse, load_nlu_data(HELD / "heldout.yml"), SYNONYMS)
    other = await evaluate(
        embedded_nlu.parse, load_nlu_data(HELD / f"heldout_{lang}.yml"), SYNONYMS
    )
    print(f"\nmacro-F1 fr {french.macro_f1:.3f}, {lang} {other.macro_f1:.3f}")
    assert other.macro_f1 >= french.macro_f1 - 0.05


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_held_out_sentences_are_never_trained_on(lang: str) -> None:
    training = {e.text.casefold() for e in load_nlu_data(ROOT / "nlu" / "data").examples}
    held = load_nlu_data(HELD / f"heldout_{lang}.yml").examples
    assert [e.text for e in held if e.text.casefold() in training] == []
