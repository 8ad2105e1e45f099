"""The exercises both sides know: their wire names, titles, units and human limits.

This is the one table of exercise modes. The protocol's enums (:data:`REP_MODES`,
:data:`EXERCISE_MODES`, :data:`MODES`), the server's plausibility limits, the web pages' board
list (served as ``/static/modes.js``) and the game's registry (``game/exercises.py``, which adds
what only the game needs: rep definitions, demos, buttons) are all derived from it. It lives here,
in the protocol package, because the server must run without the game installed and the game
must not import the server. Adding an exercise starts with one :class:`ExerciseMode` row below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["points", "reps"]


@dataclass(frozen=True, slots=True)
class RepLimits:
    """Human limits of one rep exercise, each with its source (shown in docs/PROTOCOL.md and sent
    back by rule id, ``<name>.rate`` and ``<name>.rep_ms``, in an ``implausible`` reply)."""

    max_per_min: float  # most counted reps per minute over a whole session
    rate_source: str
    min_rep_ms: int  # the shortest a counted rep can take
    rep_ms_source: str


@dataclass(frozen=True, slots=True)
class ExerciseMode:
    """One exercise as the protocol, the server and the web pages see it."""

    name: str  # the wire name: a board mode and a submission's ``exercise``
    title: str  # plural, for boards and buttons: "Squats"
    unit: str  # what a board's score counts: "reps", "points"
    kind: Kind
    limits: RepLimits | None = None  # rep exercises only

    @property
    def label(self) -> str:
        """The board's heading: "Squats (reps)"."""
        return f"{self.title} ({self.unit})"


#: The one points game: shadowboxing (its own scene and detector in the game).
SHADOWBOXING = ExerciseMode("boxing", "Shadowboxing", "points", "points")

EXERCISES: tuple[ExerciseMode, ...] = (
    SHADOWBOXING,
    ExerciseMode("squat", "Squats", "reps", "reps", RepLimits(
        75, "fast bodyweight squats take about 1 s per rep; 75/min is above a sustained sprint set",
        400, "fast squats ~1 s per rep; 0.4 s leaves room for tracking jitter at the rep boundaries")),
    ExerciseMode("pushup", "Push-ups", "reps", "reps", RepLimits(
        90, "push-up speed records are ~1.3-1.5 reps/s over a minute",
        350, "the fastest full-range push-ups take ~0.6 s; 0.35 s leaves room for tracking jitter")),
    ExerciseMode("lunge", "Lunges", "reps", "reps", RepLimits(
        60, "a full-range lunge and return takes 1.2-2 s; 60/min is above a sustained sprint set",
        500, "a lunge moves the body twice as far as a squat; 0.5 s leaves room for tracking jitter")),
    ExerciseMode("jumping_jack", "Jumping jacks", "reps", "reps", RepLimits(
        150, "brisk jumping jacks run at 60-100 per minute (0.6-1 s each); 150/min (2.5/s) is above "
             "any sustained full-range set",
        300, "a full jack (feet out, hands overhead, back) takes 0.5-1 s; 0.3 s leaves room for "
             "tracking jitter")),
)

BY_NAME: dict[str, ExerciseMode] = {m.name: m for m in EXERCISES}

#: Board modes. The shadowboxing mode is a score, rep modes count full-range reps,
#: :data:`CHALLENGE_MODE` is the score of a trainer's live challenge.
REP_MODES: tuple[str, ...] = tuple(m.name for m in EXERCISES if m.kind == "reps")
EXERCISE_MODES: tuple[str, ...] = tuple(m.name for m in EXERCISES)
#: The board (and a submission's ``mode``) of a trainer's live challenge: not an exercise.
CHALLENGE_MODE: str = "challenge"
MODES: tuple[str, ...] = (*EXERCISE_MODES, CHALLENGE_MODE)
#: The points mode (shadowboxing): the server checks its telemetry with its own rules.
POINTS_MODES: tuple[str, ...] = tuple(m.name for m in EXERCISES if m.kind == "points")
#: Shadowboxing's wire name: what every other module compares an exercise with.
BOXING_MODE: str = SHADOWBOXING.name
#: The exercise a caller gets when it names none (the first rep exercise).
DEFAULT_REP_MODE: str = REP_MODES[0]


def kind_of(name: str) -> Kind | None:
    """``"reps"`` or ``"points"`` for an exercise's wire name; None for a name the table does
    not know (a board mode like :data:`CHALLENGE_MODE`, or an old or foreign file's value)."""
    mode = BY_NAME.get(name)
    return mode.kind if mode is not None else None
