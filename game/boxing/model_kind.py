"""Adapter: the on-device punch-kind model as the detector's ``kind_classifier``.

Loading the model is I/O, so it happens here, once, at start-up; the closure it returns is pure
(a window of samples in, a family and a confidence out).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from game.boxing.detector import Candidate, ExcursionJudge, KindClassifier
from game.boxing.features import EXCURSION_FEATURES, JUDGE_CLASSES, window_features
from game.boxing.kinematics import BodySample
from game.errors import ModelError
from models.punch_model import PunchKindModel

log = logging.getLogger(__name__)

# Below this confidence a "not a punch" verdict is not trusted to overrule the rules' judge.
NONE_CONFIDENCE = 0.7


class KindModel(Protocol):
    """What the classifier needs of a model: its class names and a prediction per window."""

    classes: tuple[str, ...]

    def predict(self, window: np.ndarray) -> np.ndarray: ...


def make_model_classifier(model: KindModel) -> KindClassifier:
    """Wrap a loaded :class:`models.punch_model.PunchKindModel` (or any object with ``predict``
    and ``classes``)."""
    classes: tuple[str, ...] = model.classes
    none_i = classes.index("none") if "none" in classes else -1

    def classify(c: Candidate, samples: Sequence[BodySample]) -> tuple[str, float] | None:
        win = window_features(samples, c.hand, c.detected_s, c.t_peak_s, c.arm_m)
        if win is None:
            return None
        p = model.predict(win)
        best = int(np.argmax(p))
        if best == none_i and p[best] < NONE_CONFIDENCE:
            q = p.copy()
            q[none_i] = -1.0
            best = int(np.argmax(q))
        return classes[best], float(p[best])

    return classify


def load_model_classifier() -> KindClassifier | None:
    """The model as a classifier, or None (the rules name kinds) when it cannot be loaded."""
    try:
        return make_model_classifier(PunchKindModel())
    except ModelError as err:
        log.warning("punch model unavailable, using the rule-based classifier: %s", err)
        return None


# -- the excursion judge (models/punch_judge.json) ------------------------------------------------

JUDGE_PATH = Path(__file__).resolve().parents[2] / "models" / "punch_judge.json"


def judge_from_weights(doc: dict[str, Any]) -> ExcursionJudge:
    """The judge as a pure function from its fitted weights (``models/train_punch_judge.py``):
    one hidden tanh layer (or none) and a softmax over ``excursion_features``. Raises ModelError when the weights do not
    fit the features this build computes."""
    classes = tuple(doc.get("classes", ()))
    if classes != JUDGE_CLASSES or tuple(doc.get("features", ())) != EXCURSION_FEATURES:
        raise ModelError("the punch judge was trained on other features or classes: retrain it with "
                         "python -m models.train_punch_judge")
    mean = np.asarray(doc["mean"], dtype=np.float64)
    scale = np.asarray(doc["scale"], dtype=np.float64)
    w1 = np.asarray(doc.get("w1") or [], dtype=np.float64)
    if w1.size == 0:
        w1 = np.zeros((len(mean), 0))  # no hidden layer
    b1 = np.asarray(doc.get("b1") or [], dtype=np.float64)
    w = np.asarray(doc["w"], dtype=np.float64)
    b = np.asarray(doc["b"], dtype=np.float64)

    def judge(x: np.ndarray) -> tuple[str, float]:
        h = (x - mean) / scale
        if w1.shape[1]:
            h = np.tanh(h @ w1 + b1)
        z = h @ w + b
        p = np.exp(z - z.max())
        p /= p.sum()
        best = int(np.argmax(p))
        return classes[best], float(p[best])

    return judge


def load_judge(path: Path = JUDGE_PATH) -> ExcursionJudge | None:
    """The fitted judge, or None (the rules judge) when its file is missing or unusable."""
    try:
        return judge_from_weights(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, ModelError) as err:
        log.warning("punch judge unavailable, the rules judge punches: %s", err)
        return None
