"""The NLU the bot runs with: the configured backend, trained on nlu/ and the FAQ's questions."""

from __future__ import annotations

from bot.app.settings import Settings
from bot.domain.understanding import NLU
from bot.engine.loader import FlowSet, load_flows
from bot.nlu.embedded import make_embedded_nlu
from bot.nlu.keywords import KeywordNLU
from bot.nlu.rasa import RasaNLU
from bot.nlu.trainingdata import Example, NLUData


def faq_training(flows: FlowSet) -> NLUData:
    """The questions of ``flows/faq.yml`` as NLU examples (intent ``faq_<id>``), with
    those of each language (``faq.<id>.examples`` in ``flows/langues/``)."""
    examples = [(text, entry) for entry in flows.faq.faq for text in entry.examples]
    for translation in flows.translations.values():
        for entry in flows.faq.faq:
            more = translation.texts.get(f"faq.{entry.id}.examples") or []
            examples += [(str(text), entry) for text in more]
    return NLUData(tuple(Example(text, entry.intent_name) for text, entry in examples))


def make_nlu(settings: Settings) -> NLU:
    """The configured NLU backend (the embedded one trains here, or loads from its cache)."""
    config = settings.nlu
    if config.backend == "keywords":
        return KeywordNLU()
    cache_dir = config.cache_dir or settings.runtime_dir / "nlu"
    embedded = make_embedded_nlu(
        settings.nlu_dir,
        cache_dir,
        threshold=config.threshold,
        extra=faq_training(load_flows(settings.flows_dir)),
    )
    if config.backend == "rasa":
        return RasaNLU(
            config.rasa_url,
            timeout=config.rasa_timeout,
            threshold=config.threshold,
            fallback=embedded,
            normalize=embedded.extractor.canonical,
        )
    return embedded
