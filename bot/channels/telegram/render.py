"""Render Outbound for Telegram: split long texts, keyboards, short callback data."""

from __future__ import annotations

import base64
import hashlib
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.domain.messages import Attachment, Button, Outbound

MAX_TEXT = 4096  # Telegram's limit, counted in UTF-16 code units
MAX_CALLBACK_BYTES = 64
DIGEST_PREFIX = "#"
BUTTONS_ONLY = "👇"  # Telegram refuses an empty text; a keyboard needs one

_SENTENCE_END = re.compile(r"[.!?…]+[\"»”’)\]]*(?=\s)")
_LINE = re.compile(r"\n")
_PARAGRAPH = re.compile(r"\n\s*\n")
_SPACE = re.compile(r"\s")

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fitting(text: str, limit: int) -> str:
    """The longest prefix of ``text`` within ``limit`` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text


def _cut(window: str) -> int:
    """Where to end a part: the last paragraph, line or sentence end, else a space."""
    half = len(window) // 2
    for pattern in (_PARAGRAPH, _LINE, _SENTENCE_END, _SPACE):
        ends = [
            m.end() if pattern is _SENTENCE_END else m.start() for m in pattern.finditer(window)
        ]
        late = [end for end in ends if end >= half]
        if late:
            return late[-1]
    return len(window)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Parts of at most ``limit`` characters, cut at sentence boundaries when possible.

    Paragraph and line breaks come first, then sentence ends, then spaces, and only
    a text with none of those in the second half of a part is cut mid-word.
    """
    parts: list[str] = []
    rest = text.strip()
    while _units(rest) > limit:
        window = _fitting(rest, limit)
        cut = _cut(window) or len(window)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


class CallbackCodec:
    """``callback_data`` for a payload: the payload itself when it fits, else a digest.

    Payloads are short and stable (``/step:option``), so they travel as they are and
    any worker can read them back; the engine checks them against the question being
    asked, so a forged or outdated one only gets a kind "this button is old". A payload
    over 64 bytes travels as a digest remembered here (digests this process never
    issued come back unchanged and read as an outdated button).
    """

    def __init__(self, capacity: int = 4096) -> None:
        self._long: OrderedDict[str, str] = OrderedDict()
        self._capacity = capacity

    def encode(self, payload: str) -> str:
        """The callback data carrying ``payload`` (at most 64 bytes)."""
        raw = payload.encode("utf-8")
        if len(raw) <= MAX_CALLBACK_BYTES and not payload.startswith(DIGEST_PREFIX):
            return payload
        digest = hashlib.blake2b(raw, digest_size=15).digest()
        key = DIGEST_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii")
        self._long[key] = payload
        self._long.move_to_end(key)
        while len(self._long) > self._capacity:
            self._long.popitem(last=False)
        return key

    def decode(self, data: str) -> str:
        """The payload behind callback ``data`` (``data`` itself if unknown)."""
        return self._long.get(data, data)


@dataclass(frozen=True, slots=True)
class TelegramMessage:
    """One Bot API message: a text (``sendMessage``) or a file (``sendDocument``)."""

    text: str
    markup: Markup | None = None
    document: Attachment | None = None


def render_keyboard(buttons: Sequence[Button], codec: CallbackCodec) -> Markup | None:
    """Inline buttons, one per row; a reply keyboard when one asks for the phone number.

    Telegram can only ask for a contact from a reply keyboard; its other buttons
    then send their title as text, which the engine matches like typed words.
    """
    if not buttons:
        return None
    if any(b.asks_phone for b in buttons):
        return ReplyKeyboardMarkup(
            [[KeyboardButton(b.title, request_contact=b.asks_phone or None)] for b in buttons],
            one_time_keyboard=True,
            resize_keyboard=True,
        )
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.title, callback_data=codec.encode(b.payload))] for b in buttons]
    )


def render_telegram(reply: Outbound, codec: CallbackCodec) -> list[TelegramMessage]:
    """The Bot API messages of one reply; the keyboard goes with the last text part."""
    messages = [TelegramMessage(part) for part in split_text(reply.text)]
    markup = render_keyboard(reply.buttons, codec)
    if markup is not None:
        if not messages:
            messages.append(TelegramMessage(BUTTONS_ONLY))
        messages[-1] = replace(messages[-1], markup=markup)
    if reply.attachment is not None:
        messages.append(TelegramMessage("", document=reply.attachment))
    return messages
