"""Intent classifier: fitted with scikit-learn, then run from plain numpy arrays."""

from __future__ import annotations

import logging
import math
import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.nlu.features import analyze

log = logging.getLogger(__name__)
FloatArray = npt.NDArray[np.float32]
MODEL_VERSION = "intent-svc-sigmoid-3"  # change it when features or fitting change
C = 1.0  # LinearSVC regularisation (picked by 5-fold cross-validation on nlu/data)
CALIBRATION_FOLDS = 5


@dataclass(frozen=True, slots=True, eq=False)
class IntentModel:
    """A linear model over TF-IDF features with per-intent sigmoid calibration.

    Scoring one text is a sparse dot product plus a sigmoid per intent, normalised
    like scikit-learn's ``CalibratedClassifierCV(method="sigmoid").predict_proba``,
    so loading a model needs numpy only (scikit-learn is imported for fitting).
    """

    classes: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: FloatArray
    weights: FloatArray  # (n_features, n_classes)
    intercept: FloatArray  # (n_classes,)
    slope: FloatArray  # sigmoid a per class
    offset: FloatArray  # sigmoid b per class

    def probabilities(self, text: str) -> FloatArray:
        """Calibrated probability of each intent (in ``classes`` order)."""
        return self.score(text)[0]

    def score(self, text: str) -> tuple[FloatArray, float]:
        """Probabilities, and the share of the text's distinct features the model knows."""
        features = analyze(text)
        counts = Counter(i for f in features if (i := self.vocabulary.get(f)) is not None)
        distinct = len(set(features))
        coverage = len(counts) / distinct if distinct else 0.0
        return self._calibrated(counts), coverage

    def _calibrated(self, counts: Counter[int]) -> FloatArray:
        scores = self.intercept.astype(np.float64)
        if counts:
            index = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), np.float64, len(counts))
            values = tf * self.idf[index]
            values /= math.sqrt(float(values @ values))
            scores = scores + values @ self.weights[index]
        calibrated = 1.0 / (1.0 + np.exp(self.slope * scores + self.offset))
        total = float(calibrated.sum())
        if total <= 0.0 or not math.isfinite(total):
            return np.full(len(self.classes), 1.0 / len(self.classes), dtype=np.float32)
        return (calibrated / total).astype(np.float32)

    def rank(self, text: str) -> list[tuple[str, float]]:
        """Intents from the most to the least likely, with their probabilities."""
        return self.ranked(self.probabilities(text))

    def ranked(self, proba: FloatArray) -> list[tuple[str, float]]:
        """``proba`` as (intent, probability) pairs, most likely first."""
        order = np.argsort(-proba, kind="stable")
        return [(self.classes[i], float(proba[i])) for i in order]

    def save(self, path: Path) -> None:
        """Write the arrays to ``path`` (``.npz``, no pickle), atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        words = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(
                    out,
                    version=np.array(MODEL_VERSION),
                    classes=np.array(self.classes),
                    vocabulary=np.array(words),
                    idf=self.idf,
                    weights=self.weights,
                    intercept=self.intercept,
                    slope=self.slope,
                    offset=self.offset,
                )
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    @classmethod
    def load(cls, path: Path) -> IntentModel:
        """Read a model written by :meth:`save` (raises ``ValueError`` if unusable)."""
        with np.load(path, allow_pickle=False) as data:
            if str(data["version"]) != MODEL_VERSION:
                raise ValueError(f"{path}: model version {data['version']}")
            words = data["vocabulary"].tolist()
            model = cls(
                classes=tuple(data["classes"].tolist()),
                vocabulary={w: i for i, w in enumerate(words)},
                idf=data["idf"].astype(np.float32),
                weights=data["weights"].astype(np.float32),
                intercept=data["intercept"].astype(np.float32),
                slope=data["slope"].astype(np.float32),
                offset=data["offset"].astype(np.float32),
            )
        if model.weights.shape != (len(words), len(model.classes)):
            raise ValueError(f"{path}: inconsistent arrays")
        return model


def fit_pipeline(texts: Sequence[str], intents: Sequence[str], *, seed: int = 0) -> Any:
    """The scikit-learn pipeline behind :class:`IntentModel` (for fitting and checks)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    folds = min(CALIBRATION_FOLDS, min(Counter(intents).values()))
    pipeline = make_pipeline(
        TfidfVectorizer(analyzer=analyze, sublinear_tf=True, dtype=np.float32),
        CalibratedClassifierCV(
            LinearSVC(C=C, random_state=seed),
            method="sigmoid",
            cv=max(folds, 2),
            ensemble=False,
        ),
    )
    pipeline.fit(list(texts), list(intents))
    return pipeline


def export(pipeline: Any) -> IntentModel:
    """Turn a fitted :func:`fit_pipeline` into a numpy-only :class:`IntentModel`."""
    vectorizer, calibrated = pipeline.steps[0][1], pipeline.steps[-1][1]
    [member] = calibrated.calibrated_classifiers_
    svc = member.estimator
    classes = tuple(str(c) for c in calibrated.classes_)
    if tuple(str(c) for c in svc.classes_) != classes:
        raise ValueError("calibrated classes differ from the estimator's")
    return IntentModel(
        classes=classes,
        vocabulary={str(k): int(v) for k, v in vectorizer.vocabulary_.items()},
        idf=np.asarray(vectorizer.idf_, dtype=np.float32),
        weights=np.ascontiguousarray(svc.coef_.T, dtype=np.float32),
        intercept=np.asarray(svc.intercept_, dtype=np.float32),
        slope=np.array([c.a_ for c in member.calibrators], dtype=np.float32),
        offset=np.array([c.b_ for c in member.calibrators], dtype=np.float32),
    )


MIN_EXAMPLES = 2  # an intent with fewer examples cannot be learnt (calibration folds)


def train_intent_model(
    texts: Sequence[str], intents: Sequence[str], *, seed: int = 0
) -> IntentModel:
    """Fit the intent classifier on labelled texts (needs at least 2 intents).

    An intent with a single example is left out (with a warning) rather than failing the
    whole training: a coordinator's new FAQ entry must never stop the bot.
    """
    counts = Counter(intents)
    rare = sorted(i for i, n in counts.items() if n < MIN_EXAMPLES)
    if rare:
        log.warning("intents left out (fewer than %d examples): %s", MIN_EXAMPLES, rare)
        kept = [(t, i) for t, i in zip(texts, intents, strict=True) if i not in rare]
        texts, intents = [t for t, _ in kept], [i for _, i in kept]
    if len(set(intents)) < 2:
        raise ValueError("at least two intents are needed to train")
    return export(fit_pipeline(texts, intents, seed=seed))
