"""Rep challenges: every exercise of :data:`DEFINITIONS` counted and scored like a coach would.

``make_rep_detector(name)`` (a key of :data:`DEFINITIONS`) returns a :class:`RepDetector` (the
``game.analysis.Detector`` protocol plus ``view()`` for the HUD). See docs/REPS.md.
"""

from __future__ import annotations

from game.calibration import BodyProfile
from game.errors import CalibrationError
from game.reps.calibration import Calibration, calibrate, from_profile
from game.reps.definitions import DEFINITIONS, LUNGE, PUSHUP, SQUAT, ExerciseDefinition
from game.reps.engine import EngineOptions, RepDetector
from game.reps.events import CalibrationEvent, Cue, InputEvent, RepEvent, RepView, StatusEvent


def make_rep_detector(
    exercise: str,
    *,
    calibration: Calibration | None = None,
    profile: BodyProfile | None = None,
    options: EngineOptions | None = None,
) -> RepDetector:
    """The rep detector for ``exercise``, calibrated from ``calibration``, else from the set-up
    scene's ``profile`` where it shows the start position (see :func:`from_profile`).
    Raises ValueError for an exercise without a definition."""
    try:
        definition = DEFINITIONS[exercise]
    except KeyError:
        raise ValueError(f"no rep definition for {exercise!r}; choose one of {', '.join(sorted(DEFINITIONS))}") from None
    if calibration is None and profile is not None:
        calibration = from_profile(definition, profile)
    return RepDetector(definition, calibration=calibration, options=options)


__all__ = [
    "DEFINITIONS",
    "LUNGE",
    "PUSHUP",
    "SQUAT",
    "Calibration",
    "CalibrationError",
    "CalibrationEvent",
    "Cue",
    "EngineOptions",
    "ExerciseDefinition",
    "InputEvent",
    "RepDetector",
    "RepEvent",
    "RepView",
    "StatusEvent",
    "calibrate",
    "from_profile",
    "make_rep_detector",
]
