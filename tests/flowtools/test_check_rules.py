"""Broken flows fed to ``bot flows check``: each problem named in French, with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.flowtools.check import check_flows
from bot.flowtools.findings import Severity
from tests.flowtools.conftest import Check

E, W, N = Severity.ERROR, Severity.WARNING, Severity.NOTE
HEAD = "flow: essai\ntitle: Essai\nsteps:\n"

CASES = [
    pytest.param(
        HEAD + "  a:\n    say: Salut\n    next: nulle_part\n",
        E,
        4,
        "l'étape « nulle_part » n'existe pas",
        id="unknown-target",
    ),
    pytest.param(
        HEAD + "  debut:\n    say: Bonjour\n    next: fin\n"
        "  oublie:\n    say: Personne ne vient ici.\n"
        "  fin:\n    end: Au revoir.\n",
        E,
        7,
        "l'étape « oublie » n'est jamais atteinte",
        id="unreachable",
    ),
    pytest.param(
        HEAD + "  debut:\n    say: Bonjour\n"
        "  question:\n    ask: Tu viens ?\n    slot: vient\n    options:\n"
        "      - {id: oui, label: Oui}\n",
        E,
        6,
        "la conversation s'arrête là, sans message de fin",
        id="dead-end",
    ),
    pytest.param(
        HEAD + "  a:\n    ask: Encore ?\n    slot: encore\n    ask_again: true\n    options:\n"
        "      - {id: oui, label: Oui}\n    next: b\n"
        "  b:\n    say: On recommence.\n    next: a\n",
        E,
        4,
        "les étapes « a », « b » tournent en rond",
        id="loop-without-exit",
    ),
    pytest.param(
        HEAD + "  a:\n    say: Un.\n"
        "  b:\n    branch:\n      - if: {x: 1}\n        goto: fin\n    next: a\n"
        "  fin:\n    end: Au revoir.\n",
        W,
        4,
        "boucle sans question",
        id="loop-without-question",
    ),
    pytest.param(
        HEAD + "  question_avec_un_nom_vraiment_tres_long:\n    ask: Tu viens ?\n"
        "    slot: vient\n    options:\n"
        "      - {id: oui_avec_un_identifiant_aussi_tres_long, label: Oui}\n"
        "      - {id: non, label: Non}\n"
        "  fin:\n    end: Au revoir.\n",
        E,
        8,
        "trop long à identifier pour Telegram",
        id="telegram-callback",
    ),
    pytest.param(
        HEAD + "  choix:\n    ask: Tu préfères quoi ?\n    slot: prefere\n    options:\n"
        "      - {id: a, label: Une réponse bien trop longue pour WhatsApp}\n"
        "      - {id: b, label: Deux}\n      - {id: c, label: Trois}\n"
        "      - {id: d, label: Quatre}\n"
        "  fin:\n    end: Au revoir.\n",
        W,
        8,
        "le choix « Une réponse bien trop longue pour WhatsApp » sera coupé",
        id="whatsapp-row",
    ),
    pytest.param(
        HEAD + "  choix:\n    ask: Tu préfères quoi ?\n    slot: prefere\n    options:\n"
        "      - {id: a, label: Une réponse assez longue}\n"
        "      - {id: b, label: Deux}\n"
        "  fin:\n    end: Au revoir.\n",
        N,
        4,
        "ne tient pas sur un bouton (20 caractères au plus)",
        id="whatsapp-button",
    ),
    pytest.param(
        HEAD
        + "  choix:\n    ask: Tu préfères quoi ?\n    slot: prefere\n    options:\n"
        + "".join(f"      - {{id: c{i}, label: Choix {i}}}\n" for i in range(11))
        + "  fin:\n    end: Au revoir.\n",
        N,
        4,
        "les 11 choix ne tiennent pas dans une liste (10 au plus)",
        id="whatsapp-list",
    ),
    pytest.param(
        "flow: essai\ntitle: Essai\nlanguages: [fr, en]\nsteps:\n  a:\n    end: Salut.\n",
        E,
        3,
        "la traduction en « en » manque",
        id="missing-translation",
    ),
    pytest.param(
        HEAD + "  accord:\n    consent: contact\n    text: Je garde ton contact ?\n"
        "  decision:\n    branch:\n      - if: {consent_contact: 'no'}\n        goto: non\n"
        "  relais:\n    consent: relay\n    text: Je t'envoie à {relay_name} ?\n"
        "  choix:\n    branch:\n      - if: {consent_relay: 'yes'}\n        goto: oui\n"
        "  non:\n    end: D'accord.\n    forget: true\n"
        "  oui:\n    end: C'est envoyé.\n",
        E,
        11,
        "aucune n'a été cherchée avant",
        id="relay-never-searched",
    ),
    pytest.param(
        HEAD + "  cherche:\n    action: match_relay\n"
        "  accord:\n    consent: contact\n    text: Je garde ton contact ?\n"
        "  decision:\n    branch:\n      - if: {consent_contact: 'no'}\n        goto: non\n"
        "  relais:\n    consent: relay\n    text: Je t'envoie à {relay_name} ?\n"
        "  choix:\n    branch:\n      - if: {consent_relay: 'yes'}\n        goto: oui\n"
        "  non:\n    end: D'accord.\n    forget: true\n"
        "  oui:\n    end: C'est envoyé.\n",
        E,
        13,
        "si personne n'est disponible",
        id="no-relay-available",
    ),
    pytest.param(
        HEAD + "  cherche:\n    action: match_relay\n"
        "  accord:\n    consent: contact\n    text: Je garde ton contact ?\n"
        "  decision:\n    branch:\n      - if: {consent_contact: 'no'}\n        goto: non\n"
        "      - if: {relay_id: null}\n        goto: non\n"
        "  relais:\n    consent: relay\n    text: Je t'envoie à {relay_name} ?\n"
        "  fin:\n    end: C'est envoyé à {relay_name}.\n"
        "  non:\n    end: D'accord.\n    forget: true\n",
        E,
        18,
        "est la fin du « oui » comme du « non »",
        id="relay-no-path",
    ),
    pytest.param(
        HEAD + "  prenom:\n    ask: Ton prénom ?\n    slot: first_name\n    expect: text\n"
        "  accord:\n    consent: contact\n    text: Je garde ton contact ?\n"
        "  fin:\n    end: Merci.\n",
        E,
        4,
        "« first_name » sert à joindre la personne",
        id="contact-before-consent",
    ),
    pytest.param(
        HEAD + "  idee:\n    ask: Ton idée ?\n    slot: pitch\n    expect: text\n"
        "    personal: true\n"
        "  accord:\n    consent: contact\n    text: Je garde ton contact ?\n"
        "  fin:\n    end: Merci, à bientôt.\n",
        E,
        12,
        "en gardant un texte personnel",
        id="personal-text-kept",
    ),
    pytest.param(
        HEAD + "  a:\n    end: |\n      Une ligne.\n      Deux lignes.\n      Trois lignes.\n"
        "      Quatre lignes, c'est trop.\n",
        W,
        5,
        "message trop long (4 lignes",
        id="message-lines",
    ),
    pytest.param(
        HEAD + "  a:\n    end: Tu peux demander ce dispositif à la mairie, c'est simple.\n",
        W,
        5,
        "« dispositif » est à éviter (jargon) : dis plutôt « une aide »",
        id="word-to-avoid",
    ),
    pytest.param(
        HEAD + "  a:\n    end: Une personne relais peut t'aider si tu vis en banlieue.\n",
        W,
        5,
        "« banlieue » est à éviter (on ne range pas les gens selon l'endroit où ils vivent)",
        id="stigmatising-word",
    ),
    pytest.param(
        HEAD
        + "  a:\n    end: >-\n      Conformément aux dispositions réglementaires applicables, les "
        "demandeurs doivent constituer un dossier administratif complet auprès de "
        "l'organisme instructeur compétent.\n",
        W,
        5,
        "message difficile à lire (score de lisibilité",
        id="readability",
    ),
]


@pytest.mark.parametrize(("content", "severity", "line", "message"), CASES)
def test_each_problem_is_named_with_file_and_line(
    check_with: Check, content: str, severity: Severity, line: int, message: str
) -> None:
    findings = check_with(content)
    assert any(
        f.severity is severity and f.line == line and message in f.message for f in findings
    ), [str(f) for f in findings]
    printed = next(str(f) for f in findings if message in f.message)
    assert printed.startswith({E: "ERREUR", W: "ATTENTION", N: "À SAVOIR"}[severity])
    assert f"essai.yml, ligne {line} : " in printed


def test_a_stigmatising_word_comes_with_its_suggestion_and_the_message(check_with: Check) -> None:
    findings = check_with(HEAD + "  a:\n    end: Les jeunes des quartiers ont des idées.\n")
    [finding] = [f for f in findings if "« jeune des quartiers »" in f.message]
    assert finding.severity is W
    assert finding.line == 5
    assert "« jeune des quartiers » est à éviter" in finding.message
    assert "« porteurs de projet »" in finding.message
    assert "Texte : « Les jeunes des quartiers ont des idées. »" in finding.message


def test_a_plain_message_raises_nothing(check_with: Check) -> None:
    content = HEAD + "  a:\n    say: Salut, tu as une idée de projet ?\n  b:\n    end: À bientôt.\n"
    assert check_with(content) == []


def _write(folder: Path, name: str, content: str) -> None:
    (folder / name).write_text(content, encoding="utf-8")


def test_a_translation_must_match_its_original(flows_copy: Path) -> None:
    _write(
        flows_copy,
        "essai.yml",
        "flow: essai\ntitle: Essai\nlanguages: [fr, en]\nsteps:\n"
        "  age:\n    ask: Tu as quel âge ?\n    slot: age\n    options:\n"
        "      - {id: jeune, label: Moins de 18 ans}\n      - {id: adulte, label: 18 ans ou plus}\n"
        "  fin:\n    end: Merci, à bientôt !\n",
    )
    _write(
        flows_copy,
        "essai_en.yml",
        "flow: essai_en\ntitle: Trial\nlang: en\ntranslates: essai\nsteps:\n"
        "  age:\n    ask: How old are you?\n    slot: age\n    options:\n"
        "      - {id: jeune, label: Under 18}\n",
    )
    findings = [str(f) for f in check_flows(flows_copy).findings if f.file == "essai_en.yml"]
    assert any(
        "essai_en.yml, ligne 4 : l'étape « fin » de essai.yml n'est pas traduite" in f
        for f in findings
    ), findings
    assert any(
        "essai_en.yml, ligne 6 : l'étape « age » doit garder le même « slot » et les mêmes boutons"
        in f
        for f in findings
    ), findings


def test_an_invalid_word_list_is_an_error_with_its_line(flows_copy: Path) -> None:
    _write(flows_copy / "check", "words.yml", "avoid:\n  - words: []\n    prefer: rien\n")
    result = check_flows(flows_copy)
    assert not result.ok
    assert any(
        f.file == "check/words.yml" and f.line == 2 and "words" in f.message
        for f in result.findings
    ), [str(f) for f in result.findings]


def test_an_invalid_test_file_is_an_error_with_its_line(flows_copy: Path) -> None:
    _write(
        flows_copy / "tests",
        "essai.yml",
        "tests:\n  - name: Un test\n    turns:\n      - say: salut\n        expcet: {asks: age}\n",
    )
    result = check_flows(flows_copy)
    assert any(
        str(f) == "ERREUR     tests/essai.yml, ligne 5 : le champ « expcet » n'existe pas "
        "(faute de frappe ?)"
        for f in result.findings
    ), [str(f) for f in result.findings]


def test_a_test_waiting_for_a_renamed_step_is_an_error(flows_copy: Path) -> None:
    _write(
        flows_copy / "tests",
        "essai.yml",
        "tests:\n  - name: Un test\n    turns:\n      - say: salut\n        expect: {asks: ages}\n",
    )
    result = check_flows(flows_copy)
    assert any(
        f.file == "tests/essai.yml"
        and f.line == 4
        and "le test attend la question « ages », qui n'existe dans aucun script" in f.message
        for f in result.findings
    ), [str(f) for f in result.findings]
