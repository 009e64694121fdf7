"""The ``bot flows check|test`` commands, as a coordinator runs them."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, nlu_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("BOT_NLU__CACHE_DIR", str(nlu_cache))
    monkeypatch.setenv("BOT_RUNTIME_DIR", str(tmp_path / "runtime"))
    level = logging.getLogger().level
    yield
    logging.getLogger().setLevel(level)


def test_check_fails_on_errors_and_lists_them(
    flows_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (flows_copy / "essai.yml").write_text(
        "flow: essai\ntitle: Essai\nsteps:\n  a:\n    say: Bonjour\n  b:\n    ask: Ton prénom ?\n"
        "    slot: first_name\n    expect: text\n  fin:\n    end: Merci.\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("BOT_FLOWS_DIR", str(flows_copy))
    assert main(["flows", "check"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("ERREUR     essai.yml, ligne 6 : « first_name » sert à joindre")
    # The new flow is not translated yet: one warning per language of flows/langues/.
    assert sum("pas encore traduit" in line for line in out) == 2
    assert out[-1].startswith("1 erreur, 2 avertissements, 1 remarque. Corrige les erreurs")


def test_test_runs_the_coordinator_tests(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["flows", "test", "-k", "moins de 15"]) == 0
    out = capsys.readouterr().out
    assert "✅ Moins de 15 ans : des infos générales, rien n'est gardé" in out
    assert out.rstrip().endswith("1 test réussi sur 1.")


def test_test_fails_when_a_test_fails(
    flows_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (flows_copy / "tests" / "essai.yml").write_text(
        "tests:\n  - name: Essai qui rate\n    turns:\n      - say: salut\n"
        "        expect: {says: Bonsoir}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("BOT_FLOWS_DIR", str(flows_copy))
    assert main(["flows", "test", "-k", "essai qui rate"]) == 1
    out = capsys.readouterr().out
    assert "❌ Essai qui rate" in out
    assert "tests/essai.yml, ligne 4 : le bot devait dire « Bonsoir »" in out
    assert "0 test réussi sur 1." in out
