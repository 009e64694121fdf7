"""Turn steps into outbound messages: ``{slot}`` interpolation, buttons, numbered choices."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.bidi import embed
from bot.domain.messages import Button, Outbound
from bot.engine.loader import FlowSet
from bot.engine.schema import ChoiceStep, ConsentStep, InputStep
from bot.engine.state import SlotValue

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
PAYLOAD = re.compile(r"^/([a-z0-9_]+):([a-z0-9_]+)$")
DONE = "_done"
PARIS = ZoneInfo("Europe/Paris")
PHRASE = "_phrase"  # {contact_pref_phrase}: the choice as said inside a sentence
DUE = "_due"  # slots named *_due hold an ISO date: {handoff_due} reads "mardi 2 décembre"


def payload(step_id: str, option_id: str) -> str:
    """The payload a button carries: short, stable, never the label."""
    return f"/{step_id}:{option_id}"


class Renderer:
    """Knows every option label, so slots holding ids read as words."""

    def __init__(
        self,
        flows: FlowSet,
        constants: Mapping[str, str] | None = None,
        labels: Mapping[tuple[str, str], str] | None = None,
    ) -> None:
        """``labels`` name ids that no flow option names (scheme names, maturity levels)."""
        self._constants = dict(constants or {})
        self.messages = flows.glob.messages
        known: dict[tuple[str, str], str] = dict(labels or {})
        phrases: dict[tuple[str, str], str] = {}
        for item in flows.flows.values():
            for step in item.flow.steps.values():
                if isinstance(step, (ChoiceStep, InputStep)):
                    for option in step.options:
                        known.setdefault((step.slot, option.id), option.label)
                        if option.phrase:
                            phrases.setdefault((step.slot, option.id), option.phrase)
        self._labels = known
        self._phrases = phrases

    def label(self, slot: str, value: SlotValue) -> str:
        """Readable form of a slot's value."""
        if value is None:
            return self.messages.value_none
        if isinstance(value, bool):
            return self.messages.value_yes if value else self.messages.value_no
        if isinstance(value, list):
            return ", ".join(self.label(slot, v) for v in value) or self.messages.value_none
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return self._labels.get((slot, str(value)), str(value))

    def date(self, moment: date | datetime) -> str:
        """A date as people say it: "mardi 2 décembre"."""
        messages = self.messages
        return (
            messages.date.replace("{weekday}", messages.weekdays[moment.weekday()])
            .replace("{day}", messages.first_day if moment.day == 1 else str(moment.day))
            .replace("{month}", messages.months[moment.month - 1])
        )

    def fill(self, text: str, slots: Mapping[str, SlotValue]) -> str:
        """Replace ``{slot}`` by the slot's readable value."""
        return _PLACEHOLDER.sub(lambda m: embed(text, self._value(m.group(1), slots)), text)

    def _value(self, name: str, slots: Mapping[str, SlotValue]) -> str:
        if name not in slots and name in self._constants:
            return self._constants[name]
        if name.endswith(PHRASE) and name not in slots:
            slot = name.removesuffix(PHRASE)
            value = slots.get(slot)
            return self._phrases.get((slot, str(value)), self.label(slot, value))
        value = slots.get(name)
        if name.endswith(DUE) and isinstance(value, str):
            try:
                return self.date(datetime.fromisoformat(value).astimezone(PARIS))
            except ValueError:
                return value
        return self.label(name, value)

    def question(
        self,
        step_id: str,
        step: ChoiceStep | InputStep,
        slots: Mapping[str, SlotValue],
        *,
        prefix: str = "",
        numbered: bool = False,
        human: Button | None = None,
    ) -> Outbound:
        """A question with its buttons; multiple choice marks what is already picked.

        ``numbered`` writes the choices with their numbers in the text (after two
        misunderstandings), with ``human`` as one more button.
        """
        picked = slots.get(step.slot) if isinstance(step, ChoiceStep) and step.multiple else None
        chosen = set(picked) if isinstance(picked, list) else set()
        buttons = [
            Button(payload(step_id, o.id), ("✔ " if o.id in chosen else "") + o.label)
            for o in step.options
        ]
        multiple = isinstance(step, ChoiceStep) and step.multiple
        if multiple and isinstance(step, ChoiceStep):
            buttons.append(Button(payload(step_id, DONE), step.done_label))
        text = self.fill(step.ask, slots)
        if prefix:
            text = f"{prefix} {text}"
        if numbered and buttons:
            lines = "\n".join(f"{i}. {b.title}" for i, b in enumerate(buttons, 1))
            text = f"{text}\n{lines}"
        if human is not None:
            way_out = self.messages.numbered if buttons else self.messages.stuck
            text = f"{text}\n{way_out.replace('{human}', human.title)}"
            buttons.append(human)
        return Outbound(text, tuple(buttons), multiple=multiple, numbered=numbered)

    def consent(
        self, step_id: str, step: ConsentStep, slots: Mapping[str, SlotValue], prefix: str = ""
    ) -> Outbound:
        """A consent question: a clear yes and a clear no."""
        text = self.fill(step.text, slots)
        return Outbound(
            f"{prefix}\n{text}" if prefix else text,
            (
                Button(payload(step_id, "yes"), step.yes_label),
                Button(payload(step_id, "no"), step.no_label),
            ),
        )
