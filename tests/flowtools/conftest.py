"""Fixtures of the flow tools' tests: a copy of the shipped flows to break or edit."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from bot.app.settings import PROJECT
from bot.flowtools.check import CheckResult, check_flows
from bot.flowtools.findings import Finding

FLOWS = PROJECT / "flows"


@pytest.fixture
def flows_copy(tmp_path: Path) -> Path:
    """A copy of ``flows/`` (with notices, word list and tests) that a test may change."""
    folder = tmp_path / "flows"
    shutil.copytree(FLOWS, folder)
    return folder


Check = Callable[[str], list[Finding]]


@pytest.fixture
def alone(tmp_path: Path) -> Path:
    """A folder where the flow ``essai`` is the only one (the shipped settings and words)."""
    folder = tmp_path / "alone"
    (folder / "check").mkdir(parents=True)
    shutil.copy(FLOWS / "check" / "words.yml", folder / "check" / "words.yml")
    shutil.copytree(FLOWS / "notices", folder / "notices")
    shutil.copy(FLOWS / "relais.yml", folder / "relais.yml")
    yaml = YAML()
    yaml.preserve_quotes = True  # ruamel writes a bare ``??`` back, which it cannot read
    glob = yaml.load((FLOWS / "global.yml").read_text(encoding="utf-8"))
    glob["settings"]["start_flow"] = "essai"
    glob["commands"] = [c for c in glob["commands"] if not isinstance(c["do"], dict)]
    with (folder / "global.yml").open("w", encoding="utf-8") as out:
        yaml.dump(glob, out)
    return folder


@pytest.fixture
def check_with(alone: Path) -> Check:
    """Findings about ``essai.yml`` written with this content (it starts the conversation)."""

    def run(content: str) -> list[Finding]:
        (alone / "essai.yml").write_text(content, encoding="utf-8")
        result: CheckResult = check_flows(alone)
        return [f for f in result.findings if f.file == "essai.yml"]

    return run
