"""Rules on typed answers: buttons nobody can reach by typing, ranges, the FAQ's examples."""

from __future__ import annotations

from collections import defaultdict

from bot.domain.text import fold
from bot.engine.loader import FAQ_FILE, LoadedFlow
from bot.engine.schema import ChoiceStep, InputStep, Option
from bot.flowtools.context import Context
from bot.flowtools.findings import Finding, error, note, warning
from bot.typed.phrases import make_phrases

MIN_EXAMPLES = 10  # fewer, and the bot will not recognise the question reliably


def check_answers(ctx: Context) -> list[Finding]:
    """Every question's typed answers, and the FAQ file."""
    found: list[Finding] = []
    for item in ctx.flows.flows.values():
        for step_id, step in item.flow.steps.items():
            if isinstance(step, (ChoiceStep, InputStep)) and step.options:
                found += _question(ctx, item, step_id, step)
    return found + _faq(ctx)


def _phrases(option: Option) -> set[tuple[str, ...]]:
    return {p.tokens for p in make_phrases({option.id: [option.label, *option.words]})}


def _question(
    ctx: Context, item: LoadedFlow, step_id: str, step: ChoiceStep | InputStep
) -> list[Finding]:
    found: list[Finding] = []
    options = step.options
    means: dict[str, list[str]] = defaultdict(list)
    for option in options:
        if option.means:
            means[option.means].append(option.id)
    for meaning, ids in means.items():
        if len(ids) > 1:
            found.append(
                error(
                    *ctx.where(item, step_id, "options"),
                    f"la question « {step_id} » a plusieurs boutons « means: {meaning} » "
                    f"({', '.join(ids)}) : le bot ne sait pas lequel choisir quand on "
                    "l'écrit. Garde-le sur un seul bouton.",
                )
            )
    ranged = [o for o in options if o.range is not None]
    for i, first in enumerate(ranged):
        for second in ranged[i + 1 :]:
            if _overlap(first, second):
                found.append(
                    warning(
                        *ctx.where(item, step_id, "options"),
                        f"à la question « {step_id} », les nombres de « {first.label} » et de "
                        f"« {second.label} » se chevauchent : un nombre écrit qui tombe dans "
                        "les deux fera choisir la personne. Corrige les « range ».",
                    )
                )
    phrases = {o.id: _phrases(o) for o in options}
    for option in options:
        others = set().union(*(p for oid, p in phrases.items() if oid != option.id))
        own = phrases[option.id] - others
        if not own and option.range is None and option.means is None:
            found.append(
                warning(
                    *ctx.where(item, step_id, "options"),
                    f"à la question « {step_id} », le bouton « {option.label} » ne peut pas être "
                    "choisi en l'écrivant : son texte et ses mots (« words ») sont aussi ceux "
                    "d'autres boutons. Ajoute-lui des mots à lui.",
                )
            )
    if isinstance(step, ChoiceStep) and not step.multiple and not ranged and ctx.advice:
        shared = _shared_words(options)
        if shared:
            found.append(
                note(
                    *ctx.where(item, step_id, "options"),
                    f"à la question « {step_id} », ces mots vont avec plusieurs boutons : "
                    f"{', '.join(sorted(shared)[:5])}. Si une personne les écrit, le bot lui "
                    "demandera de choisir.",
                )
            )
    return found


def _overlap(first: Option, second: Option) -> bool:
    assert first.range is not None and second.range is not None
    low1, high1 = first.range
    low2, high2 = second.range
    return (high1 is None or low2 <= high1) and (high2 is None or low1 <= high2)


def _shared_words(options: list[Option]) -> set[str]:
    seen: dict[str, set[str]] = defaultdict(set)
    for option in options:
        for word in option.words:
            seen[fold(word)].add(option.id)
    return {word for word, ids in seen.items() if len(ids) > 1}


def _faq(ctx: Context) -> list[Finding]:
    found: list[Finding] = []
    owner: dict[str, str] = {}
    for entry in ctx.flows.faq.faq:
        if len(entry.examples) < MIN_EXAMPLES and ctx.advice:
            found.append(
                warning(
                    FAQ_FILE,
                    None,
                    f"la question « {entry.id} » n'a que {len(entry.examples)} exemple(s) : "
                    f"avec moins de {MIN_EXAMPLES}, le bot la reconnaîtra mal. Ajoute des "
                    "façons de la poser, écrites comme sur un téléphone.",
                )
            )
        for example in entry.examples:
            key = fold(example)
            if key in owner and owner[key] != entry.id:
                found.append(
                    error(
                        FAQ_FILE,
                        None,
                        f"l'exemple « {example} » est à la fois dans « {owner[key]} » et dans "
                        f"« {entry.id} » : le bot ne peut pas savoir laquelle répondre. "
                        "Garde-le dans une seule question.",
                    )
                )
            owner.setdefault(key, entry.id)
    return found
