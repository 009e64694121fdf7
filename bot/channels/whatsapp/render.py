"""Render outbound messages for WhatsApp: text, reply buttons, lists, numbered choices."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from bot.domain.messages import Button, ChannelTexts, Outbound

TEXT_LIMIT = 4096
BODY_LIMIT = 1024
MAX_BUTTONS = 3
BUTTON_TITLE = 20
MAX_ROWS = 10
ROW_TITLE = 24
ROW_DESCRIPTION = 72
ELLIPSIS = "…"


def _capital(match: re.Match[str]) -> str:
    return f"{match.group(1) or ''}{match.group(2).upper()}"


Replacement = str | Callable[[re.Match[str]], str]
# Shorter forms that keep the meaning, tried in order until a title fits.
_SHORTER: tuple[tuple[re.Pattern[str], Replacement], ...] = (
    (re.compile(r"\bde moins de (\d)"), r"< \1"),
    (re.compile(r"\bmoins de (\d)"), r"< \1"),
    (re.compile(r"\bde (\d+ \w+) ou plus\b"), r"≥ \1"),
    (re.compile(r"\b(\d+ \w+) ou plus\b"), r"\1 et +"),
    (re.compile(r"\bde plus de (\d)"), r"> \1"),
    (re.compile(r"\bplus de (\d)"), r"> \1"),
    (re.compile(r"^(✔ )?Je (\w)"), _capital),  # "Je préfère passer" -> "Préfère passer"
)
Message = dict[str, Any]


def shorten(title: str, limit: int) -> str | None:
    """``title`` in at most ``limit`` characters without losing its meaning, or ``None``."""
    title = " ".join(title.split())
    for pattern, replacement in _SHORTER:
        if len(title) <= limit:
            break
        title = pattern.sub(replacement, title)
    return title if len(title) <= limit else None


def clip(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to ``limit`` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,.;:") + ELLIPSIS


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` characters, at paragraph, line or
    word boundaries when possible."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for separator in ("\n\n", "\n", " "):
            cut = window.rfind(separator)
            if cut > limit // 4:
                break
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _text(body: str) -> Message:
    return {"type": "text", "text": {"body": body, "preview_url": False}}


def _lead_and_body(text: str) -> tuple[list[Message], str]:
    """Text messages to send first, and the last part (<= 1024) for an interactive body."""
    parts = split_text(text or "…", BODY_LIMIT)
    lead = split_text("\n".join(parts[:-1]), TEXT_LIMIT) if len(parts) > 1 else []
    return [_text(p) for p in lead if p], parts[-1]


def _unique(titles: Sequence[str | None]) -> bool:
    return None not in titles and len(set(titles)) == len(titles)


def _reply_buttons(body: str, buttons: Sequence[Button]) -> Message | None:
    titles = [shorten(b.title, BUTTON_TITLE) for b in buttons]
    if not _unique(titles):
        return None
    return {
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": body},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": b.payload, "title": t}}
                    for b, t in zip(buttons, titles, strict=True)
                ]
            },
        },
    }


def _row(button: Button) -> dict[str, str]:
    title = shorten(button.title, ROW_TITLE)
    row = {"id": button.payload, "title": title or clip(button.title, ROW_TITLE)}
    if row["title"] != button.title:  # the whole label stays readable under the title
        row["description"] = clip(button.title, ROW_DESCRIPTION)
    return row


def _list(body: str, buttons: Sequence[Button], button: str) -> Message | None:
    rows = [_row(b) for b in buttons]
    if len({r["title"] for r in rows}) != len(rows):
        return None
    return {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": body},
            "action": {"button": clip(button, BUTTON_TITLE), "sections": [{"rows": rows}]},
        },
    }


def render_numbered(reply: Outbound, texts: ChannelTexts) -> list[Message]:
    """Choices as numbered lines; the person answers with the number (or the words).

    When the bot already wrote them with their numbers (``reply.numbered``), the text is
    sent as it is.
    """
    if reply.numbered:
        return [_text(p) for p in split_text(reply.text)]
    lines = [f"{i}. {b.title}" for i, b in enumerate(reply.buttons, 1)]
    hint = texts.numbered_hint_multiple if reply.multiple else texts.numbered_hint
    text = "\n\n".join(part for part in (reply.text.strip(), "\n".join(lines), hint) if part)
    return [_text(p) for p in split_text(text)]


def render_outbound(reply: Outbound, texts: ChannelTexts) -> list[Message]:
    """The Graph API messages (without recipient) showing ``reply``, in order.

    1-3 choices become reply buttons (titles shortened without losing their meaning),
    4-10 (or short titles that do not fit a button) a list whose rows keep the whole
    label in their description, more a numbered text.
    """
    if not reply.buttons:
        return [_text(p) for p in split_text(reply.text)]
    count = len(reply.buttons)
    if count > MAX_ROWS:
        return render_numbered(reply, texts)
    lead, body = _lead_and_body(reply.text)
    interactive = _reply_buttons(body, reply.buttons) if count <= MAX_BUTTONS else None
    if interactive is None:
        interactive = _list(body, reply.buttons, texts.list_button)
    if interactive is None:
        return render_numbered(reply, texts)
    return [*lead, interactive]


def render_template(name: str, language: str, values: Sequence[str]) -> Message:
    """An approved template, its body's ``{{1}}``, ``{{2}}``... filled with ``values``."""
    template: dict[str, Any] = {"name": name, "language": {"code": language}}
    if values:
        template["components"] = [
            {"type": "body", "parameters": [{"type": "text", "text": v} for v in values]}
        ]
    return {"type": "template", "template": template}
