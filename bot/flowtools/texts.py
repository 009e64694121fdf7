"""Every text a person can read, with where it is written: messages, buttons, notices."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bot.engine.loader import GLOBAL_FILE, NOTICES
from bot.engine.schema import ChoiceStep, ConsentStep, InputStep
from bot.flowtools.context import Context

MESSAGE_FIELDS = ("say", "ask", "text", "end", "hint")
NOTICE_FIRST_LINE = 4  # after the "--- version: N ---" header


@dataclass(frozen=True, slots=True)
class Text:
    """One text; ``message`` is False for button labels and notices (checked for words only)."""

    file: str
    line: int | None
    text: str
    message: bool
    lang: str = "fr"


def texts(ctx: Context) -> Iterator[Text]:
    """Messages and labels of every flow, the global file's replies and messages, notices."""
    for item in ctx.flows.flows.values():
        locate = ctx.locators[item.path]
        lang = item.flow.lang
        for step_id, step in item.flow.steps.items():
            for name in MESSAGE_FIELDS:
                value = getattr(step, name, None)
                if isinstance(value, str) and value.strip():
                    yield Text(item.path, locate.step(step_id, name), value, True, lang)
            if isinstance(step, (ChoiceStep, InputStep)):
                for index, option in enumerate(step.options):
                    line = locate.step(step_id, "options", index)
                    yield Text(item.path, line, option.label, False, lang)
            if isinstance(step, ConsentStep):
                for name in ("yes_label", "no_label"):
                    line = locate.step(step_id, name) or locate.step(step_id)
                    yield Text(item.path, line, getattr(step, name), False, lang)
    glob = ctx.flows.glob
    locate = ctx.locators[GLOBAL_FILE]
    for index, command in enumerate(glob.commands):
        if command.reply:
            yield Text(GLOBAL_FILE, locate.line("commands", index, "reply"), command.reply, True)
    # Only messages written in the file: the defaults are the developers' to check.
    for name, value in glob.messages.model_dump(exclude_unset=True).items():
        values = value if isinstance(value, dict) else {None: value}
        for key, text in values.items():
            if isinstance(text, str) and text.strip():
                path = ("messages", name) if key is None else ("messages", name, key)
                line = locate.line(*path)
                yield Text(GLOBAL_FILE, line, text, not name.endswith(("_yes", "_no")))
    for notice in ctx.flows.notices.values():
        yield Text(f"{NOTICES}/{notice.name}.md", NOTICE_FIRST_LINE, notice.text, False)
