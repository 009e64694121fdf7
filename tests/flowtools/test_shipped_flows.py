"""The shipped flows pass the check cleanly, and the coordinators' tests of them pass (CI)."""

from __future__ import annotations

import pytest

from bot.app.bot import Bot
from bot.app.flowtools import BotProbe
from bot.app.settings import PROJECT
from bot.cli import main
from bot.flowtools.check import check_flows, load_checked
from bot.flowtools.findings import Severity
from bot.flowtools.playback import play
from bot.flowtools.scenarios import LoadedScenario, load_scenarios

FLOWS = PROJECT / "flows"
SCENARIOS = load_scenarios(FLOWS)


def test_shipped_flows_have_no_error_and_no_warning() -> None:
    result = check_flows(FLOWS)
    blocking = [str(f) for f in result.findings if f.severity is not Severity.NOTE]
    assert blocking == []
    assert result.flows is not None and {"intake", "humain", "suivi"} <= set(result.flows.flows)
    assert load_checked(FLOWS).digest == result.flows.digest


def test_flows_check_command_says_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["flows", "check"]) == 0
    checked = check_flows(FLOWS).flows
    assert checked is not None
    scripts = len(checked.flows)
    assert f"OK : {scripts} scripts sans erreur, 0 avertissement" in capsys.readouterr().out


def test_the_intake_flow_has_coordinator_tests() -> None:
    names = {s.name for s in SCENARIOS if s.file == "tests/intake.yml"}
    assert len(names) >= 6


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
async def test_coordinator_test(shipped_bot: Bot, scenario: LoadedScenario) -> None:
    outcome = await play(BotProbe(shipped_bot), scenario, "coordinator-test")
    assert outcome.ok, outcome.report()
