"""Uppercuts from the rise of the fist: a cue beside the punch state machine.

An uppercut is a vertical punch: the fist drives up from the hip or the ribs (often after a dip of
the body or of the fist) to the chin's height, the elbow staying under the shoulder and the
forearm pointing up. Its defining motion is the one axis every view measures directly: height, in
the image plane facing the camera and side-on alike (BlazePose's weakest axis, depth, plays no
part). The state machine measures a punch as a trip out from the guard and back; an uppercut's
dip to the hip is itself such a trip (an arm hanging straight, "a straight to the body"), its
return may be short, pulled back by a cable, or be the next punch's chamber, so the hand is often
still "on its way back" when it drives up and the uppercut is never measured. This cue follows
only the fist's height over its own shoulder (so a dip of the whole body does not count) and
judges each rise by the uppercut's anatomy (``judge_rise``).

Pure: samples in, rises out; no clock, no randomness, no I/O.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from game.boxing.events import Hand
from game.boxing.kinematics import SPEED_WINDOW_S, TIME_TOLERANCE_S, ArmSample, velocity, window_start

if TYPE_CHECKING:
    from game.boxing.detector import DetectorOptions

# How long a fist's heights are kept: a dip and a drive (each well under ``max_out_s``) and the
# fall before them.
HEIGHTS_S = 3.0
# "Driven, not jumped" compares the rise within one frame of the 30 fps clips it was measured on
# (a real drive takes 4-9 of them) with the whole rise: at 60 fps two frames make that span; over
# a longer gap (a 10-15 fps camera, a dropped frame) the share of a steady rise that span carries.
JUMP_SPAN_S = 1.0 / 30.0


@dataclass(frozen=True, slots=True)
class Rise:
    """One rise of a fist, from its lowest point to its top. Heights in arm lengths over the
    fist's own shoulder (y up), speeds in arm lengths per second."""

    hand: Hand
    fall_t_s: float  # the fist started down (the dip that loads the uppercut)
    low_t_s: float
    drive_t_s: float  # the fist last left its lowest point (within ``drop``): the drive's start
    top_t_s: float
    rise: float  # top - low
    top: float  # fist over its shoulder at the top
    up_speed: float  # fastest upward speed of the fist during the rise
    elbow_up: float  # elbow over the shoulder at the top
    fore_up: float  # share of the forearm's length pointing up at the top (most upright frame there)
    over_nose: float  # fist over the nose at the top
    to_nose: float  # fist to nose at the top
    other_range: float | None  # how far the other fist moved up or down meanwhile (None: unseen)
    inside: float | None  # fist inside its own shoulder at the top (None: side-on, unmeasured)
    max_step: float  # the largest rise from one frame to the next
    extension: float  # straightness at the top
    speed_mps: float  # fastest wrist speed during the rise (metres/s)
    ended: bool  # the fist is on its way down again: the last word on this rise
    # How far the shoulders turned this fist's shoulder forward from the low point to the top
    # (degrees; negative: turned away from the punch; None: unmeasured, in the image plane)
    turn_deg: float | None = None


@dataclass(slots=True)
class RiseTracker:
    """Follows one fist's height over its shoulder; reports a rise once it has topped out."""

    low: float | None = None
    low_t_s: float = 0.0
    top: float = 0.0
    top_t_s: float = 0.0
    up_speed: float = 0.0
    speed_mps: float = 0.0
    top_shape: tuple[float, float, float, float, float] = (0.0, 0.0, 0.0, 0.0, 0.0)
    top_inside: float | None = None
    drive_t_s: float = 0.0  # when the fist last left its lowest point
    max_step: float = 0.0  # the largest rise within ``JUMP_SPAN_S``
    taken: bool = False  # this rise was reported as an uppercut
    # The shoulder line (towards this fist's shoulder) and the chest's forward direction at the
    # low point, and the shoulder line at the top: the body's turn (``shoulder_axes``); None in 2-D
    low_axes: tuple[np.ndarray, np.ndarray] | None = None
    top_line: np.ndarray | None = None
    # (t, fist height, forearm up share) of the frames with the fist within ``peak_drop`` of its
    # top, over the last ``max_out_s``: the forearm's direction as the fist arrives (``_rise``).
    top_fores: list[tuple[float, float, float]] = field(default_factory=list)
    # (t, fist height and wrist position): the shortest run of frames spanning ``SPEED_WINDOW_S``,
    # the speeds' window (as the state machine's)
    recent: deque[tuple[float, np.ndarray]] = field(default_factory=deque)  # (t, [height, wrist xyz])
    # (t, fist height, other fist's height or None): the last ``HEIGHTS_S``
    heights: deque[tuple[float, float, float | None]] = field(default_factory=deque)

    def lose(self) -> None:
        """The arm went out of view: no rise spans the gap."""
        self.low = None
        self.recent.clear()
        self.heights.clear()

    def update(self, hand: Hand, t_s: float, arm: ArmSample, nose_m: np.ndarray, arm_m: float,
               other_fist: float | None, inside: float | None, opt: DetectorOptions,
               other_shoulder_m: np.ndarray | None = None) -> Rise | None:
        """Feed one frame (``arm`` valid, positions in metres over the shoulders' midpoint).

        ``other_fist`` is the other fist's height over its shoulder (arm lengths), None when that
        arm is unseen; ``inside`` how far the fist is inside its own shoulder (arm lengths, None
        when that cannot be measured: side-on); ``other_shoulder_m`` the other shoulder, in 3-D
        only (None: the body's turn is not measured). Returns the rise once the fist has risen
        ``uppercut_full_rise`` and slowed to ``impact_speed_fraction`` of its fastest rise (its
        top); again on later frames while it stays up, until it comes down (``Rise.ended``: by
        ``peak_drop`` after a rise that was taken, by half of ``uppercut_full_rise`` otherwise)
        or is taken."""
        min_rise, drop = opt.uppercut_full_rise, opt.peak_drop
        y = float(arm.wrist_m[1] - arm.shoulder_m[1]) / arm_m
        self.recent.append((t_s, np.array([y, *arm.wrist_m])))
        times = [r[0] for r in self.recent]
        for _ in range(window_start(times, SPEED_WINDOW_S)):
            self.recent.popleft()
        times = [r[0] for r in self.recent]
        v = velocity(times, [r[1] for r in self.recent])
        vy, speed = float(v[0]), float(np.linalg.norm(v[1:]))
        step = self._jump(t_s, y)
        self.heights.append((t_s, y, other_fist))
        while self.heights[0][0] < t_s - HEIGHTS_S:
            self.heights.popleft()
        axes = None if other_shoulder_m is None else shoulder_axes(arm.shoulder_m, other_shoulder_m, nose_m)
        if self.low is None or y <= self.low:
            self._start(t_s, y, axes)
            return None
        if y < self.low + drop:
            self.drive_t_s = t_s
        fore = arm.wrist_m - arm.elbow_m
        fore_up = float(fore[1] / (np.linalg.norm(fore) or 1e-9))
        if y > self.top:
            self.top, self.top_t_s = y, t_s
            self.top_shape = (
                float(arm.elbow_m[1] - arm.shoulder_m[1]) / arm_m,
                fore_up,
                float(arm.wrist_m[1] - nose_m[1]) / arm_m,
                float(np.linalg.norm(arm.wrist_m - nose_m)) / arm_m,
                arm.straightness,
            )
            self.top_inside = inside
            self.top_line = None if axes is None else axes[0]
        if y >= self.top - drop:
            self.top_fores = [(t, h, f) for t, h, f in self.top_fores
                              if h >= self.top - drop and t >= t_s - opt.max_out_s] + [(t_s, y, fore_up)]
        self.up_speed = max(self.up_speed, vy)
        self.max_step = max(self.max_step, step)
        self.speed_mps = max(self.speed_mps, speed)
        # Down again: by ``drop`` once the rise was reported, otherwise by half an uppercut's
        # rise (a quarter arm length). A smaller fall and rise is a hitch in the same drive (a
        # frame's tracking slip, a fist pulled back by a cable), not a new dip.
        ended = y < self.top - (drop if self.taken else max(drop, min_rise / 2))
        out = None
        if not self.taken and self.top - self.low >= min_rise and (ended or vy < opt.impact_speed_fraction * self.up_speed):
            out = self._rise(hand, ended, opt.path_noise_floor)
        if ended:
            # On its way down: a new rise is measured from wherever the fist bottoms out next.
            self._start(t_s, y, axes)
        return out

    def _jump(self, t_s: float, y: float) -> float:
        """The fist's rise within ``JUMP_SPAN_S`` up to now (arm lengths): from the earliest
        earlier frame inside that span, or, when the last frame is older, the share of the rise
        since it that the span carries (a steady rise assumed)."""
        if not self.heights:
            return 0.0
        earliest = None
        for h in reversed(self.heights):
            if h[0] < t_s - JUMP_SPAN_S - TIME_TOLERANCE_S:
                break
            earliest = h
        if earliest is not None:
            return y - earliest[1]
        t0, y0, _ = self.heights[-1]
        return (y - y0) * min(1.0, JUMP_SPAN_S / max(t_s - t0, 1e-6))

    def take(self) -> None:
        """The rise was reported: it is not reported again."""
        self.taken = True

    def _rise(self, hand: Hand, ended: bool, noise: float) -> Rise:
        """The rise so far, with its dip: from the fist's last top before its lowest point
        (moves of less than ``noise`` arm lengths between frames ignored) to now."""
        assert self.low is not None
        hist = list(self.heights)
        i = max((k for k, (t, _, _) in enumerate(hist) if t <= self.low_t_s), default=0)
        while i > 0 and hist[i - 1][1] >= hist[i][1] - noise:
            i -= 1
        fall_t = hist[i][0]
        during = [o for t, _, o in hist[i:] if o is not None]
        elbow_up, fore_up, over_nose, to_nose, extension = self.top_shape
        # The forearm's direction at the top, read on every frame with the fist at its top (within
        # ``peak_drop``), its most upright reading: BlazePose's depth, its weakest axis, turns a
        # forearm's 3-D direction by 5-10 degrees from one frame to the next (the cable uppercut at
        # 5.45 s reads 0.54, 0.44, 0.46 of its length up on its three frames at the top; in the
        # image plane 0.68, 0.64, 0.63), so the one frame where the fist is highest decides
        # an uppercut thrown across the body at 25-35 degrees (``uppercut_forearm_up``: 27) by chance.
        if self.top_fores:
            fore_up = max(fore_up, max(f for _, _, f in self.top_fores))
        turn = None
        if self.low_axes is not None and self.top_line is not None:
            turn = float(np.degrees(np.arcsin(np.clip(np.dot(self.top_line, self.low_axes[1]), -1.0, 1.0))))
        return Rise(
            hand=hand, fall_t_s=fall_t, low_t_s=self.low_t_s, drive_t_s=self.drive_t_s, top_t_s=self.top_t_s,
            rise=self.top - self.low, top=self.top, up_speed=self.up_speed, elbow_up=elbow_up, fore_up=fore_up,
            over_nose=over_nose, to_nose=to_nose, other_range=max(during) - min(during) if during else None,
            inside=self.top_inside, max_step=self.max_step, extension=extension, speed_mps=self.speed_mps, ended=ended,
            turn_deg=turn,
        )

    def _start(self, t_s: float, y: float, axes: tuple[np.ndarray, np.ndarray] | None) -> None:
        self.low, self.low_t_s, self.top, self.top_t_s, self.drive_t_s = y, t_s, y, t_s, t_s
        self.low_axes, self.top_line = axes, None if axes is None else axes[0]
        self.max_step = 0.0
        self.up_speed = self.speed_mps = 0.0
        self.taken = False
        self.top_fores = []


def shoulder_axes(shoulder: np.ndarray, other_shoulder: np.ndarray,
                  nose: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The horizontal shoulder line (unit, from the other shoulder to this one) and the chest's
    forward direction (unit, horizontal, square to that line, on the nose's side: the face is
    always in front of the shoulders, whichever way the camera and the axes point), in 3-D; None
    when either is degenerate. The sine of a later line's component along ``forward`` is how
    far the body turned this shoulder forward since."""
    flat = np.array([1.0, 0.0, 1.0])
    line = (shoulder - other_shoulder) * flat
    n = float(np.linalg.norm(line))
    if n < 1e-9:
        return None
    line = line / n
    ahead = (nose - 0.5 * (shoulder + other_shoulder)) * flat
    forward = ahead - float(np.dot(ahead, line)) * line
    f = float(np.linalg.norm(forward))
    if f < 1e-9:
        return None
    return line, forward / f


def judge_rise(r: Rise, opt: DetectorOptions) -> str | None:
    """Why this rise is not an uppercut, or None when it is one. Every test is the uppercut's
    anatomy, with the thresholds the state machine's uppercut rules already use:

    - driven, not jumped: no 1/30 s carries half of the rise (a fist at the top the frame
      after its low point is a tracking glitch or a first frame, as in the state machine; a real
      drive takes 4-9 frames at 30 fps, 0.13-0.3 s; ``JUMP_SPAN_S``);
    - the fist rose ``uppercut_full_rise`` (half an arm length: from the hip or the ribs; a
      straight from the guard lifts it 0.33-0.40) to the shoulder line within a fist
      (``uppercut_long_top``: the wrist landmark sits a fist below the knuckles at the chin);
    - not above the head (``max_height_above_nose``: a wave, a hand raised), the elbow under the
      shoulder (a raised elbow is a wave, an arm overhead, a hook), the forearm pointing up
      (``uppercut_forearm_up``), the fist in front of the chin it is aimed at: no more than a
      fist's width outside its own shoulder (``uppercut_outside``; a fist raised beside the
      shoulder is a guard);
    - thrown with the body behind it: the shoulders did not turn this fist's shoulder back, away
      from the punch, by more than ``uppercut_turn_away_deg`` from the low point to the top (an
      uppercut turns the hips and shoulders into it, the punching shoulder coming forward; a fist
      lifted while the body turns away is a hand brought up to a cable, a bag or the face as one
      turns to walk off). Measured in 3-D only;
    - thrown, not lifted: as fast as any bent-arm punch (``min_bent_peak_speed``), faster still
      when it ends at the face (``face_touch``: a hand brought to the face), and driven from the
      low point to the top within ``max_out_s`` and at ``onset_speed`` or more on average (the
      speed at which a hand leaves its guard to punch; slower is a reach or a raise, or a fist
      that stopped part way and crept on: real uppercuts average 2.7-6.6 arm lengths/s);
    - with the other hand home: it moved up or down less than ``loose_hand`` (the state
      machine's flail test) from the start of the dip to the top (both hands lifting together,
      swinging in opposition as in running or high knees, or clapping, is not boxing). Without
      the other hand in view (side-on, the far arm hidden) an arm swinging as one walks or
      marches cannot be told from an uppercut: such a rise is left to the state machine.
    """
    if r.rise < opt.uppercut_full_rise:
        return "rose too little for an uppercut"
    if r.max_step > 0.5 * r.rise:
        return "no extension phase"
    if r.top < opt.uppercut_long_top:
        return "stopped below the shoulder line"
    if r.over_nose > opt.max_height_above_nose:
        return "hand raised above the head"
    if r.elbow_up >= 0.0:
        return "elbow raised"
    if r.fore_up < opt.uppercut_forearm_up:
        return "forearm not up"
    if r.inside is not None and r.inside < -opt.uppercut_outside:
        return "fist beside its shoulder"
    if r.turn_deg is not None and r.turn_deg < -opt.uppercut_turn_away_deg:
        return "body turned away"
    drive_s = r.top_t_s - r.drive_t_s
    if drive_s > opt.max_out_s or r.rise < opt.onset_speed * drive_s or r.up_speed < opt.min_bent_peak_speed:
        return "too slow for a hook or uppercut"
    if r.up_speed < 1.5 * opt.min_bent_peak_speed and r.to_nose < opt.face_touch:
        return "hand brought to the face"
    if r.other_range is None:
        return "other hand unseen"
    if r.other_range > opt.loose_hand:
        return "flail"
    return None
