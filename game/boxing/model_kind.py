"""Adapter: the on-device punch-kind model as the detector's ``kind_classifier``.

Loading the model is I/O, so it happens here, once, at start-up; the closure it returns is pure
(a window of samples in, a family and a confidence out).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from game.boxing.detector import Candidate, KindClassifier
from game.boxing.features import window_features
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
