"""Was the punch thrown from a guard? A veto the punch detector applies to every punch it reports.

A boxer punches from the guard: fists up between the chest and the eyes, elbows down by the ribs,
and comes back to it. The state machine already refuses an excursion whose *starting point* is no
guard, but two of its paths measure from somewhere else: a relaunch from a hand still on its way
back, and the uppercut cue (``game.boxing.uppercut``), which follows the fist up from the hip it
dipped to. The arm swing of marching, high knees or running has the same shape as an uppercut
from the hip (a bent arm driving the fist from the hip to the chin, the other hand swinging
back). What it lacks is the guard: a marcher's hands hang at the sides and only pass the chin on
their way up. So a punch counts only if its hand was held in a guard at some frame of the
``lookback_s`` before it left (``GuardWatch``).

A frame's guard (``is_guard``) is the detector's own guard height, nothing fitted: the fist no
lower than ``guard_floor`` below its shoulder (lower is an arm hanging) and no higher than
``max_height_above_nose`` above the nose (higher is a hand raised). The elbow is not tested: real
guards keep it 0-54 degrees from vertical, the synthetic players' 65, and the hands laced behind the
head of a prisoner lunge 62 at best (docs/BOXING.md, "Thrown from a guard"): no line between them
would hold for the next person.

Pure: samples in, verdicts out; no clock, no randomness, no I/O.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from game.boxing.events import HANDS, Hand, PunchEvent
from game.boxing.kinematics import ArmSample, BodySample

if TYPE_CHECKING:
    from game.boxing.detector import DetectorOptions

# How long before the punch left the hand must have been in its guard. Combinations throw a punch
# every 0.3-0.6 s from a guard the hand passes through; an uppercut dips from the guard to the hip
# for 0.2-0.5 s before it drives. Not fitted: every real punch labelled was in its guard at the
# frame it left, or (uppercuts from a dip, hooks in the COCO-17 drills) within 0.14 s before.
LOOKBACK_S = 1.0
# Frames older than this are forgotten (a punch is reported at most ~1 s after it left).
HORIZON_S = 3.0


def is_guard(arm: ArmSample, nose_y_m: float, arm_m: float, opt: DetectorOptions) -> bool:
    """Whether one arm in one frame is held in a guard (module docstring). Positions in metres over
    the shoulders' midpoint (y up); ``arm_m`` the arm's length."""
    if arm_m <= 0 or not arm.in_view:
        return False
    height = float(arm.wrist_m[1] - arm.shoulder_m[1]) / arm_m
    return opt.guard_floor <= height and float(arm.wrist_m[1] - nose_y_m) / arm_m <= opt.max_height_above_nose


@dataclass(slots=True)
class GuardWatch:
    """Remembers, per hand, when it was last seen in a guard; vetoes punches that were not thrown
    from one. Feed every sample (``update``), then pass the punches found on it to ``vet``."""

    lookback_s: float = LOOKBACK_S
    _guard_t: dict[Hand, deque[float]] = field(default_factory=lambda: {h: deque() for h in HANDS})

    def update(self, s: BodySample, arm_m: float, opt: DetectorOptions) -> None:
        for hand in HANDS:
            times = self._guard_t[hand]
            if is_guard(s.arm(hand), float(s.nose_m[1]), arm_m, opt):
                times.append(s.t_s)
            while times and times[0] < s.t_s - HORIZON_S:
                times.popleft()

    def was_in_guard(self, hand: Hand, onset_s: float) -> bool:
        """The hand was in a guard within ``lookback_s`` before ``onset_s`` (or at it)."""
        return any(onset_s - self.lookback_s - 1e-6 <= t <= onset_s + 1e-6 for t in self._guard_t[hand])

    def vet(self, events: list[PunchEvent], rejected: list[tuple[float, Hand, str]]) -> list[PunchEvent]:
        """The punches thrown from a guard; the others are added to ``rejected``."""
        kept = []
        for e in events:
            if self.was_in_guard(e.hand, e.onset_s):
                kept.append(e)
            else:
                rejected.append((e.t_s, e.hand, "not thrown from a guard"))
        return kept
