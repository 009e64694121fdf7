"""Numbers as people type them: digits, words, spans, years, "plus de", "bientôt"."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.typed.numbers import MANY, Reading, read_number, read_numbers

THIS_YEAR = 2026


@pytest.mark.parametrize(
    ("text", "low", "high", "years"),
    [
        # Plain numbers and ages.
        ("34", 34, 34, False),
        ("j'ai 34 ans", 34, 34, True),
        ("jai17ans", 17, 17, True),
        ("34a", 34, 34, True),
        ("2O ans", 20, 20, True),  # a letter O for a zero
        ("j'ai 2 enfants et 34 ans", 34, 34, True),  # the one followed by "ans"
        # Words.
        ("trente ans", 30, 30, True),
        ("trante ans", 30, 30, True),
        ("vingt et un", 21, 21, False),
        ("dix-sept", 17, 17, False),
        ("quatre vingt dix sept", 97, 97, False),
        ("un an", 1, 1, True),
        # About: a span.
        ("la trentaine", 30, 39, False),
        ("une trentaine d'années", 30, 39, True),
        ("entre 25 et 30", 25, 30, False),
        # Years written: since, or a birth year (one less before the birthday).
        ("né en 1995", 30, 31, True),
        ("1995", 30, 31, True),
        ("12/03/1995", 30, 31, True),
        ("depuis 2018", 8, 8, True),
        ("créée en 2020", 6, 6, True),
        # Open ends and near ones.
        ("bientôt 18", 17, 17, False),
        ("18 dans 2 mois", 17, 17, False),
        ("moins de 15", 0, 14, False),
        ("plus de 10", 11, MANY, False),
        ("+10", 10, MANY, False),
        ("30 ou plus", 30, MANY, False),
        ("10 ans et plus", 10, MANY, True),
        ("-5", -5, -5, False),
        # The person counts too.
        ("on est 4 plus moi", 5, 5, False),
        ("moi + 2", 3, 3, False),
        ("j'ai 3 salariés", 4, 4, False),
        ("3 salariés", 3, 4, False),  # with or without the person: maybe
        ("moi et mon associé plus 4 salariés", 6, 6, False),
        ("4 salariés, 2 apprentis et moi", 7, 7, False),
        ("2 apprentis avec moi", 3, 3, False),
        ("on est 5 avec moi", 5, 5, False),  # already counted
        # Halves and months.
        ("5 ans et demi", 5.5, 5.5, True),
        ("6 mois", 0.5, 0.5, False),
    ],
)
def test_read_number(text: str, low: float, high: float, years: bool) -> None:
    reading = read_number(text, this_year=THIS_YEAR)
    assert reading is not None, text
    assert (reading.low, reading.high, reading.years) == (low, high, years)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "rien",
        "un",  # an article, not a count
        "3e",  # a rank
        "2 enfants",
        "500 euros",
        "3 ans d'expérience",  # not an age
        "mon fils a 12 ans",  # someone else's age
        "06 12 34 56 78",  # a phone number
        "ma boîte",
    ],
)
def test_read_number_finds_none(text: str) -> None:
    assert read_number(text, this_year=THIS_YEAR) is None


def test_a_birth_year_depends_on_the_year_we_are_in() -> None:
    assert read_number("né en 2000", this_year=2030) == Reading(29, 30, "2000", years=True)


def test_a_year_still_to_come_counts_no_years() -> None:
    reading = read_number("en 2031", this_year=THIS_YEAR)
    assert reading is not None and not reading.years


def test_the_said_form_is_how_it_was_written() -> None:
    reading = read_number("j'ai trente ans", this_year=THIS_YEAR)
    assert reading is not None and reading.said == "trente"
    assert Reading(30, 39, "trentaine").exact is False


def test_read_numbers_lists_every_number_in_order() -> None:
    found = read_numbers("2 enfants, 34 ans et une trentaine")
    assert [(r.low, r.high) for r in found] == [(34, 34), (30, 39)]


@given(st.text(max_size=60))
def test_read_number_never_raises_and_keeps_low_below_high(text: str) -> None:
    reading = read_number(text, this_year=THIS_YEAR)
    if reading is not None:
        assert reading.low <= reading.high


@given(st.integers(min_value=0, max_value=120))
def test_any_age_written_in_digits_is_read(age: int) -> None:
    assert read_number(f"j'ai {age} ans", this_year=THIS_YEAR) == Reading(
        age, age, str(age), years=True
    )
