"""Was the punch thrown from a guard? A veto the punch detector applies to every punch it reports.

A boxer punches from the guard: fists up between the chest and the eyes, elbows down by the ribs,
and comes back to it. The state machine already refuses an excursion whose *starting point* is no
guard, but two of its paths measure from somewhere else: a relaunch from a hand still on its way
back, and the uppercut cue (``game.boxing.uppercut``), which follows the fist up from the hip it
dipped to. The arm swing of marching, high knees or running has the same shape as an uppercut
from the hip (a bent arm driving the fist from the hip to the chin, the other hand swinging
back). What it lacks is the guard: a marcher's hands hang at the sides and only pass the chin on
their way up, then hang again. So a punch counts only if its hand was held in a guard at some
frame of the ``lookback_s`` before it left, and has not come to rest hanging at its side since
(``hang_s``; ``GuardWatch``). And a punch is thrown with both feet on the floor: a foot raised
most of a thigh's length over the other while the fist drives is a knee coming up, the leg half of
a march's swing (``foot_lift``).

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
from typing import TYPE_CHECKING, Literal

from game.boxing.events import HANDS, Hand, PunchEvent
from game.boxing.kinematics import ArmSample, BodySample

if TYPE_CHECKING:
    from game.boxing.detector import DetectorOptions

# How long before the punch left the hand must have been in its guard. Combinations throw a punch
# every 0.3-0.6 s from a guard the hand passes through; an uppercut dips from the guard to the hip
# before it drives. Not fitted: every real punch labelled was in its guard at the frame it left,
# or (uppercuts from a dip, hooks in the COCO-17 drills) within 0.14 s before; 0.3 s on a jittered
# replay of the front uppercuts.
LOOKBACK_S = 1.0
# A hand below the guard floor this long has come to rest hanging at the side: whatever guard it
# passed through before is not where this punch leaves from. A marcher's hand touches the chin on
# its way up, then hangs 0.64-0.85 s before its next swing (neg_march_in_place, first 7 s). A
# punch's own trips below the floor are shorter: an uppercut's dip, a hook's low wind-up, at most
# 0.23 s on the labelled clips and the COCO-17 hook drills (0.27 s on a jittered replay of the
# front uppercuts). Half a second keeps twice that margin.
HANG_S = 0.5
# A punch is thrown with both feet on the floor: a foot raised this far over the other (arm
# lengths, ankle to ankle, vertical) while the fist drives is a knee coming up (marching, high
# knees, a knee strike), not a punch. Thigh level with the hip lifts the ankle by about a thigh's
# length, 0.74 arm lengths on the standard body (game.pose.synthetic: thigh .245, arm .332 of
# height); the marching clip's swings lift it 1.0-1.2 with the knee at hip height. The labelled
# punches' feet differ by up to 0.65 (a stance staggered in depth, seen by a camera looking down),
# the COCO-17 hook drills' by up to 0.66.
FOOT_LIFT = 0.9
# Frames older than this are forgotten (a punch is reported at most ~1 s after it left).
HORIZON_S = 3.0

Code = Literal["guard", "hanging", "other"]


def guard_code(arm: ArmSample, nose_y_m: float, arm_m: float, opt: DetectorOptions) -> Code:
    """Where one arm is in one frame: "guard" (module docstring), "hanging" (the fist lower than
    ``guard_floor`` under its shoulder) or "other". Positions in metres over the shoulders'
    midpoint (y up); ``arm_m`` the arm's length."""
    if arm_m <= 0 or not arm.in_view:
        return "other"
    height = float(arm.wrist_m[1] - arm.shoulder_m[1]) / arm_m
    if height < opt.guard_floor:
        return "hanging"
    return "guard" if float(arm.wrist_m[1] - nose_y_m) / arm_m <= opt.max_height_above_nose else "other"


def is_guard(arm: ArmSample, nose_y_m: float, arm_m: float, opt: DetectorOptions) -> bool:
    """Whether one arm in one frame is held in a guard (module docstring)."""
    return guard_code(arm, nose_y_m, arm_m, opt) == "guard"


@dataclass(slots=True)
class GuardWatch:
    """Remembers, per hand, where it was in the last seconds; vetoes punches that were not thrown
    from a guard. Feed every sample (``update``), then pass the punches found on it to ``vet``."""

    lookback_s: float = LOOKBACK_S
    hang_s: float = HANG_S
    foot_lift: float = FOOT_LIFT
    _seen: dict[Hand, deque[tuple[float, Code]]] = field(default_factory=lambda: {h: deque() for h in HANDS})
    _lifts: deque[tuple[float, float]] = field(default_factory=deque)  # (t, one ankle over the other, arm lengths)

    def update(self, s: BodySample, arm_m: float, opt: DetectorOptions) -> None:
        # Kept long enough for the slowest report (HORIZON_S) and for a longer lookback than the
        # default, whichever is more.
        horizon = max(HORIZON_S, self.lookback_s + self.hang_s + 1.0)
        for hand in HANDS:
            seen = self._seen[hand]
            seen.append((s.t_s, guard_code(s.arm(hand), float(s.nose_m[1]), arm_m, opt)))
            while seen and seen[0][0] < s.t_s - horizon:
                seen.popleft()
        if s.feet_m is not None and arm_m > 0:
            self._lifts.append((s.t_s, abs(float(s.feet_m[1])) / arm_m))
        while self._lifts and self._lifts[0][0] < s.t_s - horizon:
            self._lifts.popleft()

    def is_foot_raised(self, onset_s: float, t_s: float) -> bool:
        """A foot was off the floor (``foot_lift``) at some frame from ``onset_s`` to ``t_s``."""
        return any(onset_s - 1e-6 <= t <= t_s + 1e-6 and lift >= self.foot_lift for t, lift in self._lifts)

    def was_in_guard(self, hand: Hand, onset_s: float) -> bool:
        """The hand was in a guard within ``lookback_s`` before ``onset_s`` (or at it), and has
        not hung at its side for ``hang_s`` since."""
        hang_end: float | None = None  # latest frame of the hanging run being followed back
        for t, code in reversed(self._seen[hand]):
            if t > onset_s + 1e-6:
                continue
            if t < onset_s - self.lookback_s - 1e-6:
                return False
            if code == "guard":
                return True
            if code == "hanging":
                hang_end = t if hang_end is None else hang_end
                if hang_end - t >= self.hang_s - 1e-6:
                    return False
            else:
                hang_end = None
        return False

    def vet(self, events: list[PunchEvent], rejected: list[tuple[float, Hand, str]]) -> list[PunchEvent]:
        """The punches thrown from a guard with both feet down; the others are added to ``rejected``."""
        kept = []
        for e in events:
            if not self.was_in_guard(e.hand, e.onset_s):
                rejected.append((e.t_s, e.hand, "not thrown from a guard"))
            elif self.is_foot_raised(e.onset_s, e.t_s):
                rejected.append((e.t_s, e.hand, "a foot raised (a knee coming up)"))
            else:
                kept.append(e)
        return kept
