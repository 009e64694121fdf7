"""Rules on translations: a flow in several languages has a complete copy in each.

A flow lists its languages (``languages: [fr, en]``; its own is ``lang``, French by
default). Each other language is a flow of its own (``intake_en.yml``) with
``translates: intake`` and ``lang: en``: same steps, same buttons, same slots, texts in
the other language. A step may lead to it (``goto: {flow: intake_en}``) to switch.
"""

from __future__ import annotations

from bot.engine.loader import LoadedFlow, placeholders
from bot.engine.schema import ChoiceStep, ConsentStep, InputStep
from bot.flowtools.context import Context
from bot.flowtools.findings import Finding, error, warning
from bot.flowtools.graph import QUESTIONS
from bot.flowtools.texts import MESSAGE_FIELDS


def check_languages(ctx: Context) -> list[Finding]:
    """Declared languages have a translation; translations match their original."""
    found: list[Finding] = []
    flows = ctx.flows.flows
    translations: dict[tuple[str, str], LoadedFlow] = {}
    for item in flows.values():
        original = item.flow.translates
        if original is None:
            continue
        line = ctx.locators[item.path].line("translates")
        if original not in flows or flows[original].flow.translates is not None:
            found.append(
                error(
                    item.path,
                    line,
                    f"« translates: {original} » : il n'y a pas de script d'origine "
                    f"« {original} » à traduire.",
                )
            )
            continue
        source = flows[original]
        if item.flow.lang not in source.flow.languages:
            found.append(
                error(
                    item.path,
                    ctx.locators[item.path].line("lang") or line,
                    f"« {original} » ne déclare pas la langue « {item.flow.lang} » : ajoute-la "
                    f"à « languages: » dans {source.path}.",
                )
            )
        translations[(original, item.flow.lang)] = item
        found += _compare(ctx, source, item)
    for item in flows.values():
        for lang in item.flow.languages:
            if lang != item.flow.lang and (item.flow.flow, lang) not in translations:
                found.append(
                    error(
                        item.path,
                        ctx.locators[item.path].line("languages"),
                        f"la traduction en « {lang} » manque : crée un script avec "
                        f"« translates: {item.flow.flow} » et « lang: {lang} ».",
                    )
                )
    return found


def _compare(ctx: Context, source: LoadedFlow, copy: LoadedFlow) -> list[Finding]:
    found: list[Finding] = []
    head = ctx.locators[copy.path].line("translates")
    for step_id in source.order:
        if step_id not in copy.flow.steps:
            found.append(
                error(
                    copy.path,
                    head,
                    f"l'étape « {step_id} » de {source.path} n'est pas traduite : ajoute-la.",
                )
            )
    for step_id, step in copy.flow.steps.items():
        where = ctx.where(copy, step_id)
        original = source.flow.steps.get(step_id)
        if original is None:
            found.append(error(*where, f"l'étape « {step_id} » n'existe pas dans {source.path}."))
            continue
        if type(step) is not type(original):
            found.append(
                error(*where, f"l'étape « {step_id} » n'est pas du même type que l'originale.")
            )
            continue
        if isinstance(step, QUESTIONS) and not isinstance(step, ConsentStep):
            assert isinstance(original, (ChoiceStep, InputStep))
            assert isinstance(step, (ChoiceStep, InputStep))
            ids = [o.id for o in original.options]
            if step.slot != original.slot or [o.id for o in step.options] != ids:
                found.append(
                    error(
                        *where,
                        f"l'étape « {step_id} » doit garder le même « slot » et les mêmes "
                        f"boutons (ids : {', '.join(ids) or 'aucun'}) que l'originale ; "
                        "seuls les textes changent.",
                    )
                )
        found += _texts(ctx, copy, step_id, step, original)
    return found


def _texts(
    ctx: Context, copy: LoadedFlow, step_id: str, step: object, original: object
) -> list[Finding]:
    found: list[Finding] = []
    for name in MESSAGE_FIELDS:
        mine, theirs = getattr(step, name, None), getattr(original, name, None)
        if not isinstance(mine, str) or not isinstance(theirs, str):
            continue
        where = ctx.where(copy, step_id, name)
        if sorted(placeholders(mine)) != sorted(placeholders(theirs)):
            found.append(
                warning(
                    *where,
                    f"les {{...}} de « {name} » ne sont pas les mêmes que dans l'original "
                    f"({', '.join(placeholders(theirs)) or 'aucun'}).",
                )
            )
        if mine.strip() == theirs.strip() and len(mine.split()) >= 3:
            found.append(
                warning(
                    *where, f"« {name} » est le même texte que l'original : pas encore traduit ?"
                )
            )
    return found
