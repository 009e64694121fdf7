"""Flows and the NLU: branches on the ``intent`` pseudo-slot, which no step may write."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.app.settings import PROJECT
from bot.domain.messages import Inbound
from bot.domain.understanding import Entity, Understanding
from bot.engine.actions import make_actions
from bot.engine.loader import load_flows
from bot.engine.runner import Runner
from bot.engine.schema import ChoiceStep
from bot.engine.state import ConversationState, Status
from bot.engine.yamlfiles import FlowError
from bot.geo.postal import PostalIndex
from bot.handoff.datafiles import load_reference

FLOWS = PROJECT / "flows"
ORIENT = """\
flow: orienter
title: Orienter
steps:
  question:
    ask: "Dis-moi ce qui t'amène."
    slot: motif
    expect: text
  tri:
    branch:
      - if: {intent: ask_funding}
        goto: argent
      - if: {intent: [start_project, already_running]}
        goto: projet
      - unless: {intent: null}
        goto: autre
    next: rien
  argent:
    end: "Parlons argent."
  projet:
    end: "Parlons projet."
  autre:
    end: "Autre chose."
  rien:
    end: "Rien compris."
"""


def _folder(tmp_path: Path, name: str, content: str) -> Path:
    for file in FLOWS.glob("*.yml"):  # the shipped flows, FAQ and global file
        shutil.copy(file, tmp_path / file.name)
    (tmp_path / name).write_text(content, encoding="utf-8")
    return tmp_path


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    data = PROJECT / "data"
    return Runner(
        load_flows(_folder(tmp_path, "orienter.yml", ORIENT)),
        PostalIndex.from_csv(data / "postal_codes.csv"),
        make_actions(load_reference(data)),
    )


@pytest.mark.parametrize(
    ("understanding", "reply"),
    [
        (Understanding("ask_funding", 0.9), "Parlons argent."),
        (Understanding("already_running", 0.8), "Parlons projet."),
        (Understanding("greet", 0.6), "Autre chose."),
        (Understanding(), "Rien compris."),
    ],
)
def test_a_branch_tests_the_intent_of_the_message_being_answered(
    runner: Runner, understanding: Understanding, reply: str
) -> None:
    at_question = ConversationState(
        flow="orienter",
        step="question",
        status=Status.ACTIVE,
        flow_version=runner.flows.flows["orienter"].version,
    )
    done = runner.run(at_question, Inbound("rest", "u", "blabla"), understanding)
    assert [r.text for r in done.replies] == [reply]
    assert "intent" not in done.state.slots  # read-only: never stored


def test_entities_answer_later_questions_and_are_acknowledged(runner: Runner) -> None:
    state = runner.run(
        ConversationState(), Inbound("rest", "u", "salut"), Understanding("greet", 0.9)
    ).state
    found = Understanding("start_project", 0.5, (Entity("sector", "beaute"),))
    turn = runner.run(state, Inbound("rest", "u", "un barber"), found)
    assert turn.state.slots["sector"] == "beaute"
    sector = runner.flows.flow("intake").steps["secteur"]
    assert isinstance(sector, ChoiceStep)
    label = next(o.label for o in sector.options if o.id == "beaute")
    noted = runner.flows.glob.messages.noted.replace("{noted}", label)
    assert turn.replies[0].text == noted  # acknowledged, in the coordinators' words
    assert turn.state.step == state.step  # the question asked is asked again
    assert turn.state.retries == 0


@pytest.mark.parametrize(
    "step",
    [
        "    ask: Q ?\n    slot: intent\n    expect: text\n",
        "    set: {intent: ask_funding}\n",
    ],
)
def test_no_step_may_write_the_intent_pseudo_slot(tmp_path: Path, step: str) -> None:
    content = f"flow: essai\ntitle: t\nsteps:\n  a:\n{step}"
    with pytest.raises(FlowError, match="intent » est réservé"):
        load_flows(_folder(tmp_path, "essai.yml", content))
