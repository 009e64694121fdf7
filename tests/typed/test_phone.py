"""French phone numbers in their usual spellings, read as E.164."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.typed.phone import read_phone


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("06-12-34-56-78", "+33612345678"),
        ("06/12/34/56/78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("+33 06 12 34 56 78", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("33612345678", "+33612345678"),
        ("6 12 34 56 78", "+33612345678"),  # a mobile without its 0
        ("mon num c 06 12 34 56 78 merci", "+33612345678"),
        ("06 12 34 56 78 ou 06.12.34.56.78", "+33612345678"),  # the same one twice
        ("01 23 45 67 89", "+33123456789"),
        ("09 87 65 43 21", "+33987654321"),
        # Overseas mobiles keep their own country codes.
        ("0690 12 34 56", "+590690123456"),
        ("0692 12 34 56", "+262692123456"),
        ("+262 692 12 34 56", "+262692123456"),
    ],
)
def test_read_phone(text: str, number: str) -> None:
    assert read_phone(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "",
        "0612",  # too short
        "34",
        "69008",  # a postal code
        "08 00 00 00 00",  # not a number a person has
        "12 34 56 78 90",
        "+44 7700 900123",  # not French
        "06 12 34 56 78 ou 07 11 22 33 44",  # which one?
        "pas de téléphone",
    ],
)
def test_read_phone_finds_none(text: str) -> None:
    assert read_phone(text) is None


@given(st.text(alphabet="0123456789 +.-()/abc", max_size=40))
def test_read_phone_never_raises_and_gives_e164(text: str) -> None:
    number = read_phone(text)
    if number is not None:
        assert number.startswith("+") and number[1:].isdigit()
        assert 11 <= len(number) <= 13


@given(st.integers(min_value=0, max_value=99_999_999), st.sampled_from("67"))
def test_every_mobile_reads_back(rest: int, first: str) -> None:
    digits = f"0{first}{rest:08d}"
    assume(not digits.startswith(("0639", "069")))  # overseas mobiles: their own codes
    spaced = " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    expected = f"+33{digits[1:]}"
    assert read_phone(spaced) == expected
    assert read_phone(digits) == expected
