"""Language detection on short real-style messages: accuracy and time per message."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ruamel.yaml import YAML

from bot.typed.language import detect

DATA = Path(__file__).resolve().parent.parent / "tests" / "lang_data" / "detection.yml"


def main() -> int:
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
