"""Detectors behind one small interface, so ``ringside analyze`` and the game run the same code.

A detector is pure: it takes :class:`~game.pose.types.PoseFrame` objects in time order and returns
events (objects with ``to_json()``). It never reads a clock or does I/O.
"""

from __future__ import annotations

from game import exercises
from game.boxing import make_punch_detector
from game.detection import Detector, Event
from game.reps import make_rep_detector

__all__ = ["EXERCISES", "Detector", "Event", "make_detector"]

EXERCISES = exercises.NAMES


def make_detector(exercise: str) -> Detector:
    """The detector for one exercise. Raises ValueError for an unknown exercise."""
    if exercise in exercises.REP_NAMES:
        return make_rep_detector(exercise)
    if exercise == exercises.BOXING:
        return make_punch_detector()
    raise ValueError(f"unknown exercise {exercise!r}; choose one of {', '.join(EXERCISES)}")
