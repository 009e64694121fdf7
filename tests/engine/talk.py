"""Drive the pure runner like a transcript; build flow sets for one test."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app.settings import PROJECT
from bot.domain.messages import Button, Inbound, InboundKind
from bot.domain.understanding import Entity, Understanding
from bot.engine.actions import Action, make_faq_values
from bot.engine.loader import FlowSet, LoadedFlow
from bot.engine.runner import Runner
from bot.engine.schema import Flow
from bot.engine.state import ConversationState, SlotValue
from bot.engine.turn import TurnResult
from bot.geo.search import PlaceFinder
from bot.handoff.catalogue import load_catalogue

TEST_FLOWS = Path(__file__).parents[1] / "flows"
DATA = PROJECT / "data"
# Monday 30 November 2026, 10:00 in Paris: dates in texts do not depend on today.
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CONSTANTS = {"responsable": "T-CONTROLLER", "contact_donnees": "T-DPO"}
# The way to the place question of tests/flows/main.yml, by buttons.
TO_PLACE = (
    "/age:adult",
    "/stage:idea",
    "/sector:autre",
    "/pitch:skip",
    "/needs:argent",
    "/needs:_done",
)


def make_runner(flows: FlowSet, finder: PlaceFinder, actions: Mapping[str, Action]) -> Runner:
    catalogue = load_catalogue(DATA / "schemes.yml")
    return Runner(flows, finder, actions, CONSTANTS, make_faq_values(catalogue))


def with_flows(base: FlowSet, *flows: dict[str, Any], **settings: Any) -> FlowSet:
    """``base`` (its global file, FAQ and notices) plus flows built in code, with some
    settings changed (e.g. ``start_flow``)."""
    loaded = dict(base.flows)
    for data in flows:
        flow = Flow.model_validate(data)
        loaded[flow.flow] = LoadedFlow(flow, f"{flow.flow}.yml", "0" * 64, tuple(flow.steps))
    glob = base.glob.model_copy(update={"settings": base.glob.settings.model_copy(update=settings)})
    return replace(base, flows=loaded, glob=glob)


def with_messages(base: FlowSet, **messages: Any) -> FlowSet:
    """``base`` with some of the bot's own texts changed."""
    changed = base.glob.messages.model_copy(update=messages)
    return replace(base, glob=base.glob.model_copy(update={"messages": changed}))


class Talk:
    """A resident talking to the pure runner; keeps the state between turns."""

    def __init__(self, runner: Runner, state: ConversationState | None = None) -> None:
        self.runner = runner
        self.state = state or ConversationState()
        self.last: TurnResult | None = None
        self.context: dict[str, SlotValue] = {}

    def say(
        self,
        text: str = "",
        *,
        intent: str | None = None,
        confidence: float = 0.95,
        runner_up: float = 0.0,
        entities: Mapping[str, str] | None = None,
        kind: InboundKind = InboundKind.TEXT,
        payload: str | None = None,
        context: Mapping[str, SlotValue] | None = None,
    ) -> TurnResult:
        """Send ``text``, understood by the NLU as ``intent`` with ``entities``."""
        found = tuple(Entity(name, value) for name, value in (entities or {}).items())
        understanding = Understanding(intent, confidence if intent else 0.0, found, runner_up)
        inbound = Inbound("test", "u", text, kind=kind, payload=payload, received_at=NOW)
        self.last = self.runner.run(self.state, inbound, understanding, context or self.context)
        self.state = self.last.state
        return self.last

    def start(self, source: str | None = None) -> TurnResult:
        """Open the conversation (a deep link may carry a source)."""
        inbound = Inbound("test", "u", "", kind=InboundKind.START, source=source, received_at=NOW)
        self.last = self.runner.run(self.state, inbound, Understanding(), self.context)
        self.state = self.last.state
        return self.last

    def go(self, *messages: str) -> TurnResult:
        """Say several things in a row (button payloads like ``/age:adult`` too)."""
        for message in messages:
            self.say(message)
        assert self.last is not None
        return self.last

    def choose(self, option_id: str) -> TurnResult:
        """Press the button of the last reply whose option id is ``option_id``."""
        for button in self.buttons:
            if button.payload.rsplit(":", 1)[-1] == option_id:
                return self.say(button.payload)
        raise AssertionError(f"no option {option_id!r}; offered: {self.buttons}")

    @property
    def texts(self) -> list[str]:
        assert self.last is not None
        return [r.text for r in self.last.replies]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def buttons(self) -> list[Button]:
        assert self.last is not None
        for reply in reversed(self.last.replies):
            if reply.buttons:
                return list(reply.buttons)
        return []

    @property
    def titles(self) -> list[str]:
        return [b.title for b in self.buttons]

    @property
    def heard(self) -> str:
        assert self.last is not None
        return self.last.heard

    @property
    def step(self) -> str | None:
        return self.state.step

    @property
    def slots(self) -> Mapping[str, SlotValue]:
        return self.state.slots
