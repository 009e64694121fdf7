"""Every text a person can read, with where it is written: messages, buttons, notices."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bot.engine.loader import FAQ_FILE, GLOBAL_FILE, NOTICES, RELAY_FILE
from bot.engine.schema import ChoiceStep, ConsentStep, InputStep
from bot.flowtools.context import Context
from bot.flowtools.locate import Locator

MESSAGE_FIELDS = ("say", "ask", "text", "end", "hint", "dont_know")
NOTICE_FIRST_LINE = 4  # after the "--- version: N ---" header


@dataclass(frozen=True, slots=True)
class Text:
    """One text; ``message`` is False for button labels and notices (checked for words only).

    Its line is looked up only when asked (a finding), from ``key`` in ``locator``.
    """

    file: str
    text: str
    message: bool
    lang: str = "fr"
    locator: Locator | None = None
    key: tuple[str | int, ...] = ()

    @property
    def line(self) -> int | None:
        """Line of the text's key (the first line of a notice's text)."""
        if self.locator is None:
            return NOTICE_FIRST_LINE
        return self.locator.line(*self.key) or self.locator.line(*self.key[:-1])


def texts(ctx: Context) -> Iterator[Text]:
    """Messages and labels of every flow, the global file's replies and messages, notices."""
    key: tuple[str | int, ...]
    for item in ctx.flows.flows.values():
        locate = ctx.locators[item.path]
        lang = item.flow.lang
        for step_id, step in item.flow.steps.items():
            for name in MESSAGE_FIELDS:
                value = getattr(step, name, None)
                if isinstance(value, str) and value.strip():
                    yield Text(item.path, value, True, lang, locate, ("steps", step_id, name))
            if isinstance(step, (ChoiceStep, InputStep)):
                for index, option in enumerate(step.options):
                    key = ("steps", step_id, "options", index)
                    yield Text(item.path, option.label, False, lang, locate, key)
            if isinstance(step, ConsentStep):
                for name in ("yes_label", "no_label"):
                    key = ("steps", step_id, name)
                    yield Text(item.path, getattr(step, name), False, lang, locate, key)
    glob = ctx.flows.glob
    locate = ctx.locators[GLOBAL_FILE]
    for index, command in enumerate(glob.commands):
        if command.reply:
            key = ("commands", index, "reply")
            yield Text(GLOBAL_FILE, command.reply, True, locator=locate, key=key)
    # Only messages written in the file: the defaults are the developers' to check.
    for name, value in glob.messages.model_dump(exclude_unset=True).items():
        values = value if isinstance(value, dict) else {None: value}
        for sub, text in values.items():
            if isinstance(text, str) and text.strip():
                key = ("messages", name) if sub is None else ("messages", name, sub)
                label = not name.endswith(("_yes", "_no"))
                yield Text(GLOBAL_FILE, text, label, locator=locate, key=key)
    faq = ctx.flows.faq
    in_faq = ctx.locators[FAQ_FILE]
    for index, entry in enumerate(faq.faq):
        if entry.answer:
            yield Text(FAQ_FILE, entry.answer, True, locator=in_faq, key=("faq", index, "answer"))
        for number, variant in enumerate(entry.answers):
            key = ("faq", index, "answers", number, "say")
            yield Text(FAQ_FILE, variant.say, True, locator=in_faq, key=key)
    if faq.faq:
        yield Text(FAQ_FILE, faq.unknown, True, locator=in_faq, key=("unknown",))
    if ctx.flows.handoff is not None:
        in_relay = ctx.locators[RELAY_FILE]
        for key, text in _strings(ctx.flows.handoff.model_dump()):
            # Buttons and lines of the relay's sheet are labels: words only.
            message = "sheet" not in key and not str(key[-1]).endswith(("button", "_subject"))
            yield Text(RELAY_FILE, text, message, locator=in_relay, key=key)
    for notice in ctx.flows.notices.values():
        yield Text(f"{NOTICES}/{notice.name}.md", notice.text, False)


def _strings(
    data: object, key: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every text of a nested mapping, with where it is."""
    if isinstance(data, str):
        if data.strip():
            yield key, data
    elif isinstance(data, dict):
        for name, value in data.items():
            yield from _strings(value, (*key, str(name)))
