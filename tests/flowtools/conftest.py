"""Fixtures of the flow tools' tests: a copy of the shipped flows to break or edit."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

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
def check_with(flows_copy: Path) -> Check:
    """Findings about ``essai.yml`` once added, with this content, to the shipped flows."""

    def run(content: str) -> list[Finding]:
        (flows_copy / "essai.yml").write_text(content, encoding="utf-8")
        result: CheckResult = check_flows(flows_copy)
        return [f for f in result.findings if f.file == "essai.yml"]

    return run
