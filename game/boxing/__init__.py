"""Shadowboxing: punch detection (``detector``), punch-kind classification (rules, or our own
on-device model in ``models/``), and the target game's rules (``rules``).

``make_punch_detector()`` is what ``ringside analyze --exercise boxing`` and the game use.
"""

from __future__ import annotations

from game.boxing.choice import JUDGE_IS_DEFAULT, MODEL_IS_DEFAULT
from game.boxing.detector import DetectorOptions, PunchDetector
from game.boxing.events import PunchEvent
from game.boxing.fusion import ViewFusedDetector
from game.boxing.model_kind import load_judge, load_model_classifier


def make_punch_detector(*, orthodox: bool | None = None, use_model: bool | None = None,
                        use_judge: bool | None = None) -> ViewFusedDetector:
    """The punch detector the game uses: the rules' state machine, measured in 3-D facing the
    camera and in the image plane side-on (:class:`ViewFusedDetector`).

    ``use_model``: name punch kinds with the on-device model (``models/punch_kind.tflite``) instead
    of the rules; ``use_judge``: let the excursion judge (``models/punch_judge.json``) decide what
    is a punch and its family. ``None`` picks what was measured better on real punches
    (``game/boxing/choice.py``, docs/BOXING.md), falling back to the rules when a model cannot be
    loaded.
    """
    classifier = judge = None
    if use_model if use_model is not None else MODEL_IS_DEFAULT:
        classifier = load_model_classifier()
    if use_judge if use_judge is not None else JUDGE_IS_DEFAULT:
        judge = load_judge()
    return ViewFusedDetector(DetectorOptions(), orthodox=orthodox, kind_classifier=classifier, judge=judge)


__all__ = ["DetectorOptions", "PunchDetector", "PunchEvent", "ViewFusedDetector", "make_punch_detector"]
