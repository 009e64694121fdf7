"""Languages: detection on short real-style messages (accuracy, time per message), then
intent macro-F1 per language of the built-in NLU backend on held-out sets of the same
size (``tests/nlu_data/heldout.yml``, ``heldout_en.yml``, ``heldout_ar.yml``: never
trained on), with each language's gap to French (target: within 0.05).

    python benchmarks/language.py            # both
    python benchmarks/language.py --no-nlu   # detection only
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from bot.typed.language import detect

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "lang_data" / "detection.yml"
HELD_OUT = {
    "fr": ROOT / "tests" / "nlu_data" / "heldout.yml",
    "en": ROOT / "tests" / "nlu_data" / "heldout_en.yml",
    "ar": ROOT / "tests" / "nlu_data" / "heldout_ar.yml",
}
TARGET_GAP = 0.05


def intents() -> int:
    """Print intent macro-F1 and accuracy per language (built-in backend), trained on
    ``nlu/`` alone, then as the bot runs (``nlu/`` and the FAQ's examples)."""
    from bot.app.understanding import faq_training
    from bot.engine.loader import load_flows

    _intents("nlu/ only", None)
    _intents("as the bot runs: nlu/ and flows/faq.yml", faq_training(load_flows(ROOT / "flows")))
    return 0


def _intents(title: str, extra: Any) -> None:
    from bot.nlu.embedded import make_embedded_nlu
    from bot.nlu.evaluation import evaluate
    from bot.nlu.trainingdata import load_nlu_data

    with tempfile.TemporaryDirectory() as cache:
        nlu = make_embedded_nlu(ROOT / "nlu", Path(cache), extra=extra)
        synonyms = load_nlu_data(ROOT / "nlu" / "data").synonyms
        reports = {
            lang: asyncio.run(evaluate(nlu.parse, load_nlu_data(path), synonyms))
            for lang, path in HELD_OUT.items()
        }
    french = reports["fr"].macro_f1
    print(f"intent macro-F1 per language (built-in backend, held-out sets; {title}):")
    for lang, report in reports.items():
        count = report.size
        gap = report.macro_f1 - french
        within = "" if lang == "fr" else ("  ok" if gap >= -TARGET_GAP else "  BELOW TARGET")
        print(
            f"{lang}: macro-F1 {report.macro_f1:.3f}  accuracy {report.accuracy:.3f}  "
            f"({count} sentences; {gap:+.3f} vs fr){within}"
        )


def main() -> int:
    """Detection, then (unless ``--no-nlu``) intents per language."""
    detection()
    return 0 if "--no-nlu" in sys.argv else intents()


def detection() -> int:
    """Print accuracy per language and overall, and the mean time per message."""
    data = YAML(typ="safe").load(DATA.read_text(encoding="utf-8"))
    cases = [(str(text), lang) for lang, texts in data.items() for text in texts]
    wrong: list[tuple[str, str, str | None]] = []
    per: dict[str, list[int]] = {}
    for text, lang in cases:
        found = detect(text).lang
        per.setdefault(lang, [0, 0])
        per[lang][1] += 1
        if found == lang:
            per[lang][0] += 1
        else:
            wrong.append((text, lang, found))
    rounds = 20
    start = time.perf_counter()
    for _ in range(rounds):
        for text, _lang in cases:
            detect(text)
    elapsed = (time.perf_counter() - start) / (rounds * len(cases))
    right = len(cases) - len(wrong)
    for lang, (ok, total) in sorted(per.items()):
        print(f"{lang}: {ok}/{total} ({100 * ok / total:.1f} %)")
    print(f"all: {right}/{len(cases)} ({100 * right / len(cases):.1f} %)")
    print(f"time: {elapsed * 1000:.4f} ms per message")
    for text, lang, found in wrong:
        print(f"  wrong: {text!r} is {lang}, read as {found}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
