"""``bot flows understand``: a corpus of typed answers scored on the real runner."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.app.settings import PROJECT
from bot.cli import main
from bot.engine.loader import load_flows
from bot.engine.schema import ChoiceStep, ConsentStep, InputStep
from bot.flowtools.understand import CORPUS, DONT_KNOW, FAQ, PICK, load_corpus
from tests.conftest import TEST_FLOWS

# At the tests' own flows (tests/flows/main.yml): 5 understood as written, 2 understood as
# something else (one of them a consent taken for a yes), 1 not understood.
TINY = """\
questions:
  - step: main.age
    answers:
      - {say: "24", means: adult}
      - {say: "j'ai 16 ans", means: "15_17"}
      - {say: "24", means: "15_17"}         # a wrong expectation: the bot reads « adult »
      - {say: "blablabla", means: adult}    # not understood
  - step: main.needs
    answers:
      - {say: "de l'argent et un local", means: [local, argent]}   # any order
      - {say: "bonjour", means: null}       # not an answer: nothing to keep
  - step: main.consent_contact
    answers:
      - {say: "oui", means: "yes"}
      - {say: "oui", means: "no"}           # taken for a yes where a no was meant
"""


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_FLOWS_DIR", str(TEST_FLOWS))
    monkeypatch.setenv("BOT_RUNTIME_DIR", str(tmp_path / "runtime"))
    # Typed answers are read by the runner itself; the keyword NLU keeps this test quick.
    monkeypatch.setenv("BOT_NLU__BACKEND", "keywords")


def _rates(out: str, kind: str) -> tuple[int, float, float, float]:
    """(answers, understood %, misunderstood %, not understood %) of one line."""
    found = re.search(
        rf"^{re.escape(kind)}\s+(\d+)\s+([\d.]+) %\s+([\d.]+) %\s+([\d.]+) %$", out, re.MULTILINE
    )
    assert found is not None, out
    return int(found[1]), float(found[2]), float(found[3]), float(found[4])


def test_understand_prints_the_three_rates_per_kind_and_in_total(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus.yml"
    corpus.write_text(TINY, encoding="utf-8")
    assert main(["flows", "understand", str(corpus)]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0]
    columns = [h.strip() for h in re.split(r"\s{2,}", header)[2:]]
    assert columns == ["compris", "compris de travers", "pas compris"]
    assert _rates(out, "TOTAL") == (8, 62.5, 25.0, 12.5)
    assert _rates(out, "nombre") == (4, 50.0, 25.0, 25.0)  # the age: a range of numbers
    assert _rates(out, "plusieurs choix") == (2, 100.0, 0.0, 0.0)
    assert _rates(out, "accord") == (2, 50.0, 50.0, 0.0)
    assert "accords pris pour un oui à tort : 1" in out
    assert "[wrong]" not in out  # the details only with --errors


def test_understand_lists_what_was_missed_with_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus.yml"
    corpus.write_text(TINY, encoding="utf-8")
    assert main(["flows", "understand", str(corpus), "--errors"]) == 0
    out = capsys.readouterr().out
    assert "— main.age" in out
    assert "  [wrong] « 24 » : attendu 15_17, compris adult" in out
    assert "  [refused] « blablabla » : attendu adult, compris unclear" in out
    assert "  [wrong] « oui » : attendu no, compris yes" in out
    assert "« j'ai 16 ans »" not in out  # understood: not listed


def test_understand_reads_the_flows_own_corpus_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(TEST_FLOWS, flows)
    (flows / CORPUS).parent.mkdir(parents=True)
    (flows / CORPUS).write_text(TINY, encoding="utf-8")
    monkeypatch.setenv("BOT_FLOWS_DIR", str(flows))
    assert main(["flows", "understand"]) == 0
    assert _rates(capsys.readouterr().out, "TOTAL") == (8, 62.5, 25.0, 12.5)


def test_a_badly_written_corpus_is_explained_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus.yml"
    corpus.write_text(
        "questions:\n  - step: main.age\n    answers:\n      - {say: '24', mean: adult}\n",
        encoding="utf-8",
    )
    assert main(["flows", "understand", str(corpus)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("ERREUR     ")
    assert "ligne 4" in out and "mean" in out


def test_the_shipped_corpus_names_real_steps_and_answers() -> None:
    flows = load_flows(PROJECT / "flows")
    faq = {entry.id for entry in flows.faq.faq}
    corpus = load_corpus(PROJECT / "flows" / CORPUS)
    assert len(corpus.questions) >= 5
    for question in corpus.questions:
        flow_id, step_id = question.step.split(".")
        step = flows.flow(flow_id).steps[step_id]
        assert isinstance(step, (ChoiceStep, InputStep, ConsentStep)), question.step
        ids = {"yes", "no"} if isinstance(step, ConsentStep) else {o.id for o in step.options}
        for answer in question.answers:
            means = answer.means if isinstance(answer.means, list) else [answer.means]
            for value in means:
                if value is None or value in (PICK, DONT_KNOW) or value in ids:
                    continue
                if value.startswith(FAQ):
                    assert value.removeprefix(FAQ) in faq, (question.step, answer.say)
                    continue
                # Free answers (a commune's postal code, a phone number) need an input step,
                # or a check of one (« non, j'habite à Bron » at « C'est bien X ? »).
                checked = step.correction if isinstance(step, ChoiceStep) else None
                free = step if checked is None else flows.flow(flow_id).steps[checked]
                assert isinstance(free, InputStep), (question.step, answer.say, value)
