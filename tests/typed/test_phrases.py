"""Finding the phrases a message names: word boundaries, typos, negations, longer wins."""

from __future__ import annotations

import pytest

from bot.typed.phrases import (
    BREAK,
    PhraseIndex,
    best_keys,
    find_hits,
    make_phrases,
    words,
)

PHRASES = make_phrases(
    {
        "local": ["local", "un local"],
        "money": ["argent", "des sous"],
        "testing": ["je vends deja"],
        "selling": ["je vends"],
        "makeup": ["maquillage"],
        "wedding": ["mariages"],
        "only_stop_words": ["je", "de la"],
    }
)


def _keys(text: str, *, needs: bool = False) -> list[str]:
    said = words(text)
    return best_keys(find_hits(said, PHRASES, needs=needs), said)


def test_words_are_folded_and_split_at_apostrophes_with_breaks_for_punctuation() -> None:
    assert words("J'ai besoin d'argent, pas d'un Local.") == [
        "j", "ai", "besoin", "d", "argent", BREAK, "pas", "d", "un", "local",
    ]  # fmt: skip
    assert words("je sais pas - un local") == ["je", "sais", "pas", BREAK, "un", "local"]
    assert words("") == []


def test_phrases_of_stop_words_only_are_dropped() -> None:
    assert "only_stop_words" not in {p.key for p in PHRASES}
    assert {p.content for p in PHRASES if p.key == "local"} == {1}


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("un local", ["local"]),
        ("un lokal", ["local"]),  # one typo in a word of five letters
        ("de l'argnt", ["money"]),
        ("des sous et un local", ["money", "local"]),
        ("lo", []),  # too short to be a typo of anything
        ("vocal", []),  # a typo never changes the first letter
        ("localisation", []),
        ("pas de local", []),
        ("sans argent", []),
        ("pas besoin d'un local, de l'argent", ["money"]),
        ("je sais pas, un local", ["local"]),  # the comma ends the negation
        ("je vends deja", ["testing"]),  # the longer phrase covers the shorter one
        ("maquillage pour les mariages", ["makeup"]),  # after "pour": who it is for
    ],
)
def test_best_keys(text: str, keys: list[str]) -> None:
    assert _keys(text) == keys


def test_already_having_something_rules_it_out_of_needs() -> None:
    assert _keys("j'ai deja le local") == ["local"]
    assert _keys("j'ai deja le local", needs=True) == []


def test_hits_say_where_and_whether_exact() -> None:
    said = words("un lokal")
    hits = find_hits(said, PHRASES)
    assert {(h.key, h.start, h.end, h.exact) for h in hits} == {
        ("local", 1, 2, False),
        ("local", 0, 2, False),
    }


def test_an_index_finds_what_the_list_finds() -> None:
    said = words("des sous, je vends deja du maquillage pour les mariages")
    assert find_hits(said, PhraseIndex.of(PHRASES)) == find_hits(said, PHRASES)
