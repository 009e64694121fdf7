"""The embedded NLU backend: intents and entities learnt in-process from ``nlu/data``."""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bot.domain.text import has_words
from bot.domain.understanding import NOTHING, Understanding
from bot.nlu.classifier import MODEL_VERSION, IntentModel, train_intent_model
from bot.nlu.entities import EntityExtractor
from bot.nlu.features import MAX_CHARS
from bot.nlu.trainingdata import Example, NLUData, digest, load_nlu_data, merge

log = logging.getLogger(__name__)

OUT_OF_SCOPE = "out_of_scope"
DEFAULT_THRESHOLD = 0.3  # picked by 5-fold cross-validation on nlu/data (macro-F1)
MIN_COVERAGE = 0.3  # share of a text's n-grams seen in training, below which it is noise
TRAIN_TIMEOUT = 300.0


class EmbeddedNLU:
    """Intent classifier plus entity extractor; below ``threshold`` the intent is out of scope."""

    def __init__(
        self,
        model: IntentModel,
        extractor: EntityExtractor,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        self.model = model
        self.extractor = extractor
        self.threshold = threshold

    async def parse(self, text: str) -> Understanding:
        """Understand ``text`` (never raises)."""
        return self.understand(text)

    def understand(self, text: str) -> Understanding:
        """Synchronous :meth:`parse`: about a tenth of a millisecond for a chat message."""
        try:
            text = text[:MAX_CHARS]
            if not has_words(text):  # "", "???", "🙂🙂": nothing to understand, no guess
                return NOTHING
            entities = self.extractor.extract(text)
            proba, coverage = self.model.score(text)
            ranked = self.model.ranked(proba)
            intent, confidence = ranked[0]
            runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
            if coverage < MIN_COVERAGE:  # mostly unknown letters: gibberish, not a typo
                intent, confidence = OUT_OF_SCOPE, 1.0 - coverage
            elif confidence < self.threshold and intent != OUT_OF_SCOPE:
                intent, confidence = OUT_OF_SCOPE, 1.0 - confidence
            return Understanding(intent, round(confidence, 4), entities, round(runner_up, 4))
        except Exception:  # a bug here must not cost the person their turn
            log.exception("embedded NLU failed on a text of %d characters", len(text))
            return NOTHING

    def ranking(self, text: str) -> list[tuple[str, float]]:
        """Every intent with its probability, most likely first (for diagnostics)."""
        return self.model.rank(text[:MAX_CHARS])


def train_on(data: NLUData) -> IntentModel:
    """Fit the intent classifier on every example of ``data``."""
    return train_intent_model([e.text for e in data.examples], [e.intent for e in data.examples])


def cache_path(data_dir: Path, cache_dir: Path, extra: NLUData | None = None) -> Path:
    """Where the model trained on ``data_dir``'s current content (and ``extra``) is kept."""
    salt = MODEL_VERSION + (examples_digest(extra) if extra else "")
    return cache_dir / f"intents-{digest(data_dir, salt)}.npz"


def examples_digest(data: NLUData) -> str:
    """Hash of examples given in code (the FAQ's), part of the model cache key."""
    sha = hashlib.sha256()
    for example in data.examples:
        sha.update(f"{example.intent}\0{example.text}\0".encode())
    return sha.hexdigest()[:16]


def _train_isolated(data_dir: Path, path: Path, extra: NLUData | None = None) -> bool:
    """Train in a child process, so scikit-learn never loads into the bot's memory."""
    command = [sys.executable, "-m", "bot.nlu.embedded", str(data_dir), str(path)]
    if extra is not None:
        examples = [[e.text, e.intent] for e in extra.examples]
        extra_file = path.with_suffix(".extra.json")
        extra_file.write_text(json.dumps(examples, ensure_ascii=False), encoding="utf-8")
        command.append(str(extra_file))
    try:
        done = subprocess.run(command, capture_output=True, timeout=TRAIN_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("NLU training process failed (%s); training in-process", exc)
        return False
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace")[-500:]
        log.warning("NLU training process failed; training in-process: %s", tail)
        return False
    return True


def load_or_train(
    data_dir: Path,
    data: NLUData,
    cache_dir: Path | None,
    *,
    isolate: bool = True,
    extra: NLUData | None = None,
) -> IntentModel:
    """The intent model for ``data_dir`` (plus ``extra``): from the cache when unchanged."""
    if cache_dir is None:
        return train_on(data)
    path = cache_path(data_dir, cache_dir, extra)
    if path.exists():
        try:
            return IntentModel.load(path)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("NLU cache %s unusable (%s); training again", path.name, exc)
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not (isolate and _train_isolated(data_dir, path, extra)):
        train_on(data).save(path)
    elapsed = time.perf_counter() - started
    log.info("NLU trained on %d examples in %.1f s", len(data.examples), elapsed)
    return IntentModel.load(path)


def make_embedded_nlu(
    nlu_dir: Path,
    cache_dir: Path | None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    isolate: bool = True,
    extra: NLUData | None = None,
) -> EmbeddedNLU:
    """Build the embedded backend from a Rasa project folder (``nlu/``, data in ``data/``).

    Args:
        nlu_dir: the folder holding ``config.yml`` and ``data/``.
        cache_dir: where trained models are kept, keyed by the data's hash (None: no cache).
        threshold: below this probability the intent is ``out_of_scope``.
        isolate: train in a child process (keeps scikit-learn out of this process).
        extra: more examples (the FAQ's questions of ``flows/faq.yml``).
    """
    data_dir = nlu_dir / "data"
    data = load_nlu_data(data_dir)
    if extra is not None:
        data = merge([data, extra])
    model = load_or_train(data_dir, data, cache_dir, isolate=isolate, extra=extra)
    return EmbeddedNLU(model, EntityExtractor(data), threshold)


def main(argv: Sequence[str]) -> int:
    """Child-process entry point: ``python -m bot.nlu.embedded DATA_DIR MODEL.npz [EXTRA]``.

    ``EXTRA`` is a JSON list of ``[text, intent]`` pairs trained on as well.
    """
    data_dir, path = Path(argv[0]), Path(argv[1])
    data = load_nlu_data(data_dir)
    if len(argv) > 2:
        pairs = json.loads(Path(argv[2]).read_text(encoding="utf-8"))
        data = merge([data, NLUData(tuple(Example(text, intent) for text, intent in pairs))])
    train_on(data).save(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
