"""``bot flows graph``: Mermaid diagrams of the flows, and images when mmdc is installed."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot.app.flowtools import NO_RENDERER, run_graph
from bot.app.settings import PROJECT
from bot.engine.loader import load_flows
from bot.engine.schema import ChoiceStep, Option
from bot.flowtools.mermaid import render_mermaid

FLOWS = PROJECT / "flows"


def _option(step: ChoiceStep, target: str) -> Option:
    return next(o for o in step.options if o.next == target)


def test_the_intake_diagram_shows_steps_buttons_branches_and_hand_offs() -> None:
    flows = load_flows(FLOWS)
    intake = flows.flows["intake"]
    text = render_mermaid(intake, flows)
    age = intake.flow.steps["age"]
    assert isinstance(age, ChoiceStep)
    assert text.splitlines()[3] == "flowchart TD"
    assert f's_age("❓ age : {" ".join(age.ask.split())[:40]}' in text  # a question, its text
    assert f's_age -->|"{_option(age, "mineur").label}"| s_mineur' in text  # a button's own path
    assert 's_accord_decision -->|"consent_contact = no"| s_sans_contact' in text  # a branch
    assert 's_accord_decision -->|"sinon"| s_choix_relais' in text
    assert 's_relais[["⚙️ match_relay"]]' in text  # a hand-off
    assert "class s_relais,s_lead_garde,s_lead_attente,s_lead_relais handoff" in text
    assert "s_accord_contact{{" in text  # consents stand out
    assert 's_mineur(["🧹 fin, tout est oublié' in text
    assert "#123;relay_name#125;" in text  # braces never reach Mermaid's parser raw
    for line in text.splitlines()[4:]:
        assert line.startswith("    "), line


def test_a_jump_to_another_flow_is_drawn(tmp_path: Path) -> None:
    flows = load_flows(FLOWS)
    text = render_mermaid(flows.flows["humain"], flows)
    assert "s_explication --> s_age" in text
    assert "f_" not in text  # humain stays inside itself


def _fake_mmdc(folder: Path) -> None:
    script = folder / "mmdc"
    script.write_text(
        '#!/bin/sh\nwhile [ "$#" -gt 0 ]; do\n'
        '  if [ "$1" = "--output" ]; then echo "<svg/>" > "$2"; fi\n  shift\ndone\n',
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def test_graph_writes_mermaid_and_markdown_and_says_when_no_renderer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    lines: list[str] = []
    assert run_graph(FLOWS, tmp_path / "out", ["intake"], lines.append) == 0
    assert (tmp_path / "out" / "intake.mmd").read_text(encoding="utf-8").count("-->") > 20
    assert "```mermaid\n" in (tmp_path / "out" / "intake.md").read_text(encoding="utf-8")
    assert not (tmp_path / "out" / "humain.mmd").exists()
    assert lines[-1] == NO_RENDERER


def test_graph_draws_images_with_mmdc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake_mmdc(bin_dir)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    lines: list[str] = []
    assert run_graph(FLOWS, tmp_path / "out", [], lines.append) == 0
    assert (tmp_path / "out" / "intake.svg").read_text(encoding="utf-8").strip() == "<svg/>"
    assert (tmp_path / "out" / "humain.svg").exists()
    assert NO_RENDERER not in lines


def test_graph_of_an_unknown_flow_is_refused(tmp_path: Path) -> None:
    lines: list[str] = []
    assert run_graph(FLOWS, tmp_path, ["accueil"], lines.append) == 1
    names = ", ".join(sorted(load_flows(FLOWS).flows))
    assert lines == [f"Script inconnu : accueil. Scripts : {names}."]
    assert "intake" in names
