"""Questions asked in the middle of a chat: answered from ``flows/faq.yml``, then back."""

from __future__ import annotations

import re

from bot.domain.text import fold
from bot.domain.understanding import Understanding
from bot.engine.absorb import with_intent
from bot.engine.choices import holds
from bot.engine.kit import Kit
from bot.engine.schema import FaqEntry
from bot.engine.turn import Turn

SURE = 0.8  # an FAQ intent this sure is a question, even without a question mark
LIKELY = 0.45  # enough when the message looks like a question
FALLBACK = 0.5  # enough when the message does not answer the question asked
FREE_TEXT = 0.9  # at a free-text question (the project in one sentence)
MARGIN = 0.2  # below SURE, the first intent must lead the next by this much
_ASKING = re.compile(
    r"^(?:est ce que|est ce qu|c'est quoi|c quoi|cest quoi|qu'est ce|quest ce|quoi|qui|"
    r"comment|combien|pourquoi|pk|pq|quand|ou est|ou sont|vous|tu|t'es|t es|on peut|je peux|"
    r"jpeux|faut il|faut-il|il faut|y a|ya|il y a|c'est qui|cest qui|c qui|ca coute|ca sert|"
    r"quel|quelle|quels|quelles|a quoi|de quoi|avec qui|par qui|tu sais|vous savez)\b"
)


def asks_something(text: str) -> bool:
    """A real question: a question mark and the words a question starts with."""
    return text.rstrip().endswith("?") and bool(_ASKING.match(fold(text).replace("-", " ")))


def looks_like_question(text: str) -> bool:
    """A question mark, or the words a question starts with ("c'est quoi", "combien")."""
    return text.rstrip().endswith("?") or bool(_ASKING.match(fold(text).replace("-", " ")))


def entry_for(kit: Kit, understanding: Understanding) -> FaqEntry | None:
    intent = understanding.intent
    return next((e for e in kit.flows.faq.faq if e.intent_name == intent), None)


def written(kit: Kit, text: str) -> FaqEntry | None:
    """The entry one of whose examples is exactly this message (a coordinator's example
    is always recognised, whatever the NLU makes of it)."""
    return kit.faq_examples.get(fold(text))


def match(
    kit: Kit,
    text: str,
    understanding: Understanding,
    *,
    free_text: bool = False,
    unanswered: bool = False,
) -> FaqEntry | None:
    """The FAQ entry a message asks, when the NLU is sure enough for where we are
    (``unanswered``: the message was read and does not answer the question asked)."""
    exact = written(kit, text) if text else None
    if exact is not None:
        return exact
    entry = entry_for(kit, understanding)
    if entry is None:
        return None
    confidence = understanding.confidence
    if confidence < SURE and confidence - understanding.runner_up < MARGIN:
        return None  # a close call between two questions: better say we do not know
    if unanswered:
        sure = confidence >= FALLBACK or (looks_like_question(text) and confidence >= LIKELY)
    elif free_text:
        sure = confidence >= FREE_TEXT or (looks_like_question(text) and confidence >= SURE)
    else:
        sure = confidence >= SURE or (looks_like_question(text) and confidence >= LIKELY)
    return entry if sure else None


def answer_text(kit: Kit, turn: Turn, entry: FaqEntry, text: str) -> str:
    """The entry's answer for this person now (its first variant whose condition holds)."""
    values = {**kit.faq_values(text)}
    slots = {**values, **with_intent(turn.view(), turn.intent)}
    if entry.answer is not None:
        return kit.render.fill(entry.answer, slots)
    for variant in entry.answers:
        if holds(variant, slots):
            return kit.render.fill(variant.say, slots)
    return kit.flows.faq.unknown


def say_answer(kit: Kit, turn: Turn, entry: FaqEntry, text: str) -> None:
    turn.intent = None  # a question, not an answer for branches to test
    turn.heard = f"faq:{entry.id}"
    turn.say(answer_text(kit, turn, entry, text))


def say_unknown(kit: Kit, turn: Turn) -> None:
    turn.intent = None
    turn.heard = "faq:unknown"
    turn.say(kit.render.fill(kit.flows.faq.unknown, turn.view()))
