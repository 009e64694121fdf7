"""Yes, no and "je sais pas" as people type them; a consent needs a plain yes."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.typed.yesno import Answer, read_yes_no, says_dont_know

YES, NO, UNSURE = Answer.YES, Answer.NO, Answer.UNSURE


@pytest.mark.parametrize(
    ("text", "loose", "strict"),
    [
        # Plain yes, in every spelling.
        ("oui", YES, YES),
        ("Ouiii", YES, YES),
        ("OUI !!!", YES, YES),
        ("ouais", YES, YES),
        ("ok", YES, YES),
        ("d'accord", YES, YES),
        ("vas-y", YES, YES),
        ("bien sûr", YES, YES),
        ("oui oui", YES, YES),
        ("oui merci", YES, YES),
        ("carrément", YES, YES),
        ("pas de souci", YES, YES),  # "pas" that is no negation
        ("je veux bien", YES, YES),
        ("oui, garde le", YES, YES),
        # Yes, but too weak for a consent.
        ("c bon", YES, UNSURE),
        ("top", YES, UNSURE),
        ("grave", YES, UNSURE),
        ("👍", YES, UNSURE),
        ("✅", YES, UNSURE),
        ("si", YES, UNSURE),
        ("oui mais", YES, UNSURE),
        # Plain no.
        ("non", NO, NO),
        ("nan", NO, NO),
        ("non non", NO, NO),
        ("non merci", NO, NO),
        ("👎", NO, NO),
        ("pas d'accord", NO, NO),
        ("absolument pas", NO, NO),
        ("ok pas du tout", NO, NO),
        ("c'est pas ça", NO, NO),
        ("jamais de la vie", NO, NO),
        ("non c'est bon", NO, NO),  # a polite no holding yes words
        # A change of mind: the last word wins, but never a consent.
        ("ouais non", NO, UNSURE),
        ("oui mais non", NO, UNSURE),
        ("non... enfin si", UNSURE, UNSURE),
        # Doubts.
        ("bof", UNSURE, UNSURE),
        ("peut-être", UNSURE, UNSURE),
        ("je sais pas", UNSURE, UNSURE),
        ("je sais pas trop", UNSURE, UNSURE),
        ("jsp", UNSURE, UNSURE),
        ("pourquoi pas", UNSURE, UNSURE),
        ("oui si tu veux", UNSURE, UNSURE),
        ("ok ?", UNSURE, UNSURE),  # a question
        ("ok je vois", UNSURE, UNSURE),
        # Nothing of the sort.
        ("rien à voir", None, None),
        ("", None, None),
        ("   ", None, None),
        ("?", None, None),
        ("Roubaix", None, None),
    ],
)
def test_read_yes_no(text: str, loose: Answer | None, strict: Answer | None) -> None:
    assert read_yes_no(text) is loose
    assert read_yes_no(text, strict=True) is strict


NEVER_A_CONSENT = [
    "bof",
    "ouais non",
    "oui mais non",
    "pas d'accord",
    "absolument pas",
    "c bon",
    "👍",
    "je sais pas trop",
    "oui... enfin je sais pas",
    "ok mais c'est quoi ?",
    "oui sauf le numéro",
    "ouais si tu veux",
    "d'accord pas",
    "bah non",
    "nan oui",
    "non oui",
    "oui non",
    "certainement pas",
    "pas vraiment",
    "ok ok... non",
]


@pytest.mark.parametrize("text", NEVER_A_CONSENT)
def test_a_consent_never_reads_these_as_yes(text: str) -> None:
    assert read_yes_no(text, strict=True) is not YES


@pytest.mark.parametrize(
    ("text", "knows"),
    [
        ("je sais pas", True),
        ("jsp", True),
        ("chais pas", True),
        ("aucune idée", True),
        ("je sais pas trop", True),
        ("idk", True),
        ("euh jsp franchement", True),
        ("jsp par où commencer", True),
        ("je sais", False),
        ("oui", False),
        ("", False),
        ("je ne sais pas encore quoi faire pour mon projet de boulangerie", False),
    ],
)
def test_says_dont_know(text: str, knows: bool) -> None:
    assert says_dont_know(text) is knows


WORDS = st.sampled_from(
    [
        "oui", "non", "ok", "pas", "mais", "si", "bof", "jsp", "d'accord", "c bon", "merci",
        "absolument", "jamais", "👍", "👎", "?", "...", "ouais", "nan", "peut-être", "garde",
        "le", "numéro", "enfin", "je", "sais", "trop", "bien", "sûr", "vas-y", "pourquoi",
    ]
)  # fmt: skip
SENTENCES = st.lists(WORDS, max_size=8).map(" ".join)


@given(st.one_of(st.text(max_size=80), SENTENCES))
@example("ok pas")
@example("oui\u0301")
def test_read_yes_no_never_raises_and_a_strict_yes_is_a_yes(text: str) -> None:
    loose = read_yes_no(text)
    strict = read_yes_no(text, strict=True)
    assert loose in (None, *Answer)
    if strict is YES:
        assert loose is YES


@given(st.one_of(st.text(max_size=80), SENTENCES))
def test_says_dont_know_never_raises(text: str) -> None:
    assert says_dont_know(text) in (True, False)
