"""Every message a resident can receive exists in each language of flows/langues/.

The walk is written here, over the flow models (not with the translation code's own walk):
every step's texts and buttons, every command's reply, every message of global.yml, every
FAQ answer, the hand-off news, the notices, and the schemes' texts of data/schemes.yml
(names excepted). Words typed to answer a button exist in each language, and the texts
the code puts together (dates, the « mes données » summary) read in the person's language.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from bot.engine.langfiles import load_translations, source_hash
from bot.engine.loader import FlowSet, load_flows
from bot.engine.render import Renderer
from bot.engine.schema import ChoiceStep, ConsentStep, EndStep, InputStep, SayStep
from bot.engine.translate import translated
from bot.handoff.catalogue import Catalogue, load_catalogue
from bot.privacy.access import render_access
from tests.conftest import SHIPPED_FLOWS

FLOWS: FlowSet = load_flows(SHIPPED_FLOWS)
CATALOGUE = load_catalogue(SHIPPED_FLOWS.parent / "data" / "schemes.yml")
TRANSLATIONS = load_translations(SHIPPED_FLOWS)
SAME_EVERYWHERE = ("global.messages.language_ask", "global.messages.date")  # by design
LANGS = sorted(code for code in FLOWS.glob.languages if code != "fr")


def _texts(prefix: str, value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _texts(f"{prefix}.{key}", inner)
    else:
        yield prefix, value


def resident_texts(flows: FlowSet) -> Iterator[tuple[str, Any]]:
    """(key, French text) of everything a resident can read."""
    for flow_id, item in flows.flows.items():
        for step_id, step in item.flow.steps.items():
            at = f"{flow_id}.{step_id}"
            if isinstance(step, SayStep):
                yield f"{at}.say", step.say
            elif isinstance(step, EndStep) and step.end:
                yield f"{at}.end", step.end
            elif isinstance(step, ConsentStep):
                yield f"{at}.text", step.text
                yield f"{at}.yes_label", step.yes_label
                yield f"{at}.no_label", step.no_label
            elif isinstance(step, (ChoiceStep, InputStep)):
                yield f"{at}.ask", step.ask
                for name in ("hint", "dont_know"):
                    if getattr(step, name):
                        yield f"{at}.{name}", getattr(step, name)
                if isinstance(step, ChoiceStep) and step.multiple:
                    yield f"{at}.done_label", step.done_label
                for option in step.options:
                    yield f"{at}.options.{option.id}.label", option.label
                    if option.phrase:
                        yield f"{at}.options.{option.id}.phrase", option.phrase
    for command in flows.glob.commands:
        if command.reply:
            yield f"global.commands.{command.id}.reply", command.reply
    yield from _texts("global.messages", flows.glob.messages.model_dump())
    for entry in flows.faq.faq:
        if entry.answer:
            yield f"faq.{entry.id}.answer", entry.answer
        for index, variant in enumerate(entry.answers):
            yield f"faq.{entry.id}.answers.{index}.say", variant.say
    yield "faq.unknown", flows.faq.unknown
    assert flows.handoff is not None
    yield from _texts("personne", flows.handoff.personne.model_dump())
    for name, notice in flows.notices.items():
        yield f"notices.{name}", notice.text


def scheme_texts(catalogue: Catalogue) -> Iterator[tuple[str, Any]]:
    """(key, French text) of what residents read of each scheme (its name stays)."""
    yield "schemes.display.reach", catalogue.display.reach
    for scheme in catalogue.schemes:
        for name in ("offer", "caveat", "reach", "amount"):
            if getattr(scheme, name):
                yield f"schemes.{scheme.id}.{name}", getattr(scheme, name)
        for rule in scheme.rules:
            if rule.caveat:
                yield f"schemes.{scheme.id}.rules.{rule.id}.caveat", rule.caveat


def test_three_languages_are_offered() -> None:
    assert list(FLOWS.glob.languages) == ["fr", "en", "ar"]
    assert set(LANGS) <= set(TRANSLATIONS)


@pytest.mark.parametrize("lang", LANGS)
def test_every_text_a_resident_reads_is_translated_and_up_to_date(lang: str) -> None:
    translation = TRANSLATIONS[lang]
    missing, stale, same = [], [], []
    for key, french in [*resident_texts(FLOWS), *scheme_texts(CATALOGUE)]:
        if key not in translation.texts:
            missing.append(key)
            continue
        if translation.sources.get(key) != source_hash(french):
            stale.append(key)
        text = translation.texts[key]
        wordy = isinstance(french, str) and len(french.split()) >= 3
        if wordy and text == french and key not in SAME_EVERYWHERE:
            same.append(key)
    assert missing == [] and stale == [] and same == []


@pytest.mark.parametrize("lang", LANGS)
def test_every_command_can_be_typed_in_the_language(lang: str) -> None:
    texts = TRANSLATIONS[lang].texts
    for command in FLOWS.glob.commands:
        if command.words:
            assert texts.get(f"global.commands.{command.id}.words"), command.id
    assert FLOWS.glob.languages[lang].words


@pytest.mark.parametrize("lang", LANGS)
def test_every_button_that_can_be_typed_in_french_can_be_typed_in_the_language(
    lang: str,
) -> None:
    texts = TRANSLATIONS[lang].texts
    missing = [
        f"{flow_id}.{step_id}.options.{option.id}"
        for flow_id, item in FLOWS.flows.items()
        for step_id, step in item.flow.steps.items()
        if isinstance(step, (ChoiceStep, InputStep))
        for option in step.options
        if option.words and not texts.get(f"{flow_id}.{step_id}.options.{option.id}.words")
    ]
    assert missing == []


FRENCH_WORDS = ("lundi", "décembre", "1er", "Tes réponses", " : ", " ; ")


@pytest.mark.parametrize("lang", LANGS)
def test_texts_put_together_in_code_read_in_the_language(lang: str) -> None:
    flows = translated(FLOWS, TRANSLATIONS[lang])
    render = Renderer(flows)
    when = render.date(date(2026, 12, 1))
    assert not [w for w in FRENCH_WORDS if w in when], when
    assert flows.glob.messages.months[11] in when
    access = flows.glob.messages.access
    data = {
        "contact": {"channel": "telegram", "first_name": "Sam"},
        "answers": {"age_band": "31_plus", "stage": "idea"},
        "consents": [{"kind": "answer", "granted": True, "purpose": "contact"}],
    }
    [summary] = render_access(data, render.label, access.model_dump())
    assert access.names["age_band"] in summary.text
    assert not [w for w in FRENCH_WORDS if w in summary.text], summary.text
