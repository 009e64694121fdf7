"""The hand-off's words, read from the flows in force at each use (hot reloads change them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.engine.dispatcher import Dispatcher
from bot.engine.render import PARIS
from bot.handoff.texts import HandoffTexts, ResidentTexts


class RunnerWording:
    """The hand-off's words from the flows in force (they change with a hot reload)."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher

    @property
    def texts(self) -> HandoffTexts:
        texts = self.dispatcher.runner.flows.handoff
        if texts is None:  # the loader refuses flows without relais.yml
            raise RuntimeError("flows/relais.yml is missing")
        return texts

    def label(self, slot: str, value: Any) -> str:
        return self.dispatcher.runner.render.label(slot, value)

    def resident(self, lang: str) -> ResidentTexts:
        texts = self.dispatcher.runner.speaking(lang).flows.handoff
        return texts.personne if texts is not None else self.texts.personne

    def date(self, moment: datetime) -> str:
        return self.dispatcher.runner.render.date(moment.astimezone(PARIS))
