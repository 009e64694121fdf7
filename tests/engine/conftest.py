"""Fixtures of the engine tests: the pure runner on the tests' own flows (``tests/flows``)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from bot.app.build import make_place_finder
from bot.engine.actions import Action, make_actions
from bot.engine.loader import FlowSet, load_flows
from bot.engine.runner import Runner
from bot.geo.search import PlaceFinder
from bot.handoff.datafiles import load_reference
from tests.engine.talk import DATA, TEST_FLOWS, Talk, make_runner


@pytest.fixture(scope="session")
def finder() -> PlaceFinder:
    """The real communes table and nicknames of ``data/``."""
    return make_place_finder(DATA)


@pytest.fixture(scope="session")
def actions() -> Mapping[str, Action]:
    """The built-in actions over the real relays and schemes of ``data/``."""
    return make_actions(load_reference(DATA))


@pytest.fixture(scope="session")
def test_flows() -> FlowSet:
    return load_flows(TEST_FLOWS)


@pytest.fixture(scope="session")
def runner(test_flows: FlowSet, finder: PlaceFinder, actions: Mapping[str, Action]) -> Runner:
    return make_runner(test_flows, finder, actions)


@pytest.fixture
def talk(runner: Runner) -> Talk:
    """A resident who said hello: the age question is waiting."""
    talking = Talk(runner)
    talking.say("salut")
    return talking
