"""Helpers shared by the rep engine's tests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from game.pose.types import PoseFrame
from game.reps import RepDetector, make_rep_detector


def run(frames: Iterable[PoseFrame], exercise: str = "squat") -> tuple[RepDetector, list[Any]]:
    """Feed every frame to a fresh detector, then finish: (detector, all events)."""
    det = make_rep_detector(exercise)
    events: list[Any] = []
    for f in frames:
        events += det.update(f)
    events += det.finish()
    return det, events
