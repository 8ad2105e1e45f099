"""Shadowboxing: punch detection (``detector``), punch-kind classification (rules, or our own
on-device model in ``models/``), and the target game's rules (``rules``).

``make_punch_detector()`` is what ``ringside analyze --exercise boxing`` and the game use.
"""

from __future__ import annotations

from game.boxing.choice import MODEL_IS_DEFAULT
from game.boxing.detector import DetectorOptions, PunchDetector
from game.boxing.events import PunchEvent
from game.boxing.model_kind import load_model_classifier


def make_punch_detector(*, orthodox: bool | None = None, use_model: bool | None = None) -> PunchDetector:
    """The punch detector the game uses.

    ``use_model``: name punch kinds with the on-device model (``models/punch_kind.tflite``) instead
    of the rules; ``None`` picks the better of the two as measured (see docs/BOXING.md), falling
    back to the rules when the model or its runtime cannot be loaded.
    """
    classifier = None
    if use_model is None:
        use_model = MODEL_IS_DEFAULT
    if use_model:
        classifier = load_model_classifier()
    return PunchDetector(DetectorOptions(), orthodox=orthodox, kind_classifier=classifier)


__all__ = ["DetectorOptions", "PunchDetector", "PunchEvent", "make_punch_detector"]
