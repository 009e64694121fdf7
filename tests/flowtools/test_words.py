"""Words to avoid, readability and length: the measures behind the check's warnings."""

from __future__ import annotations

import pytest

from bot.app.settings import PROJECT
from bot.flowtools.lint_words import avoided, line_count, readability
from bot.flowtools.style import Avoid, load_style

STYLE = load_style(PROJECT / "flows")


def _found(text: str) -> list[str]:
    assert STYLE is not None
    return [word for _, word in avoided(text, STYLE.avoid)]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Ce DISPOSITIF est pour toi", "dispositif"),
        ("Les dispositifs existent", "dispositif"),
        ("Tu es éligible", "éligible"),
        ("tu es eligible", "éligible"),
        ("Tu habites en QPV ?", "QPV"),
        ("Ton accompagnement", "accompagnement"),
        ("Un quartier sensible", "quartier sensible"),
        ("Tu n'as pas droit à cette aide", "tu n'as pas droit"),
    ],
)
def test_words_are_found_whatever_their_case_accents_or_plural(text: str, word: str) -> None:
    assert word in _found(text)


@pytest.mark.parametrize(
    "text",
    [
        "CitésLab t'aide gratuitement",  # a name containing a word to avoid
        "Tu peux y avoir droit",
        "Écris ton code postal {zone}",  # placeholders are not words
    ],
)
def test_innocent_texts_are_left_alone(text: str) -> None:
    assert _found(text) == []


def test_the_shipped_list_covers_the_brief() -> None:
    assert STYLE is not None
    words = {w for rule in STYLE.avoid for w in rule.words}
    for word in ("QPV", "dispositif", "éligible", "banlieue", "cité", "bénéficiaire"):
        assert word in words
    assert all(rule.prefer for rule in STYLE.avoid)


def test_a_rule_given_in_code_works_too() -> None:
    rule = Avoid(words=["politique de la ville"], prefer="rien")
    assert avoided("La Politique  de la Ville", [rule]) == [(rule, "politique de la ville")]


def test_chat_reads_easier_than_administrative_prose() -> None:
    chat, _ = readability("Tu peux avoir droit à une aide pour lancer ton activité.")
    prose, _ = readability(
        "Les informations collectées font l'objet d'un traitement informatique destiné "
        "à la gestion administrative des demandes."
    )
    assert chat > 70 > prose


def test_placeholders_and_emoji_are_not_read() -> None:
    _, words = readability("C'est envoyé à {relay_name} ✅")
    assert words == 3


def test_a_bulleted_list_counts_as_one_line() -> None:
    assert line_count("Je résume :\n• un\n• deux\n• trois\nC'est juste ?") == 3
    assert line_count("Un.\n\nDeux.\nTrois.\nQuatre.") == 4
