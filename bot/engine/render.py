"""Turn steps into outbound messages: ``{slot}`` interpolation and buttons."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.domain.messages import Button, Outbound
from bot.engine.loader import FlowSet
from bot.engine.schema import ChoiceStep, ConsentStep, InputStep
from bot.engine.state import SlotValue

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
PAYLOAD = re.compile(r"^/([a-z0-9_]+):([a-z0-9_]+)$")
DONE = "_done"


def payload(step_id: str, option_id: str) -> str:
    """The payload a button carries: short, stable, never the label."""
    return f"/{step_id}:{option_id}"


class Renderer:
    """Knows every option label, so slots holding ids read as words."""

    def __init__(self, flows: FlowSet, constants: Mapping[str, str] | None = None) -> None:
        self._constants = dict(constants or {})
        labels: dict[tuple[str, str], str] = {}
        for item in flows.flows.values():
            for step in item.flow.steps.values():
                if isinstance(step, (ChoiceStep, InputStep)):
                    for option in step.options:
                        labels.setdefault((step.slot, option.id), option.label)
        self._labels = labels

    def label(self, slot: str, value: SlotValue) -> str:
        """Readable form of a slot's value."""
        if value is None:
            return "—"
        if isinstance(value, bool):
            return "oui" if value else "non"
        if isinstance(value, list):
            return ", ".join(self.label(slot, v) for v in value) or "—"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return self._labels.get((slot, str(value)), str(value))

    def fill(self, text: str, slots: Mapping[str, SlotValue]) -> str:
        """Replace ``{slot}`` by the slot's readable value."""
        return _PLACEHOLDER.sub(lambda m: self._value(m.group(1), slots), text)

    def _value(self, name: str, slots: Mapping[str, SlotValue]) -> str:
        if name not in slots and name in self._constants:
            return self._constants[name]
        return self.label(name, slots.get(name))

    def question(
        self, step_id: str, step: ChoiceStep | InputStep, slots: Mapping[str, SlotValue]
    ) -> Outbound:
        """A question with its buttons; multiple choice marks what is already picked."""
        picked = slots.get(step.slot) if isinstance(step, ChoiceStep) and step.multiple else None
        chosen = set(picked) if isinstance(picked, list) else set()
        buttons = [
            Button(payload(step_id, o.id), ("✔ " if o.id in chosen else "") + o.label)
            for o in step.options
        ]
        multiple = isinstance(step, ChoiceStep) and step.multiple
        if multiple and isinstance(step, ChoiceStep):
            buttons.append(Button(payload(step_id, DONE), step.done_label))
        return Outbound(self.fill(step.ask, slots), tuple(buttons), multiple=multiple)

    def consent(self, step_id: str, step: ConsentStep, slots: Mapping[str, SlotValue]) -> Outbound:
        """A consent question: a clear yes and a clear no."""
        return Outbound(
            self.fill(step.text, slots),
            (
                Button(payload(step_id, "yes"), step.yes_label),
                Button(payload(step_id, "no"), step.no_label),
            ),
        )
