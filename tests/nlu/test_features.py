"""Text features of the embedded NLU: the spellings people mix read as one word."""

from __future__ import annotations

import pytest

from bot.nlu.entities import fold_words
from bot.nlu.features import analyze, tokens


@pytest.mark.parametrize(
    ("typed", "plain"),
    [
        ("إنسان", "انسان"),  # hamza under the alef
        ("أريد", "اريد"),
        ("آلة", "اله"),  # madda, and ة written ه
        ("ٱلسلام", "السلام"),  # alef wasla
        ("على", "علي"),  # ى written ي
        ("شيء", "شي"),  # a lone hamza is often left out
        ("مسؤول", "مسوول"),
        ("ڤيديو", "فيديو"),  # ڤ for v, as in the Maghreb
        ("ڭلس", "كلس"),  # ڭ for g (Moroccan)
        ("ڨال", "قال"),  # ڨ for g (Algerian)
        ("گاراج", "كاراج"),
        ("ی", "ي"),  # Persian-layout keyboards
        ("ک", "ك"),
        ("شكـــرا", "شكرا"),  # tatweel
        ("مَرْحَبًا", "مرحبا"),  # diacritics
    ],
)
def test_arabic_spelling_variants_fold_to_one_word(typed: str, plain: str) -> None:
    assert tokens(typed) == tokens(plain)
    assert fold_words(typed) == fold_words(plain)


@pytest.mark.parametrize(
    ("typed", "plain"),
    [
        ("لاااا", "لا"),
        ("شكراااااا", "شكرا"),
        ("stooooop", "stop"),
        ("nooon", "non"),
        ("mdrrrr", "mdr"),
        ("mercii", "mercii"),  # a letter typed twice may be the spelling: left alone
    ],
)
def test_a_stretched_letter_counts_once(typed: str, plain: str) -> None:
    assert tokens(typed) == tokens(plain)
    assert analyze(typed) == analyze(plain)


def test_numbers_and_arabizi_digits_are_left_as_digits() -> None:
    assert tokens("10000 euros") == ["00000", "euros"]
    assert tokens("3andi 7anout") == ["0andi", "0anout"]


@pytest.mark.parametrize("word", ["aaaaaaaaaa", "ههههههه", "zzz"])
def test_a_word_of_one_repeated_letter_is_left_as_it_is(word: str) -> None:
    assert tokens(word) == [word]
    assert tokens(f"{word} lol") == [word, "lol"]
