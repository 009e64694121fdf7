"""The person's language: chosen by words or a button, guessed from the first messages."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.messages import Button, Outbound
from bot.domain.text import fold, is_other_script
from bot.engine.schema import Language
from bot.engine.state import ConversationState, Status
from bot.typed.language import detect

PREFIX = "/lang:"
SOURCE = "fr"


def chosen(languages: Mapping[str, Language], text: str, button: str | None) -> str | None:
    """The language a button or a message asks for (« english », « عربي »), if any."""
    if button is not None:
        code = button.removeprefix(PREFIX) if button.startswith(PREFIX) else None
        return code if code in languages else None
    folded = fold(text)
    if not folded:
        return None
    padded = f" {folded} "
    for code, language in languages.items():
        for word in map(fold, language.words):
            # The word alone, or a phrase of several words inside the message
            # (« hi, do you speak english? », « tu parles arabe ? »).
            if word == folded or (" " in word and f" {word} " in padded):
                return code
    return None


def guessed(
    languages: Mapping[str, Language], state: ConversationState, text: str
) -> tuple[str, bool]:
    """The language a message shows while the person's is not known yet, and whether to
    ask (``("", True)``: maybe another language, not clear enough to switch).

    Arabic script, or a clear sentence in English, switches; one word (« hello »,
    « yes ») or Arabic in Latin letters (the person may not read the Arabic script) asks.
    A French lean settles French, so a French speaker's later « no problem » changes
    nothing; only a sentence in Arabic script still switches (or one word of it asks).
    The three buttons are offered only before the first answer: later, a word like
    « Tourcoing » or « ok » is an answer, not a choice of language.
    """
    if not text or len(languages) < 2:
        return state.lang, False
    if state.lang not in ("", "ar") and "ar" in languages and is_other_script(text):
        # A sentence in Arabic script after another language: the person prefers Arabic.
        return ("ar", False) if len(text.split()) >= 2 else (state.lang, True)
    if state.lang:
        return state.lang, False
    guess = detect(text)
    if guess.lang is None or guess.lang not in languages:
        return "", False
    if guess.lang == SOURCE:
        return SOURCE, False
    if guess.lang == "ar" and is_other_script(text):
        return guess.lang, False
    if guess.sure and guess.lang != "ar" and len(text.split()) >= 2:
        return guess.lang, False
    first = state.status is not Status.ACTIVE or not state.asked  # nothing answered yet
    return "", first


def offer(languages: Mapping[str, Language], ask: str) -> Outbound:
    """« Français / English / العربية » as buttons."""
    buttons = tuple(
        Button(f"{PREFIX}{code}", language.name) for code, language in languages.items()
    )
    return Outbound(ask, buttons)
