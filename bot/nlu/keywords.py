"""A small keyword matcher: whole-message phrases mapped to intents (no learning)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.domain.text import fold
from bot.domain.understanding import Understanding

DEFAULT_PHRASES: Mapping[str, Sequence[str]] = {
    "stop": ["stop", "arrete", "arretez", "arretez de m'ecrire", "stp arretez", "desabonner"],
    "delete_data": ["supprimez mes donnees", "supprime mes donnees", "efface mes donnees"],
    "ask_human": ["parler a quelqu'un", "un humain", "un conseiller", "appelez moi"],
    "ask_bot": ["c'est quoi", "c quoi", "t'es qui", "tu es qui", "c'est gratuit", "c payant"],
    "greet": ["salut", "bonjour", "bonsoir", "coucou", "slt", "bjr", "wesh", "hello", "salam"],
    "thanks": ["merci", "mrc", "merci beaucoup", "thanks", "thx"],
    "goodbye": ["au revoir", "bye", "a plus", "a+", "bonne journee"],
}


class KeywordNLU:
    """Matches the whole folded message against known phrases."""

    def __init__(self, phrases: Mapping[str, Sequence[str]] = DEFAULT_PHRASES) -> None:
        self._intents = {fold(p): intent for intent, items in phrases.items() for p in items}

    async def parse(self, text: str) -> Understanding:
        """Intent with confidence 1.0 on an exact phrase, else nothing."""
        intent = self._intents.get(fold(text))
        return Understanding(intent, 1.0) if intent else Understanding()
