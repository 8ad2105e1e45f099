"""Detectors behind one small interface, so ``ringside analyze`` and the game run the same code.

A detector is pure: it takes :class:`~game.pose.types.PoseFrame` objects in time order and returns
events (objects with ``to_json()``). It never reads a clock or does I/O.
"""

from __future__ import annotations

from game.boxing import make_punch_detector
from game.detection import Detector, Event
from game.reps import make_rep_detector

__all__ = ["EXERCISES", "Detector", "Event", "make_detector"]

EXERCISES = ("squat", "pushup", "lunge", "boxing")


def make_detector(exercise: str) -> Detector:
    """The detector for one exercise. Raises ValueError for an unknown exercise."""
    if exercise in ("squat", "pushup", "lunge"):
        return make_rep_detector(exercise)
    if exercise == "boxing":
        return make_punch_detector()
    raise ValueError(f"unknown exercise {exercise!r}; choose one of {', '.join(EXERCISES)}")
