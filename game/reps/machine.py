"""The rep state machine as data: phases, and per phase an ordered list of (guard, next phase, action).

The engine evaluates the guards of the current phase in order on each judged frame and takes the
first that holds. Guards and actions are names, resolved by the engine (:mod:`game.reps.engine`),
so this table is the whole behaviour and can be read, drawn and tested on its own.

Progress ``p``: 0 at the calibrated top, 1 at counting depth (see ``Thresholds`` for the
hysteresis band). ``peak`` is the highest p of the current attempt, ``trough`` the lowest p since
the way up started.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Phase(str, Enum):
    GETTING_READY = "getting_ready"  # walking into place / not yet still in the start position
    TOP = "top"  # ready, standing (or in plank) between reps
    DESCENT = "descent"
    BOTTOM = "bottom"  # counting depth reached
    ASCENT = "ascent"
    LOCKOUT = "lockout"  # stood up fast: waiting up to a moment to see whether the feet leave the floor
    INTERRUPTED = "interrupted"  # bad input: nobody, missing joints, frozen stream


@dataclass(frozen=True, slots=True)
class Transition:
    guard: str
    target: Phase
    action: str | None = None


IN_ATTEMPT = frozenset({Phase.DESCENT, Phase.BOTTOM, Phase.ASCENT, Phase.LOCKOUT})
MOVING = frozenset({Phase.DESCENT, Phase.BOTTOM, Phase.ASCENT})

_ABORTS = (
    Transition("moved", Phase.GETTING_READY, "abort_moved"),
    Transition("overtime", Phase.GETTING_READY, "abort_overtime"),
)

TABLE: dict[Phase, tuple[Transition, ...]] = {
    Phase.GETTING_READY: (Transition("ready_held", Phase.TOP, "calibrate"),),
    Phase.TOP: (
        Transition("moved", Phase.GETTING_READY, "unsettle"),
        Transition("airborne", Phase.GETTING_READY, "unsettle"),
        Transition("entered", Phase.DESCENT, "begin"),
        Transition("always", Phase.TOP, "track_top"),
    ),
    Phase.DESCENT: (
        *_ABORTS,
        Transition("deep", Phase.BOTTOM, "reach_depth"),
        Transition("turned", Phase.ASCENT, "turn"),
    ),
    Phase.BOTTOM: (
        *_ABORTS,
        Transition("turned", Phase.ASCENT, "turn"),
    ),
    Phase.ASCENT: (
        *_ABORTS,
        Transition("locked_out_after_jump", Phase.GETTING_READY, "finish"),
        Transition("locked_out_fast", Phase.LOCKOUT, "hold"),
        Transition("locked_out", Phase.TOP, "finish"),
        Transition("sank", Phase.BOTTOM, "sink"),
        Transition("rebounded", Phase.DESCENT, "finish_without_lockout"),
    ),
    # A fast stand-up is where a jump takes off: the verdict waits until the feet either leave the
    # floor (a jump, not a rep) or have stayed down long enough.
    Phase.LOCKOUT: (
        Transition("airborne", Phase.GETTING_READY, "finish_jump"),
        Transition("confirmed", Phase.TOP, "finish_held"),
        Transition("entered", Phase.DESCENT, "finish_held_and_begin"),
    ),
    # Left by the engine's input monitor (input good again), never by a motion guard.
    Phase.INTERRUPTED: (),
}
