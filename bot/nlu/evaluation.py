"""Measure an NLU backend: per-intent precision/recall/F1, entity F1, confusions, k-fold CV."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.domain.understanding import Understanding
from bot.nlu.entities import normalize_value
from bot.nlu.trainingdata import Example, NLUData

Parse = Callable[[str], Awaitable[Understanding]]
NO_INTENT = "(none)"


@dataclass(frozen=True, slots=True)
class Score:
    """Precision, recall and F1 of one label, with its number of true cases."""

    precision: float
    recall: float
    f1: float
    support: int

    @classmethod
    def of(cls, tp: int, fp: int, fn: int) -> Score:
        """Score from true positives, false positives and false negatives."""
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return cls(precision, recall, f1, tp + fn)


@dataclass(frozen=True, slots=True)
class Prediction:
    """What the backend said about one example."""

    example: Example
    intent: str
    entities: tuple[tuple[str, str], ...]
    gold_entities: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Report:
    """Every figure ``bot nlu evaluate`` prints for one data set."""

    intents: Mapping[str, Score]
    macro_f1: float
    accuracy: float
    entities: Mapping[str, Score]
    entity_micro: Score
    confusions: Sequence[tuple[str, str, int, str]]  # gold, predicted, count, an example
    size: int
    predictions: Sequence[Prediction] = field(default=(), repr=False)


def gold_entities(example: Example, synonyms: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The annotated entities of ``example`` as canonical (name, value) pairs."""
    return tuple(
        sorted((e.name, normalize_value(e.name, e.value, synonyms)) for e in example.entities)
    )


async def predict(
    parse: Parse, examples: Iterable[Example], synonyms: Mapping[str, str]
) -> list[Prediction]:
    """Run ``parse`` on every example."""
    out: list[Prediction] = []
    for example in examples:
        understood = await parse(example.text)
        found = tuple(sorted((e.name, e.value) for e in understood.entities))
        out.append(
            Prediction(
                example, understood.intent or NO_INTENT, found, gold_entities(example, synonyms)
            )
        )
    return out


def score(predictions: Sequence[Prediction], *, top_confusions: int = 10) -> Report:
    """Figures over ``predictions``."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    confused: Counter[tuple[str, str]] = Counter()
    sample: dict[tuple[str, str], str] = {}
    for p in predictions:
        gold = p.example.intent
        if p.intent == gold:
            tp[gold] += 1
        else:
            fp[p.intent] += 1
            fn[gold] += 1
            confused[(gold, p.intent)] += 1
            sample.setdefault((gold, p.intent), p.example.text)
    # "No intent at all" is a miss of the expected intent, not a class of its own.
    predicted = {p.intent for p in predictions} - {NO_INTENT}
    labels = sorted({p.example.intent for p in predictions} | predicted)
    intents = {label: Score.of(tp[label], fp[label], fn[label]) for label in labels}
    macro = sum(s.f1 for s in intents.values()) / len(intents) if intents else 0.0
    accuracy = sum(tp.values()) / len(predictions) if predictions else 0.0
    etp: Counter[str] = Counter()
    efp: Counter[str] = Counter()
    efn: Counter[str] = Counter()
    for p in predictions:
        found, gold_set = Counter(p.entities), Counter(p.gold_entities)
        for (name, _), n in (found & gold_set).items():
            etp[name] += n
        for (name, _), n in (found - gold_set).items():
            efp[name] += n
        for (name, _), n in (gold_set - found).items():
            efn[name] += n
    names = sorted(set(etp) | set(efp) | set(efn))
    entities = {n: Score.of(etp[n], efp[n], efn[n]) for n in names}
    micro = Score.of(sum(etp.values()), sum(efp.values()), sum(efn.values()))
    top = [(g, p, n, sample[(g, p)]) for (g, p), n in confused.most_common(top_confusions)]
    return Report(intents, macro, accuracy, entities, micro, top, len(predictions), predictions)


async def evaluate(parse: Parse, data: NLUData, synonyms: Mapping[str, str]) -> Report:
    """Score ``parse`` on every example of ``data``."""
    return score(await predict(parse, data.examples, synonyms))


def folds(examples: Sequence[Example], k: int, seed: int = 0) -> list[list[Example]]:
    """Stratified folds: each intent's examples shuffled and dealt round-robin."""
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        by_intent[example.intent].append(example)
    rng = random.Random(seed)
    out: list[list[Example]] = [[] for _ in range(k)]
    turn = 0
    for intent in sorted(by_intent):
        items = by_intent[intent]
        rng.shuffle(items)
        for item in items:
            out[turn % k].append(item)
            turn += 1
    return out


async def cross_validate(
    data: NLUData, make_parse: Callable[[NLUData], Parse], k: int = 5, seed: int = 0
) -> Report:
    """Train on k-1 folds, predict the last one, k times; one report over every example."""
    parts = folds(data.examples, k, seed)
    predictions: list[Prediction] = []
    for index, test in enumerate(parts):
        train = [e for j, part in enumerate(parts) if j != index for e in part]
        parse = make_parse(data.subset(train))
        predictions.extend(await predict(parse, test, data.synonyms))
    return score(predictions)


def render_report(report: Report, title: str) -> str:
    """The report as the plain-text tables ``bot nlu evaluate`` prints."""
    lines = [f"== {title} ({report.size} examples)", ""]
    lines.append(f"{'intent':<18}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}")
    for label, s in report.intents.items():
        lines.append(f"{label:<18}{s.precision:>10.3f}{s.recall:>8.3f}{s.f1:>8.3f}{s.support:>9}")
    lines.append(f"macro-F1 {report.macro_f1:.3f}   accuracy {report.accuracy:.3f}")
    lines.append("")
    lines.append(f"{'entity':<18}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}")
    rows = [*report.entities.items(), ("all (micro)", report.entity_micro)]
    for name, s in rows:
        lines.append(f"{name:<18}{s.precision:>10.3f}{s.recall:>8.3f}{s.f1:>8.3f}{s.support:>9}")
    lines.append(f"entity F1 {report.entity_micro.f1:.3f}")
    lines.append("")
    lines.append("most confused (expected -> predicted, count, e.g.)")
    for gold, predicted, count, text in report.confusions:
        lines.append(f"  {gold} -> {predicted}  {count}  « {text} »")
    if not report.confusions:
        lines.append("  none")
    return "\n".join(lines)
