"""Detectors behind one small interface, so ``ringside analyze`` and the game run the same code.

A detector is pure: it takes :class:`~game.pose.types.PoseFrame` objects in time order and returns
events (objects with ``to_json()``). It never reads a clock or does I/O.
"""

from __future__ import annotations

from typing import Any, Protocol

from game.pose.types import PoseFrame
from ringside_protocol import EXERCISE_MODES, POINTS_MODES, REP_MODES

# The names only (the shared exercise table), not game.exercises: the rep engine imports this
# module, so importing the game's registry (and with it game.reps) here would be a cycle.
EXERCISES = EXERCISE_MODES


class Event(Protocol):
    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with at least ``type`` and ``t`` (seconds)."""
        ...


class Detector(Protocol):
    def update(self, frame: PoseFrame) -> list[Event]:
        """Feed one frame (with or without a person); return the events it completes."""
        ...

    def finish(self) -> list[Event]:
        """End of stream: return any events still pending."""
        ...

    def summary(self) -> dict[str, Any]:
        """Counts for the analysis summary, e.g. ``{"reps": 3}`` or ``{"punches": 5}``."""
        ...


def make_detector(exercise: str) -> Detector:
    """The detector for one exercise. Raises ValueError for an unknown exercise."""
    if exercise in REP_MODES:
        from game.reps import make_rep_detector

        return make_rep_detector(exercise)
    if exercise in POINTS_MODES:
        from game.boxing import make_punch_detector

        return make_punch_detector()
    raise ValueError(f"unknown exercise {exercise!r}; choose one of {', '.join(EXERCISES)}")
