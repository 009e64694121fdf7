"""The ``bot nlu`` commands: evaluate a backend (cross-validation, held-out data), try a text."""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from pathlib import Path
from typing import Any

from bot.app.settings import PROJECT, Settings
from bot.app.understanding import faq_training
from bot.domain.understanding import Understanding
from bot.engine.loader import load_flows
from bot.nlu.embedded import EmbeddedNLU, make_embedded_nlu, train_on
from bot.nlu.entities import EntityExtractor
from bot.nlu.evaluation import Parse, cross_validate, evaluate, render_report
from bot.nlu.keywords import KeywordNLU
from bot.nlu.rasa import RasaError, RasaNLU
from bot.nlu.trainingdata import NLUData, NLUDataError, load_nlu_data

HELD_OUT = PROJECT / "tests" / "nlu_data" / "heldout.yml"
BACKENDS = ("embedded", "rasa", "keywords")


def add_nlu_parser(sub: Any) -> None:
    """Add ``bot nlu evaluate`` and ``bot nlu parse`` to the command line."""
    nlu = sub.add_parser("nlu", help="understanding free text: evaluate, try a sentence")
    nlu_sub = nlu.add_subparsers(dest="nlu_command", required=True)
    evaluate_cmd = nlu_sub.add_parser(
        "evaluate", help="per-intent precision/recall/F1, macro-F1, entity F1, confusions"
    )
    evaluate_cmd.add_argument("--backend", choices=BACKENDS, default=None)
    evaluate_cmd.add_argument(
        "--data", type=Path, default=None, help=f"test file (default: {HELD_OUT})"
    )
    evaluate_cmd.add_argument(
        "--folds", type=int, default=5, help="cross-validation folds on nlu/data (0: none)"
    )
    parse_cmd = nlu_sub.add_parser("parse", help="what the NLU understands in a text")
    parse_cmd.add_argument("text")
    parse_cmd.add_argument("--backend", choices=BACKENDS, default=None)


def run_nlu_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``bot nlu ...``; returns the exit code."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per parse otherwise
    try:
        if args.nlu_command == "parse":
            return asyncio.run(_parse(settings, args.backend or settings.nlu.backend, args.text))
        backend = args.backend or settings.nlu.backend
        return asyncio.run(_evaluate(settings, backend, args.data or HELD_OUT, args.folds))
    except NLUDataError as exc:
        print(f"error: {exc}")
        return 2
    except RasaError as exc:
        print(f"error: Rasa server at {settings.nlu.rasa_url} unusable ({exc}).")
        print("Start one with `scripts/rasa.sh serve` (see README), or set BOT_NLU__RASA_URL.")
        return 2


def _embedded(settings: Settings) -> EmbeddedNLU:
    cache = settings.nlu.cache_dir or settings.runtime_dir / "nlu"
    faq = faq_training(load_flows(settings.flows_dir))
    return make_embedded_nlu(settings.nlu_dir, cache, threshold=settings.nlu.threshold, extra=faq)


def _rasa(settings: Settings, embedded: EmbeddedNLU | None) -> RasaNLU:
    return RasaNLU(
        settings.nlu.rasa_url,
        timeout=max(settings.nlu.rasa_timeout, 10.0),  # a cold server may be slow at first
        threshold=settings.nlu.threshold,
        normalize=embedded.extractor.canonical if embedded else None,
    )


async def _parse(settings: Settings, backend: str, text: str) -> int:
    understanding: Understanding
    if backend == "keywords":
        understanding = await KeywordNLU().parse(text)
    else:
        embedded = _embedded(settings)
        if backend == "rasa":
            rasa = _rasa(settings, embedded)
            try:
                understanding = await rasa.request(text)
            finally:
                await rasa.aclose()
        else:
            understanding = embedded.understand(text)
            for intent, probability in embedded.ranking(text)[:3]:
                print(f"  {probability:.3f}  {intent}")
    print(f"intent: {understanding.intent} ({understanding.confidence:.3f})")
    for entity in understanding.entities:
        print(f"entity: {entity.name} = {entity.value}  « {text[entity.start : entity.end]} »")
    return 0


def _fold_parse(threshold: float) -> Any:
    def make(data: NLUData) -> Parse:
        return EmbeddedNLU(train_on(data), EntityExtractor(data), threshold).parse

    return make


async def _evaluate(settings: Settings, backend: str, data_path: Path, folds: int) -> int:
    training = load_nlu_data(settings.nlu_dir / "data")
    test = load_nlu_data(data_path)
    print(f"backend: {backend}   training data: {settings.nlu_dir / 'data'}")
    print(f"{len(training.examples)} training examples, {len(training.intents)} intents")
    print(f"threshold (below it: out_of_scope): {settings.nlu.threshold}\n")
    if folds >= 2 and backend == "embedded":
        started = time.perf_counter()
        report = await cross_validate(training, _fold_parse(settings.nlu.threshold), folds)
        title = f"{folds}-fold cross-validation on nlu/data"
        print(render_report(report, title))
        print(f"({time.perf_counter() - started:.1f} s)\n")
    elif folds >= 2:
        print(f"== {folds}-fold cross-validation: embedded backend only")
        print("   (it trains one model per fold; for Rasa that is minutes each).\n")
    embedded = _embedded(settings) if backend != "keywords" else None
    parse: Parse
    rasa: RasaNLU | None = None
    if backend == "rasa":
        rasa = _rasa(settings, embedded)
        parse = rasa.request  # no silent fallback while measuring Rasa itself
    elif embedded is not None:
        parse = embedded.parse
    else:
        parse = KeywordNLU().parse
    try:
        started = time.perf_counter()
        report = await evaluate(parse, test, training.synonyms)
    finally:
        if rasa is not None:
            await rasa.aclose()
    print(render_report(report, f"held-out: {data_path}"))
    print(f"({time.perf_counter() - started:.1f} s)")
    return 0
