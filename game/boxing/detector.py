"""The punch detector: a small state machine per hand over arm kinematics.

Each hand moves through three states (the table ``TRANSITIONS`` below):

- ``guard``: the hand is home. Its guard position follows it slowly while it is still.
- ``out``: the hand left the guard fast (excursion >= ``onset_excursion`` arm lengths at >=
  ``onset_speed`` arm lengths/s). The detector tracks the peak.
- ``back``: the peak is past (the hand came back by ``peak_drop`` or stopped); the punch, if it
  was one, has been reported. The hand must come home (halfway back, or still) before it can
  throw again, which is what stops a flailing arm from counting again and again.

At the peak the candidate is judged (``judge_candidate``): too slow, too short, a hand raised
above the head (waving), an arm swinging below the chest (walking), a hand that started outside
any guard, or both hands leaving together (flailing) are not punches. What is left is named by a
kind classifier (rules here, or the on-device model) and reported with ``complete`` telling a
full punch from one thrown half way.

Units: lengths in arm lengths (upper arm + forearm, a running median, so the rules hold for any
body size and for BlazePose's smallish world scale), speeds in arm lengths per second, times in
seconds from the frames' own timestamps. No clock, no randomness, no I/O.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np

from game.boxing.events import HANDS, Hand, PunchEvent, PunchKind
from game.boxing.features import excursion_features
from game.boxing.guard import GuardWatch
from game.boxing.kinematics import (
    MIN_VISIBILITY,
    SPEED_WINDOW_S,
    TIME_TOLERANCE_S,
    BodySample,
    sample_body,
    velocity,
    window_start,
)
from game.boxing.uppercut import RiseTracker, judge_rise
from game.pose.types import PoseFrame

State = Literal["guard", "out", "back"]

# How far back a hand's positions are kept: the speed's span (``SPEED_WINDOW_S``) and the onset's
# look back for a wind-up begun before the hand counted as leaving (four frames at 30 fps, 0.1 s).
HISTORY_S = 0.1
# How far back the frames' kinematics are kept: the kind model's window (16 steps of 1/30 s) with
# room to spare (45 frames at 30 fps before; a time, so 60 fps does not halve it).
SAMPLES_S = 1.5
# How far back an arm's visibility is kept: an excursion (at most ``max_out_s``) and the wait for a
# hidden arm to be seen (as long again), with room to spare.
VISIBILITY_S = 2.5


@dataclass(frozen=True, slots=True)
class DetectorOptions:
    """Thresholds; the defaults are justified in docs/BOXING.md."""

    onset_excursion: float = 0.12  # arm lengths from the guard position
    onset_speed: float = 1.6  # arm lengths / s
    min_rise_s: float = 0.03  # a punch is still extending a frame after it leaves the guard
    min_peak_speed: float = 2.2  # a punch peaks at least this fast (slow demo punches ~3)
    min_bent_peak_speed: float = 2.5  # hooks and uppercuts are not thrown slowly
    min_travel: float = 0.2  # arm lengths from the guard at the peak
    peak_drop: float = 0.06  # excursion fall that confirms the peak
    impact_speed_fraction: float = 0.4  # speed falling below this share of its peak = impact
    path_noise_floor: float = 0.01  # arm lengths per frame
    path_weight: float = 0.7  # share of the path length counted as travel (arcs: hooks)
    still_speed: float = 0.8  # arm lengths / s: "the hand has stopped"
    stop_s: float = 0.1  # ... when it stays slower than that this long: two frames' speeds at 30 fps
    # (each over two frame intervals, ``SPEED_WINDOW_S``) span three intervals. A time, not a frame
    # count: "two frames" is 33 ms of a pause at 60 fps (a slow straight split in pieces) and 0.3 s
    # at 10 fps
    max_out_s: float = 0.9  # an extension slower than this is a reach, not a punch
    guard_tau_s: float = 0.25  # guard position follows a still hand with this time constant
    straight_extension: float = 0.85  # straightness of a locked-out straight punch
    min_half_extension_gain: float = 0.1  # a half straight still opens the arm this much
    half_hold_s: float = 0.3  # a half punch is reported this long after its peak was confirmed,
    # unless a complete punch of the same hand is reported meanwhile (``HalfHold``)
    uppercut_rise: float = 0.25  # arm lengths an uppercut lifts the fist from its lowest point
    uppercut_top: float = 0.05  # arm lengths above the shoulder where a full uppercut ends
    uppercut_long_top: float = -0.1  # ... one driven up from the hip: the shoulder line, within
    # a fist (real ones end -0.06..0.18, the wrist landmark sitting a fist below the knuckles)
    uppercut_forearm_up: float = 0.45  # share of the forearm's length that points up (27 deg+)
    uppercut_full_rise: float = 0.5  # arm lengths an uppercut from the hip lifts the fist
    uppercut_outside: float = 0.15  # arm lengths (a fist's width) an uppercut's fist may end outside
    # its own shoulder: it is aimed at a chin between the shoulders (measured in 3-D only)
    uppercut_turn_away_deg: float = 20.0  # an uppercut's shoulders may turn its shoulder back by no
    # more than two readings' depth noise: the shoulder line's direction changes by 9 degrees or
    # less from one frame to the next on 95 % of the boxing clips' frames, real turns included
    # (3-D only; docs/BOXING.md "The body turns into an uppercut")
    hook_elbow_up: float = -0.08  # arm lengths: a hook's elbow is up near shoulder height
    hook_sweep: float = 0.15  # arm lengths a full hook swings the fist across the body
    hook_wide_sweep: float = 0.5  # ... a hook seen from the front: the fist crosses the body
    hook_elbow_low: float = -0.2  # arm lengths below the shoulder its elbow (and fist) stay above
    locked_out: float = 0.92  # straightness only a straight punch reaches
    min_image_reach: float = 0.7  # arm lengths from the shoulder in the image plane: a locked-out
    # straight thrown within 30 deg of the image plane (side-on, the image plane's view) reaches
    # 0.95 cos 30 = 0.82 or more; a bent arm seen edge-on (a hook side-on) about its upper arm, 0.55
    straight_low_fist: float = -0.25  # arm lengths below the shoulder: a fist ending lower, the arm
    # not locked out, did not finish a straight (a quarter arm: below the chest line)
    hook_swing_deg: float = 40.0  # image plane: the shoulder-to-fist direction turning this much from
    # the drive's start to the peak is a swing around the shoulder (a hook), not a straight driven
    # along the arm's line (real side-on straights <= 15 deg, any 2-D excursion <= 34; 2-D hooks 54-155)
    min_swing_radius: float = 0.1  # arm lengths: a fist closer to the shoulder in the image has no direction
    press_speed: float = 3.3  # arm lengths / s: a straight slower than this (1.5 x min_peak_speed)
    # that ends with the fist above the nose is a press or a reach up, not a punch
    face_touch: float = 0.2  # arm lengths from the nose: the hand is at the face
    max_height_above_nose: float = 0.3  # arm lengths: higher is a wave / raised hand
    min_height_below_shoulder: float = -0.6  # arm lengths: lower is an arm swinging at the side
    guard_floor: float = -0.7  # a guard lower than this (arms hanging) cannot start a punch
    hanging_arm: float = -0.35  # ... nor a straight arm with its fist this far below the shoulders
    guard_radius: float = 0.95  # arm lengths from the shoulder midpoint, horizontally
    warmup_s: float = 0.2  # a hand must be watched this long before it can punch (guard known)
    relaunch_fraction: float = 0.75  # stopped within this share of the way out = home again
    turnaround: float = 0.05  # arm lengths back out from the closest approach = turned around
    min_home_s: float = 0.05  # the hand rests in its guard at least this long between punches
    flail_window_s: float = 0.12  # both hands leaving within this = flailing
    loose_hand: float = 0.55  # the other hand this far from its guard (arm lengths) = flailing
    loose_speed: float = 2.5  # ... or moving this fast (arm lengths / s) away from it
    stance_feet_apart: float = 0.1  # arm lengths one foot is ahead of the other in a stance
    track_jump_torso: float = 0.6  # shoulder midpoint jumping this many torso lengths = new person
    motion_depth_weight: float = 0.5  # weight of BlazePose's depth axis in the hand's motion (its weakest axis)
    depth_weight: float = 0.5  # ... when judging whether the other hand is loose
    image_plane: bool = False  # measure in the image plane only, world landmarks ignored (profile views)
    guessed_arm_margin: float = 0.15  # the other arm this much less visible than the punching one
    # (median over the punch) is BlazePose's guess of a hidden arm: it cannot make a flail


@dataclass(frozen=True, slots=True)
class Candidate:
    """A completed excursion of one hand, handed to the judge and the kind classifier."""

    hand: Hand
    onset_s: float
    t_peak_s: float
    detected_s: float
    guard: np.ndarray  # guard wrist position (arm lengths, relative to the shoulders' midpoint)
    start: np.ndarray  # where the final drive began (the guard, or the bottom of a wind-up)
    peak_wrist: np.ndarray
    peak_elbow: np.ndarray
    peak_shoulder: np.ndarray
    peak_other_shoulder: np.ndarray
    onset_shoulder: np.ndarray
    onset_other_shoulder: np.ndarray
    nose: np.ndarray
    travel: float  # arm lengths
    peak_speed: float  # arm lengths / s
    peak_speed_mps: float
    extension: float  # straightness at the peak
    start_extension: float
    arm_m: float
    flail: bool
    home_s: float  # how long the hand was home before it left
    onset_gap_s: float  # time since the frame before the onset frame
    rise: float  # arm lengths the wrist rose from its lowest point (guard or dip) to the peak
    sweep: float  # arm lengths the wrist moved across the body, from its outermost point to the peak
    onset_wrist: np.ndarray | None = None  # wrist at the onset (arm lengths)
    feet: np.ndarray | None = None  # left ankle minus right ankle at the onset (arm lengths)
    is_3d: bool = True  # measured on world landmarks (False: image landmarks only)
    swing_deg: float = 0.0  # image plane: how far the shoulder-to-fist direction turned, drive start to peak


KindClassifier = Callable[[Candidate, Sequence[BodySample]], tuple[str, float] | None]
"""(candidate, recent samples) -> (family "straight" | "hook" | "uppercut" | "none", confidence),
or None to defer to the rules. "none" refuses the candidate (not a punch)."""


ExcursionJudge = Callable[[np.ndarray], tuple[str, float]]
"""(excursion features, ``game.boxing.features.excursion_features``) -> (family "straight" |
"hook" | "uppercut" | "none", confidence): decides, in place of the rules' judge, whether an
excursion was a complete punch and of which family."""


class PunchSource(Protocol):
    """What the game and the tutorial need of a punch detector (:class:`PunchDetector`, or the
    :class:`~game.boxing.fusion.ViewFusedDetector` that ``make_punch_detector`` returns)."""

    rejected: list[tuple[float, Hand, str]]

    def update(self, frame: PoseFrame) -> list[PunchEvent]: ...

    def finish(self) -> list[PunchEvent]: ...

    def is_guard_up(self) -> bool: ...

    def summary(self) -> dict[str, Any]: ...


# State machine as data: (state, condition) -> next state. Conditions are evaluated in order.
# "lost" (nobody in view, a new person, the arm hidden or out of frame) is applied before the
# table is consulted: every hand goes back to "guard" and nothing in flight is reported.
TRANSITIONS: dict[State, tuple[tuple[str, State], ...]] = {
    "guard": (("lost", "guard"), ("leaves_guard", "out")),
    "out": (("lost", "guard"), ("too_slow", "back"), ("fizzled", "guard"), ("peak_passed", "back")),
    "back": (("lost", "guard"), ("relaunch", "out"), ("home", "guard")),
}


@dataclass(slots=True)
class _Hand:
    state: State = "guard"
    guard: np.ndarray | None = None
    onset_s: float = 0.0
    onset_shoulder: np.ndarray | None = None
    onset_other_shoulder: np.ndarray | None = None
    start_extension: float = 0.0
    max_exc: float = 0.0
    peak_s: float = 0.0
    peak_wrist: np.ndarray | None = None
    peak_elbow: np.ndarray | None = None
    peak_shoulder: np.ndarray | None = None
    peak_other_shoulder: np.ndarray | None = None
    peak_extension: float = 0.0
    peak_speed: float = 0.0
    peak_speed_mps: float = 0.0
    still_from_s: float | None = None  # the hand has been slower than ``still_speed`` since then
    speed_from_s: float = 0.0  # the start of the span the last speed was measured over
    rel_velocity: np.ndarray | None = None  # the wrist's velocity over its own shoulder then (m/s)
    path: float = 0.0
    last_w: np.ndarray | None = None
    last_exc: float = 0.0
    prev_exc: float = 0.0
    last_speed: float = 0.0
    impact_s: float | None = None
    anchor: np.ndarray | None = None  # where the current excursion is measured from
    rewinds: int = 0  # wind-ups seen in this excursion
    still_since_s: float | None = None
    home_s: float = 1.0  # time spent in the guard state
    settled: bool = True  # the hand slowed down (or turned around) since it came home
    min_exc_guard: float = 0.0
    guard_straightness: float = 0.5
    guard_own: np.ndarray | None = None  # the guard relative to the hand's own shoulder
    anchor_straightness: float = 0.5  # straightness where the current excursion is measured from
    tracked_s: float = 0.0  # how long this hand has been in view without a break
    home_before_s: float = 1.0  # ... before the current excursion
    onset_gap_s: float = 0.0
    low_y: float = 0.0  # lowest wrist height during the excursion (arm lengths)
    ext_trace: list[tuple[float, float]] = field(default_factory=list)  # (t, straightness) going out
    out_across: float = 0.0  # outermost wrist position across the body during the excursion
    # (t, [wrist over the shoulders' midpoint, wrist over its own shoulder]), metres: the shortest
    # run of recent frames spanning ``HISTORY_S``
    history: deque[tuple[float, np.ndarray]] = field(default_factory=deque)
    back_min_exc: float = 0.0  # closest approach to the guard since the peak
    relaunches: int = 0  # excursions started from "back" since the hand was last home
    turn_w: np.ndarray | None = None  # where the hand was at that closest approach
    turn_straightness: float = 0.5
    turn_s: float = 0.0  # ... and when
    onset_wrist: np.ndarray | None = None
    onset_feet: np.ndarray | None = None
    start_own: np.ndarray | None = None  # the wrist relative to its own shoulder where the drive began
    peak_own: np.ndarray | None = None  # ... and at the peak
    turn_own: np.ndarray | None = None  # ... and at the closest approach since the peak
    loose: float = 0.0  # distance from the guard with the depth axis down-weighted (arm lengths)
    loose_speed: float = 0.0  # speed with the depth axis down-weighted (arm lengths / s)
    max_loose: float = 0.0  # the largest "loose" since the hand left its guard
    visibility: deque[tuple[float, float]] = field(default_factory=deque)  # (t, arm visibility), the last VISIBILITY_S
    unseen: tuple[Candidate, float] | None = None  # an excursion of a hidden arm, and until when it may be seen


@dataclass(frozen=True, slots=True)
class _FollowThrough:
    """A half hook whose sweep across the body may come after its measured peak.

    A hook seen only from mid-swing (the arm hidden until it is out in front, as the lead hook of
    `punch_shadowbox_labelled_overlay` at 5.05 s, or cocked from out in front) reaches its farthest
    point from where it was first followed while it is still out in front; its sweep across the
    body, the hook itself, then reads as the way back. The state machine judges it at that point: a
    hook (elbow up) that swept little, a half hook. A hook's sweep is not a return: the elbow stays
    up at shoulder height (``hook_elbow_up``) while the fist swings across the body, fast; a
    punch coming home drops the elbow to the ribs. So for ``half_hold_s`` after the peak (the time
    a half report is held back anyway), a fist that sweeps ``hook_sweep`` or more across the body
    from where the peak left it, at ``min_bent_peak_speed`` or more on average, with the elbow up on
    every frame, is the hook landing: reported complete at that frame (the half report it
    supersedes is dropped by ``HalfHold``). Nothing new is fitted: every threshold is the hook's own.
    On the shared clips 5 half hooks are reported in boxing mode: the shadowbox's (0.36 arm lengths
    across in 0.1 s, 3-D, elbow up throughout) is the one that sweeps; the others are a march's arm
    swing (elbow down) and a prisoner squat's hands behind the head (elbows up, 0.0-0.1 across in
    0.3 s).
    """

    event: PunchEvent
    line: np.ndarray  # unit horizontal direction from the hand's shoulder to the other one, at the onset
    peak_across: float  # the fist's position along ``line`` at the peak (arm lengths)
    until_s: float

    @staticmethod
    def of(event: PunchEvent, c: Candidate, hold_s: float) -> _FollowThrough:
        line = (c.onset_other_shoulder - c.onset_shoulder) * np.array([1.0, 0.0, 1.0])
        line = line / (float(np.linalg.norm(line)) or 1.0)
        return _FollowThrough(event, line, float(np.dot(c.peak_wrist, line)), c.t_peak_s + hold_s)


def interpolated_peak(trace: Sequence[tuple[float, float]]) -> float:
    """The peak of a sampled signal between its samples: the vertex of the parabola through the
    highest sample and its neighbours. At 24-30 fps a snapped jab is locked out for less than a
    frame, so the highest sample can read 0.84 when the arm reached 0.95."""
    if len(trace) < 3:
        return max((v for _, v in trace), default=0.0)
    i = max(range(len(trace)), key=lambda k: trace[k][1])
    if i == 0 or i == len(trace) - 1:
        return trace[i][1]
    (t0, y0), (t1, y1), (t2, y2) = trace[i - 1], trace[i], trace[i + 1]
    t0, t2, t1 = t0 - t1, t2 - t1, 0.0  # centred on the highest sample, for conditioning
    a = np.array([[t0 * t0, t0, 1.0], [0.0, 0.0, 1.0], [t2 * t2, t2, 1.0]])
    try:
        qa, qb, qc = np.linalg.solve(a, [y0, y1, y2])
    except np.linalg.LinAlgError:
        return y1
    if qa >= 0:
        return y1
    tv = -qb / (2 * qa)
    if not t0 <= tv <= t2:
        return y1
    return float(min(1.0, y1 + 0.1, qa * tv * tv + qb * tv + qc))


def _median_since(samples: Sequence[tuple[float, float]], t0_s: float) -> float:
    """The median of the (time, value) samples from ``t0_s`` on (the latest one if none)."""
    got = [v for t, v in samples if t >= t0_s - 1e-6] or [v for _, v in samples[-1:]]
    return float(np.median(got)) if got else 0.0


def image_swing_deg(start: np.ndarray | None, peak: np.ndarray | None, min_radius: float) -> float:
    """How far (degrees) the direction from the shoulder to the fist turned in the image plane
    between ``start`` and ``peak`` (wrist positions relative to its own shoulder, arm lengths).
    0 when either lies within ``min_radius`` of the shoulder (its direction is noise)."""
    if start is None or peak is None:
        return 0.0
    a, b = start[:2], peak[:2]
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na < min_radius or nb < min_radius:
        return 0.0
    return float(np.degrees(np.arccos(np.clip(float(np.dot(a, b)) / (na * nb), -1.0, 1.0))))


def is_image_swing(c: Candidate, opt: DetectorOptions) -> bool:
    """A hook seen in the image alone (no depth): the fist swung around the shoulder
    (``hook_swing_deg`` or more), mostly sideways (the drive within 45 degrees of level: an
    uppercut is driven up), and ended no lower than a little under the shoulder (at a head).

    A straight drives the fist out along the arm's own line, from the guard by the chin to a head
    at about the same height: seen from any side the shoulder-to-fist direction turns little (the
    guard fist sits some 25-30 degrees above the line to the target; the real side-on straights
    turn <= 15 degrees, every 2-D excursion of the labelled clips <= 34). A hook carries the fist
    around the shoulder, from cocked out wide to across the face: 90 degrees or more from the
    front (54-155 in the COCO drills). With 2-D keypoints
    the hook's arm can read straight (the bend is in depth) and its elbow low, so its shape at the
    peak alone names it a straight or an uppercut; the path does not."""
    if c.is_3d or c.swing_deg < opt.hook_swing_deg:
        return False
    drive = (c.peak_wrist - c.start)[:2]
    n = float(np.linalg.norm(drive))
    return bool(n > 1e-9 and abs(float(drive[1])) <= n * np.sin(np.radians(45.0))
                and c.peak_wrist[1] >= c.peak_shoulder[1] + opt.hook_elbow_low)


def judge_candidate(c: Candidate, opt: DetectorOptions) -> str | None:
    """Why this excursion is not a punch, or None when it is one."""
    if c.flail:
        return "flail"
    if c.t_peak_s - c.onset_s < opt.min_rise_s and c.onset_gap_s < opt.min_rise_s + 0.01:
        # Out of the guard and at the peak within one frame of a 30+ fps stream: a jump (a
        # tracking glitch, a flung arm), not a punch. After a dropped frame, or at 24 fps, a snapped
        # jab can do that, so only a regular frame gap condemns it.
        return "no extension phase"
    if c.travel < opt.min_travel:
        return "too short"
    if c.peak_speed < opt.min_peak_speed:
        return "too slow"
    if c.guard[1] < opt.guard_floor or c.guard[1] > c.nose[1] + opt.max_height_above_nose:
        return "not from a guard"
    if float(np.hypot(c.guard[0], c.guard[2])) > opt.guard_radius:
        return "not from a guard"
    if c.start_extension >= opt.straight_extension and c.guard[1] < opt.hanging_arm:
        # A guard holds the fists up by the chin with the elbows bent; an arm hanging straight
        # by the side swings (running, marching, high knees), it does not punch.
        return "not from a guard"
    if c.home_s < opt.min_home_s:
        return "hand never came home"
    wrist_up = c.peak_wrist[1] - c.peak_shoulder[1]
    if c.peak_wrist[1] > c.nose[1] + opt.max_height_above_nose:
        return "hand raised above the head"
    if wrist_up < opt.min_height_below_shoulder:
        return "arm swinging low"
    return None


def judge_family(family: str, c: Candidate, opt: DetectorOptions) -> str | None:
    """Kind-specific reasons: a bent-arm punch is never slow; a slow straight is aimed at a head."""
    if (family == "straight" and c.peak_speed < opt.press_speed
            and c.peak_wrist[1] > c.nose[1]):
        # A punch is aimed at a head about as high as the boxer's own: even a slow demonstration
        # straight ends with the fist at or below the nose (0.1-0.4 arm lengths below on the real
        # clips). An arm pushed slowly up past it is a press (a landmine press, 0.12-0.16 above the
        # nose at 2.3-2.8 arm lengths/s) or a reach up.
        return "pushed up slowly (a press)"
    if family != "straight" and c.peak_speed < opt.min_bent_peak_speed:
        return "too slow for a hook or uppercut"
    if family != "straight" and c.peak_speed < 1.5 * opt.min_bent_peak_speed:
        # Brought to the face, not thrown: a brisk hand that ends touching the face.
        if float(np.linalg.norm(c.peak_wrist - c.nose)) < opt.face_touch:
            return "hand brought to the face"
    return None


def rule_kind(c: Candidate, opt: DetectorOptions) -> tuple[str, bool]:
    """(family, complete): family is "straight", "hook", "uppercut", or "none" (not a punch).

    Read from the arm's shape at the peak, which survives BlazePose's weak depth: a locked-out
    arm is a straight; a bent arm with the forearm pointing up and the elbow low is an uppercut;
    a bent arm with the elbow raised towards shoulder height is a hook; a bent arm with the elbow
    low and the forearm level is a straight thrown only part of the way.
    """
    elbow_up = float(c.peak_elbow[1] - c.peak_shoulder[1])
    # In the image plane an arm pointing partly in depth reads straight (its bend is seen edge-on)
    # but reaches short of an arm length: side-on, a hook's forearm goes across the body, into
    # depth (real side-on hooks: 0.47-0.58 arm lengths from the shoulder at straightness 0.98-1.0;
    # side-on straights 0.8-1.4).
    reach = float(np.linalg.norm((c.peak_wrist - c.peak_shoulder)[:2]))
    fore = c.peak_wrist - c.peak_elbow
    fore_up = float(fore[1] / (np.linalg.norm(fore) or 1e-9))
    drive = c.peak_wrist - c.start
    drive_up = float(drive[1] / (np.linalg.norm(drive) or 1e-9))
    if is_image_swing(c, opt):
        return "hook", hook_is_complete(c, opt)
    in_front = not c.is_3d or fist_inside(c.peak_wrist, c.peak_shoulder, c.peak_other_shoulder) >= -opt.uppercut_outside
    if (fore_up >= opt.uppercut_forearm_up and elbow_up < 0.0 and c.rise >= opt.uppercut_full_rise
            and drive_up >= 0.0 and in_front):
        # Forearm up, elbow under the shoulder, the fist driven up from the hip or ribs (about
        # half an arm length or more): an uppercut however straight BlazePose reads the arm --
        # seen from the front, the forearm coming at the lens is foreshortened in depth and the
        # arm can read 0.9 straight. A straight punch from the guard rises little (<= 0.4).
        complete = c.peak_wrist[1] >= c.peak_shoulder[1] + opt.uppercut_long_top
        return "uppercut", bool(complete)
    if (c.sweep >= opt.hook_wide_sweep and c.extension < opt.locked_out and elbow_up >= opt.hook_elbow_low
            and c.peak_wrist[1] >= c.peak_shoulder[1] + opt.hook_elbow_low):
        # The fist swept across the body at head height without the arm locking out: a hook
        # thrown at the camera (its arc is mostly sideways in the image). Real straights lock
        # out (0.94-0.99); real hooks seen from the front read 0.78-0.86.
        return "hook", True
    if c.extension >= opt.straight_extension and (c.is_3d or reach >= opt.min_image_reach):
        return "straight", straight_is_complete(c, opt)
    if ((fore_up >= 0.7 or (fore_up >= 0.5 and elbow_up < -0.1)) and drive_up >= 0.45 and c.rise >= opt.uppercut_rise
            and in_front):
        # A full uppercut finishes at chin height, above the shoulder line.
        complete = c.peak_wrist[1] >= c.peak_shoulder[1] + opt.uppercut_top
        return "uppercut", bool(complete)
    if elbow_up >= opt.hook_elbow_up:
        return "hook", hook_is_complete(c, opt)
    if c.extension - c.start_extension < opt.min_half_extension_gain:
        return "none", False  # the hand moved but the arm did not reach out: not a punch
    return "straight", False


def fist_inside(wrist: np.ndarray, shoulder: np.ndarray, other_shoulder: np.ndarray) -> float:
    """How far the fist is inside its own shoulder, towards the other one, horizontally (in the
    units given; negative: outside it). Meaningful in 3-D: side-on, the shoulder line is seen
    edge-on in the image."""
    line = (other_shoulder - shoulder) * np.array([1.0, 0.0, 1.0])
    n = float(np.linalg.norm(line))
    return float(np.dot(wrist - shoulder, line) / n) if n > 1e-9 else 0.0


def rules_verdict(c: Candidate, opt: DetectorOptions) -> tuple[bool, str, bool]:
    """(refused, family, complete) as the rules alone judge a candidate: refused by the judge, or
    named "none" (the arm did not extend), or a family whose own test fails."""
    if judge_candidate(c, opt) is not None:
        return True, "none", False
    family, complete = rule_kind(c, opt)
    if family != "none" and judge_family(family, c, opt) is not None:
        return True, family, False
    return family == "none", family, complete


def straight_is_complete(c: Candidate, opt: DetectorOptions) -> bool:
    """A straight reached its target: the arm locked out, or straight enough with the fist at chest
    height or above. Straight enough but short of a lock-out with the fist dropped well below the
    shoulder is an arm flung down and out (a hook's wind-up). Between the two straightness
    thresholds the skeleton cannot tell (the two BlazePose engines read the same wind-up 0.84 and
    0.86); where the fist ended can."""
    if c.extension < opt.straight_extension:
        return False
    return bool(c.extension >= opt.locked_out or c.peak_wrist[1] - c.peak_shoulder[1] >= opt.straight_low_fist)


def hook_is_complete(c: Candidate, opt: DetectorOptions) -> bool:
    """A full hook swings the fist across the body, from out wide (its wind-up) to the centre line
    where the chin it is aimed at would be; one that stops early sweeps little."""
    return bool(c.sweep >= opt.hook_sweep)


def summarise(events: Sequence[PunchEvent], stance: str) -> dict[str, Any]:
    """A detector's ``summary()``: complete punches by kind and hand, speeds, the stance."""
    complete = [e for e in events if e.complete]
    speeds = [e.speed_mps for e in complete]
    return {
        "punches": len(complete),
        "half_punches": len(events) - len(complete),
        "by_kind": {k: sum(1 for e in complete if e.kind == k) for k in ("jab", "cross", "hook", "uppercut")},
        "by_hand": {h: sum(1 for e in complete if e.hand == h) for h in HANDS},
        "mean_speed_mps": round(float(np.mean(speeds)), 2) if speeds else None,
        "peak_speed_mps": round(float(np.max(speeds)), 2) if speeds else None,
        "stance": stance,
    }


class HalfHold:
    """One physical punch, one report: half punches held back until a complete report of the same
    punch can no longer follow.

    The state machine judges a punch at its peak, the rise cue an uppercut at the fist's top, which
    comes 0.07-0.1 s later on the real clips: an uppercut whose fist is still short of the shoulder
    line at the state machine's peak was reported half, then complete (in the round the half took
    the target as a half miss and the complete one scored "wild"). So a half punch waits
    ``hold_s`` (0.3 s: the longest real uppercut drive, 9 frames at 30 fps, so the top of a drive
    under way at the half's peak has come by then) and is dropped when a complete punch of the same
    hand is reported meanwhile: the drive carried through, or the feint was followed at once by
    the real punch; either way the player threw one punch at the target, and it is the complete
    one. A half punch is never counted, so only its report is later (by ``hold_s``; its
    ``detected_s`` says when it was released).

    One hand punches at a time (the rise cue's and the flail test's premise): a half punch of one
    hand peaking while the other hand throws a complete punch (between that punch's onset and its
    peak) is the guard hand carried by the body's turn under that punch, not a punch of its own,
    and is dropped too (the cable uppercuts' guard hand: its half "jabs" during the uppercuts).
    Pure: events and times in, events out.
    """

    def __init__(self, hold_s: float) -> None:
        self.hold_s = hold_s
        self._held: list[PunchEvent] = []  # in the order they came
        self._complete: dict[Hand, PunchEvent] = {}  # the last complete punch of each hand
        # The latest half punches dropped for a complete one (diagnostics; bounded: a session is long)
        self.superseded: deque[PunchEvent] = deque(maxlen=64)

    def feed(self, events: Sequence[PunchEvent], t_s: float) -> list[PunchEvent]:
        """The events to report at ``t_s`` (seconds) of those just found: complete ones at once,
        half ones once their hold is over."""
        out: list[PunchEvent] = []
        for e in events:
            if e.complete:
                # The same hand's half punches: this punch seen through; the other hand's peaking
                # during it: carried by it.
                gone = [h.hand == e.hand or self._is_carried(h, e) for h in self._held]
                self.superseded.extend(h for h, g in zip(self._held, gone, strict=True) if g)
                self._held = [h for h, g in zip(self._held, gone, strict=True) if not g]
                self._complete[e.hand] = e
                out.append(e)
                continue
            punch = self._complete.get(_other(e.hand))
            if punch is not None and self._is_carried(e, punch):
                self.superseded.append(e)
                continue
            self._held.append(e)
        due = [t_s >= h.detected_s + self.hold_s - 1e-9 for h in self._held]
        out += [dataclasses.replace(h, detected_s=t_s) for h, d in zip(self._held, due, strict=True) if d]
        self._held = [h for h, d in zip(self._held, due, strict=True) if not d]
        return out

    @staticmethod
    def _is_carried(half: PunchEvent, punch: PunchEvent) -> bool:
        """The half punch peaked while the other hand's complete ``punch`` was being thrown."""
        return punch.onset_s - 1e-6 <= half.t_s <= punch.t_s + 1e-6

    def flush(self, t_s: float | None) -> list[PunchEvent]:
        """Every held half punch, now (the stream ended or the person was lost: nothing can follow).
        ``t_s`` None keeps their detection times."""
        out = [e if t_s is None else dataclasses.replace(e, detected_s=max(t_s, e.detected_s))
               for e in self._held]
        self._held.clear()
        self._complete.clear()
        return out


def _other(hand: Hand) -> Hand:
    return "right" if hand == "left" else "left"


class PunchDetector:
    """Punches from a PoseFrame stream (the :class:`~game.analysis.Detector` protocol).

    ``orthodox`` fixes the stance (lead = left) when known from calibration; ``None`` infers it
    from the straight punches seen so far (orthodox until evidence says otherwise).
    ``kind_classifier`` overrides the rule-based kind (see :data:`KindClassifier`).
    ``holds_halves`` False reports half punches at once (the caller holds them back: the view
    fusion, after choosing the channel).
    """

    def __init__(
        self,
        options: DetectorOptions = DetectorOptions(),
        *,
        orthodox: bool | None = None,
        kind_classifier: KindClassifier | None = None,
        judge: ExcursionJudge | None = None,
        holds_halves: bool = True,
    ) -> None:
        self.options = options
        self.orthodox = orthodox
        self.kind_classifier = kind_classifier
        self.judge = judge
        self._hands: dict[Hand, _Hand] = {h: _Hand() for h in HANDS}
        self._samples: deque[BodySample] = deque()  # the last SAMPLES_S (the kind model's window)
        self.tracks_lost = 0  # times the person was lost or replaced (the view fusion flushes its hold then)
        self._arm_lengths: deque[float] = deque(maxlen=120)
        self._arm_m = 0.0
        self._stance_evidence = 0.0  # > 0: orthodox (left lead)
        self._forward = np.zeros(3)  # sum of the straight punches' horizontal directions
        self._last: BodySample | None = None
        self.events: list[PunchEvent] = []
        self.rejected: list[tuple[float, Hand, str]] = []
        self.candidates: deque[Candidate] = deque(maxlen=64)  # recent excursions, for diagnostics
        self._rises: dict[Hand, RiseTracker] = {h: RiseTracker() for h in HANDS}
        self._rise_spans: dict[Hand, tuple[float, float] | None] = {h: None for h in HANDS}
        self._hold = HalfHold(options.half_hold_s if holds_halves else 0.0)
        self._follows: dict[Hand, _FollowThrough | None] = {h: None for h in HANDS}
        self._guards = GuardWatch()  # every punch must leave from a guard (game.boxing.guard)

    # -- stream ------------------------------------------------------------------------------

    def update(self, frame: PoseFrame) -> list[PunchEvent]:
        return self.update_sample(sample_body(frame, use_world=not self.options.image_plane))

    def update_sample(self, s: BodySample | None) -> list[PunchEvent]:
        """:meth:`update` on a frame's kinematics (None: nobody in view)."""
        if s is None:
            return self._reported(self._lose_track())
        released: list[PunchEvent] = []
        if self._last is not None and self._is_new_person(self._last, s):
            released = self._lose_track()
            # The guards seen were the last person's: this one's punches leave from their own.
            self._guards = GuardWatch()
        self._last = s
        self._samples.append(s)
        while self._samples[0].t_s < s.t_s - SAMPLES_S:
            self._samples.popleft()
        for arm in (s.left, s.right):
            if arm.is_valid:
                self._arm_lengths.append(arm.segment_sum_m)
        if not self._arm_lengths:
            return self._reported(released)
        if len(self._arm_lengths) < 10 or len(self._arm_lengths) % 10 == 0 or self._arm_m <= 0:
            self._arm_m = float(np.median(self._arm_lengths))
        self._guards.update(s, self._arm_m, self.options)
        out: list[PunchEvent] = []
        onsets: dict[Hand, bool] = {}
        for hand in HANDS:
            evs, started = self._step_hand(hand, s)
            onsets[hand] = started
            out += [ev for ev in evs if not self._is_rise_reported(ev)]
        for hand in HANDS:
            ev = self._rise_uppercut(hand, s, out)
            if ev is not None:
                out.append(ev)
            ev = self._follow_through(hand, s)
            if ev is not None:
                out.append(ev)
        out = self._guards.vet(out, self.rejected)
        return self._reported(released + self._hold.feed(out, s.t_s))

    def finish(self) -> list[PunchEvent]:
        """The end of the stream: the half punches still held back (``HalfHold``)."""
        return self._reported(self._lose_track())

    def _reported(self, events: list[PunchEvent]) -> list[PunchEvent]:
        self.events.extend(events)
        return events

    def summary(self) -> dict[str, Any]:
        return summarise(self.events, "orthodox" if self._is_orthodox() else "southpaw")

    def is_guard_up(self) -> bool:
        """Both hands home (not punching, not loose): what a slip or a duck must keep."""
        if self._last is None:
            return False
        for hand in HANDS:
            h = self._hands[hand]
            arm = self._last.arm(hand)
            if h.state != "guard" or h.loose > self.options.loose_hand or not arm.is_valid:
                return False
            if self._arm_m > 0 and (arm.wrist_m[1] - arm.shoulder_m[1]) / self._arm_m < self.options.guard_floor:
                return False
        return True

    # -- internals ---------------------------------------------------------------------------

    def _is_orthodox(self) -> bool:
        if self.orthodox is not None:
            return self.orthodox
        return self._stance_evidence >= 0.0

    def _lose_track(self) -> list[PunchEvent]:
        """Nobody in view, or someone else: every hand back to "guard", nothing in flight
        reported, no rise spanning the gap. Returns the half punches held back until now (they were
        punches of the person just lost, and nothing of theirs can complete them now)."""
        self.tracks_lost += 1
        for h in self._hands.values():
            h.state = "guard"
            h.tracked_s = 0.0
            h.guard = None
            h.history.clear()
            h.still_since_s = None
            h.unseen = None
        for r in self._rises.values():
            r.lose()
        # The spans of reported rises hide the state machine's punches moving during them; the
        # next person's punches (or this one's after the gap) are not those uppercuts.
        self._rise_spans = {hand: None for hand in HANDS}
        self._follows = {hand: None for hand in HANDS}
        released = self._hold.flush(None if self._last is None else self._last.t_s)
        self._samples.clear()
        self._last = None
        return released

    def _guard_ok(self, guard: np.ndarray, straightness: float) -> bool:
        """Whether a hand resting at ``guard`` could start a punch (the judge's guard tests)."""
        opt = self.options
        return bool(opt.guard_floor <= guard[1] and float(np.hypot(guard[0], guard[2])) <= opt.guard_radius
                    and not (straightness >= opt.straight_extension and guard[1] < opt.hanging_arm))

    def _is_followed(self, hand: Hand, s: BodySample) -> bool:
        """Whether the state machine follows this arm: a trusted arm (seen, in the image), or, in
        the image plane, a hidden one that punches from behind the body. Side-on the rear hand
        rests in its guard behind the body, where BlazePose marks it 0.05-0.3 visible but draws it
        about right in the image: by the chin, next to the near hand (within
        ``hidden_guard_reach``); a straight thrown with it comes out in front of the chest, into
        view, and counts only if it is seen there (``_was_seen``). A hidden arm is followed from
        such a guard and out, never back: a guess drawn anywhere else (an arm hidden behind the
        back mid-combination, drawn jumping about) is not a guard, and a retraction behind the
        body is not needed (the hand is home again when it is next seen)."""
        arm = s.arm(hand)
        if arm.is_valid:
            return True
        return self.options.image_plane and arm.in_view and self._hands[hand].state != "back"

    def _seen_late(self, hand: Hand, h: _Hand, s: BodySample) -> PunchEvent | None:
        """The hidden arm's excursion waiting to be seen (``_Hand.unseen``): judged and reported
        once the arm is seen, refused ("arm hidden") when its time is up or the hand leaves again.
        The hand leaving again comes first: an arm seen once it is out on a new excursion (a
        relaunch) is that excursion's sighting, not the hidden one's, which would otherwise be
        counted on the next punch's evidence and that punch counted again."""
        if h.unseen is None:
            return None
        c, until = h.unseen
        if h.state == "out" or s.t_s > until + 1e-6:
            h.unseen = None
            self.rejected.append((c.t_peak_s, hand, "arm hidden"))
            return None
        if s.arm(hand).visibility >= MIN_VISIBILITY:
            h.unseen = None
            return self._verdict(hand, dataclasses.replace(c, detected_s=s.t_s))
        return None

    @staticmethod
    def _was_seen(h: _Hand) -> bool:
        """The arm was trusted (visible) at some frame since the excursion began: BlazePose's guess
        of an arm it never sees (often a mirror of the near arm's punch, 0.05-0.3 visible in the
        profile clips) never is."""
        return any(v >= MIN_VISIBILITY for t, v in h.visibility if t >= h.onset_s - 1e-6)

    def _is_new_person(self, a: BodySample, b: BodySample) -> bool:
        torso = max(a.torso_px, 1.0)
        jump = float(np.linalg.norm(b.shoulder_mid_px - a.shoulder_mid_px)) / torso
        size = abs(b.torso_px - a.torso_px) / torso
        return jump > self.options.track_jump_torso or size > 0.35

    def _speed(self, h: _Hand, t: float, w_mid: np.ndarray, w_rel: np.ndarray) -> tuple[float, float, float, float]:
        """Wrist speeds in m/s over the last ``SPEED_WINDOW_S`` (a least-squares slope over the
        frames of that span, backward only: no look-ahead; ``kinematics.velocity``): relative to
        the shoulders' midpoint (the punch's speed, body turn included), relative to its own
        shoulder (the arm's own motion, which the state machine follows), and the first with
        BlazePose's depth axis down-weighted (``depth_weight``: its noisiest axis), and the first in
        the image plane alone (depth left out). Sets ``speed_from_s``, the start of the span."""
        h.history.append((t, np.concatenate((w_mid, w_rel))))
        times = [x[0] for x in h.history]
        drop = window_start(times, HISTORY_S)
        for _ in range(drop):
            h.history.popleft()
        times = times[drop:]
        h.speed_from_s = times[window_start(times, SPEED_WINDOW_S)]
        h.rel_velocity = None
        if len(h.history) < 2:
            return 0.0, 0.0, 0.0, 0.0
        v = velocity(times, [x[1] for x in h.history])  # both at once: one fit
        v_mid, v_rel = v[:3], v[3:]
        h.rel_velocity = v_rel
        flat = v_rel * np.array([1.0, 1.0, self.options.depth_weight])
        return (float(np.linalg.norm(v_mid)), float(np.linalg.norm(v_rel)),
                float(np.linalg.norm(flat)), float(np.linalg.norm(v_mid[:2])))

    def _step_hand(self, hand: Hand, s: BodySample) -> tuple[list[PunchEvent], bool]:
        """One frame of one hand: (its punches reported now: a hidden excursion seen late, then
        the one just concluded; whether an excursion started)."""
        h = self._hands[hand]
        h.visibility.append((s.t_s, s.arm(hand).visibility))
        while h.visibility[0][0] < s.t_s - VISIBILITY_S:
            h.visibility.popleft()
        seen_late = self._seen_late(hand, h, s)
        event, started = self._advance_hand(hand, s)
        return [e for e in (seen_late, event) if e is not None], started

    def _advance_hand(self, hand: Hand, s: BodySample) -> tuple[PunchEvent | None, bool]:
        """The state machine's step (``TRANSITIONS``) for one hand."""
        opt = self.options
        h = self._hands[hand]
        arm = s.arm(hand)
        L = self._arm_m
        if not self._is_followed(hand, s) or L <= 0:
            if h.state != "guard":
                h.state = "guard"
            h.last_exc = h.loose = h.loose_speed = 0.0
            h.history.clear()
            h.still_since_s = None
            return None, False
        # The state machine follows the wrist relative to the shoulders' midpoint, so a punch's
        # travel includes the body's turn (most of a hook's).
        # The state machine follows the wrist with BlazePose's depth axis down-weighted: depth is
        # its weakest axis (errors about twice the image-plane ones), and a far arm's guessed depth
        # swings while its image position stays put.
        depth_w = np.array([1.0, 1.0, opt.motion_depth_weight])
        w = arm.wrist_m / L * depth_w
        h.tracked_s += self._dt(s) if h.history else 0.0
        speed_mps, _, flat_mps, image_mps = self._speed(h, s.t_s, arm.wrist_m, arm.wrist_m - arm.shoulder_m)
        speed = speed_mps / L
        # "Still" for re-learning a guard that cannot be one (the arm hanging when the hand was
        # first seen): the image plane alone. BlazePose's depth swings 10-20 cm from frame to frame
        # on a resting hand (MediaPipe Tasks), so such a hand may never read still in 3-D and the
        # impossible guard would stay for good. A valid guard keeps the 3-D test (changing it for
        # every guard costs pipeline-2 recall: docs/BOXING.md).
        bad_guard = h.guard is not None and not self._guard_ok(h.guard, h.guard_straightness)
        calm = image_mps / L if bad_guard else speed
        h.loose_speed = flat_mps / L
        # The same wrist relative to its own shoulder: a guard hand kept at the chin stays put in
        # this frame while the body dips or turns under it (the other hand's looseness is read here).
        w_own = (arm.wrist_m - arm.shoulder_m) / L * depth_w
        if h.guard is None:
            h.guard = w.copy()
            h.guard_own = w_own.copy()
            h.guard_straightness = arm.straightness
        # Excursion: how far the wrist is from where the move started, or how much further the arm
        # reaches out (its straightness gained, in arm lengths), whichever is more. The reach is
        # what a punch thrown straight at the lens shows when the depth axis barely moves.
        reach_gain = arm.straightness - h.guard_straightness
        exc = max(float(np.linalg.norm(w - h.guard)), reach_gain)
        if h.state == "out" and h.anchor is not None:
            exc = max(float(np.linalg.norm(w - h.anchor)), arm.straightness - h.anchor_straightness)
        conditions = {
            "lost": False,
            "leaves_guard": h.settled and h.tracked_s >= opt.warmup_s and exc >= opt.onset_excursion and speed >= opt.onset_speed,
            "too_slow": s.t_s - h.onset_s > opt.max_out_s,
            "peak_passed": False,
            "fizzled": False,
            "home": False,
            "relaunch": False,
        }
        assert h.guard_own is not None
        d = w_own - h.guard_own
        h.loose = float(np.linalg.norm(d * np.array([1.0, 1.0, opt.depth_weight])))
        h.max_loose = max(h.max_loose, h.loose) if h.state != "guard" else 0.0
        if h.state == "out":
            if exc > h.max_exc:
                h.max_exc = exc
                h.peak_s = s.t_s
                h.peak_own = w_own.copy()
                h.peak_wrist, h.peak_elbow, h.peak_shoulder = arm.wrist_m / L, arm.elbow_m / L, arm.shoulder_m / L
                h.peak_other_shoulder = s.other_shoulder[hand] / L
                h.peak_extension = arm.straightness
            h.peak_extension = max(h.peak_extension, arm.straightness) if exc >= 0.9 * h.max_exc else h.peak_extension
            h.ext_trace.append((s.t_s, arm.straightness))
            h.low_y = min(h.low_y, float(w[1]))
            h.out_across = min(h.out_across, self._across(h, w))
            if h.last_w is not None:
                # Jitter below the noise floor is not travel (it adds up at 60 fps).
                h.path += max(0.0, float(np.linalg.norm(w - h.last_w)) - opt.path_noise_floor)
            h.peak_speed = max(h.peak_speed, speed)
            h.peak_speed_mps = max(h.peak_speed_mps, speed_mps)
            if speed >= opt.still_speed:
                h.still_from_s = None
            elif h.still_from_s is None:
                h.still_from_s = h.speed_from_s
            stopped = h.still_from_s is not None and s.t_s - h.still_from_s >= opt.stop_s - TIME_TOLERANCE_S
            travel = max(h.max_exc, opt.path_weight * h.path)
            # The fast phase is over when the hand slows to a fraction of its peak speed (a hook's
            # impact, a straight's lock-out) or comes back. A short wind-up (a hook's cock, an
            # uppercut's dip) does not end the excursion: only a hand that has travelled far
            # enough can pass its peak.
            # A fist still dropping faster than a punch leaves its guard has hit nothing: the arm
            # is swinging down (an uppercut's dip, a cable pulling the fist back), and its speed
            # fell only because its depth turned around (BlazePose's weakest axis).
            falling = self._up_speed(h) < -opt.onset_speed
            slowed = speed < opt.impact_speed_fraction * h.peak_speed and not falling
            assert h.anchor is not None and h.peak_wrist is not None and h.peak_shoulder is not None
            # A dip: the farthest point so far lies mainly below where the move started, with the
            # arm bent (an uppercut's load; at 24-30 fps its bottom may be a single frame).
            # A hanging arm (the fist dropped below the chest) is a dip however straight it is:
            # it cannot be a punch ("arm swinging low"), so measuring from it costs nothing.
            d = h.peak_wrist * depth_w - h.anchor
            dn = float(np.linalg.norm(d)) or 1e-9
            is_low = h.peak_wrist[1] - h.peak_shoulder[1] < opt.min_height_below_shoulder
            is_dip = d[1] < -0.6 * dn and (h.peak_extension < opt.straight_extension - 0.05 or is_low)
            if (slowed or exc < h.max_exc - opt.peak_drop) and is_dip and h.rewinds < 2:
                slowed = True
                travel = 0.0
            if slowed and travel < opt.min_travel and h.rewinds < 2:
                # A wind-up (an uppercut's dip, a hook's cock): measure the punch from here.
                h.rewinds += 1
                h.anchor = w.copy()
                h.start_own = w_own.copy()
                h.anchor_straightness = arm.straightness
                h.max_exc = 0.0
                h.peak_speed = speed
                exc = 0.0
                # The arm's shape during the wind-up (a straight arm hanging in a dip, flung out
                # wide to cock a hook) says nothing about the punch that follows.
                h.peak_extension = arm.straightness
                h.ext_trace = [(s.t_s, arm.straightness)]
            if slowed and h.impact_s is None and travel >= opt.min_travel:
                h.impact_s = s.t_s
            conditions["peak_passed"] = travel >= opt.min_travel and (
                exc < h.max_exc - opt.peak_drop or stopped or slowed
            )
            conditions["fizzled"] = travel < opt.min_travel and stopped
        elif h.state == "back":
            if exc < h.back_min_exc:
                h.back_min_exc, h.turn_w, h.turn_straightness, h.turn_s = exc, w.copy(), arm.straightness, s.t_s
                h.turn_own = w_own.copy()
            # Out again without coming home: the excursion that ended was a wind-up or a feint
            # (a hook's cock, a half jab before a hook), or the first of a double jab. A retraction
            # only brings the hand closer to its guard, so it never relaunches; nor does a hand
            # twice in a row (arms thrown about keep going out without ever coming home).
            assert h.turn_w is not None
            conditions["relaunch"] = (
                h.relaunches < 1
                and exc >= h.back_min_exc + opt.onset_excursion
                and float(np.linalg.norm(w - h.turn_w)) >= opt.onset_excursion
                and speed >= opt.onset_speed
            )
            # A punch held locked out is not a new guard: only a bent, still arm settles home.
            if calm < opt.still_speed and arm.straightness < opt.straight_extension - 0.05:
                h.still_since_s = s.t_s if h.still_since_s is None else h.still_since_s
            else:
                h.still_since_s = None
            still_long = h.still_since_s is not None and s.t_s - h.still_since_s >= 0.25
            # Home: most of the way back, or stopped partway back (the guard moved), or long ago.
            conditions["home"] = (
                (exc < 0.5 * h.max_exc and speed < opt.onset_speed)
                or (exc < 0.25 * h.max_exc and exc < 0.5 * opt.onset_excursion)  # back at the guard
                or (exc < opt.relaunch_fraction * h.max_exc and calm < opt.still_speed
                    and arm.straightness < opt.straight_extension - 0.05)
                or still_long
                or s.t_s - h.peak_s > 2.0
            )
        elif h.state == "guard":
            h.home_s += self._dt(s)
            # Settled: slowed down, or turned around (a fast return straight into the next
            # punch never slows much at 30 fps, but it does stop coming closer).
            h.min_exc_guard = min(h.min_exc_guard, exc)
            if speed < 0.75 * opt.onset_speed or exc > h.min_exc_guard + opt.turnaround:
                h.settled = True
            if not arm.is_valid and not self._guard_ok(w, arm.straightness):
                pass  # a hidden hand's guess where no guard can be (hanging, flung) teaches nothing
            elif bad_guard and len(h.history) >= 2 and calm < opt.still_speed and self._guard_ok(w, arm.straightness):
                # Taken at once, not followed: an excursion measured from a guard half way between
                # the hanging arm and the chin would read the hand's rise as an uppercut.
                h.guard, h.guard_own, h.guard_straightness = w.copy(), w_own.copy(), arm.straightness
            elif calm < opt.still_speed:
                a = 1.0 - float(np.exp(-self._dt(s) / opt.guard_tau_s))
                h.guard = h.guard + a * (w - h.guard)
                h.guard_own = h.guard_own + a * (w_own - h.guard_own)
                h.guard_straightness += a * (arm.straightness - h.guard_straightness)

        nxt: State = h.state
        fired = ""
        for cond, target in TRANSITIONS[h.state]:
            if conditions[cond]:
                nxt, fired = target, cond
                break
        h.last_w = w
        h.prev_exc = h.last_exc
        h.last_exc = exc
        h.last_speed = speed
        if nxt == h.state:
            return None, False
        event: PunchEvent | None = None
        started = False
        if nxt == "out":
            started = True
            relaunched = h.state == "back"
            h.relaunches = h.relaunches + 1 if relaunched else 0
            h.home_before_s = h.home_s
            h.onset_gap_s = self._dt(s)
            # A relaunched punch started moving at its turning point, a frame or more ago.
            h.onset_s = h.turn_s if relaunched else s.t_s
            h.onset_shoulder = arm.shoulder_m / L
            h.onset_other_shoulder = s.other_shoulder[hand] / L
            h.onset_wrist = arm.wrist_m / L
            h.onset_feet = None if s.feet_m is None else s.feet_m / L
            h.start_extension = min(arm.straightness, h.guard_straightness)
            h.max_exc = exc
            h.peak_s = s.t_s
            h.peak_wrist, h.peak_elbow, h.peak_shoulder = arm.wrist_m / L, arm.elbow_m / L, arm.shoulder_m / L
            h.peak_other_shoulder = s.other_shoulder[hand] / L
            h.peak_extension = arm.straightness
            h.peak_speed = speed
            h.peak_speed_mps = speed_mps
            h.still_from_s = None
            h.path = 0.0
            h.impact_s = None
            h.ext_trace = [(s.t_s, arm.straightness)]
            h.anchor = h.turn_w.copy() if relaunched and h.turn_w is not None else h.guard.copy()
            start_own = h.turn_own if relaunched and h.turn_own is not None else h.guard_own
            h.start_own = None if start_own is None else start_own.copy()
            h.peak_own = w_own.copy()
            h.anchor_straightness = h.turn_straightness if relaunched else h.guard_straightness
            h.rewinds = 0
            h.low_y = float(w[1])
            # The wind-up may have started before the hand counted as leaving: look back a little.
            h.out_across = min([self._across(h, h.guard), self._across(h, w)]
                               + [self._across(h, past[:3] / L) for _, past in h.history])
        elif h.state == "out" and nxt == "back" and fired == "peak_passed":
            event = self._conclude(hand, h, s)
            h.still_since_s = None
        if h.state == "out" and nxt == "back":
            h.back_min_exc, h.turn_w, h.turn_straightness, h.turn_s = exc, w.copy(), arm.straightness, s.t_s
            h.turn_own = w_own.copy()
        elif nxt == "guard" and fired == "home":
            if h.still_since_s is not None:
                h.guard = w.copy()  # the hand settled somewhere new: that is the guard now
                h.guard_own = w_own.copy()
            h.still_since_s = None
        if nxt == "guard":
            h.home_s = 0.0
            h.settled = False
            h.min_exc_guard = exc
        h.state = nxt
        return event, started

    def _rise_uppercut(self, hand: Hand, s: BodySample, out: Sequence[PunchEvent]) -> PunchEvent | None:
        """An uppercut read from the rise of the fist (``game.boxing.uppercut``), unless the
        state machine already reported that punch (a complete punch of this hand peaking after
        the fist's lowest point)."""
        opt = self.options
        arm, other = s.arm(hand), s.arm("right" if hand == "left" else "left")
        tracker = self._rises[hand]
        if not arm.is_valid or self._arm_m <= 0:
            tracker.lose()
            return None
        L = self._arm_m
        # A hidden arm guessed by BlazePose (much less visible than this one) says nothing of
        # what the other hand did.
        seen = other.is_valid and other.visibility >= arm.visibility - opt.guessed_arm_margin
        other_fist = float(other.wrist_m[1] - other.shoulder_m[1]) / L if seen else None
        inside = fist_inside(arm.wrist_m, arm.shoulder_m, s.other_shoulder[hand]) / L if s.is_3d else None
        r = tracker.update(hand, s.t_s, arm, s.nose_m, L, other_fist, inside, opt,
                           s.other_shoulder[hand] if s.is_3d else None)
        if r is None:
            return None
        why = judge_rise(r, opt)
        if why is None and any(e.hand != hand and e.complete and r.fall_t_s <= e.t_s <= r.top_t_s
                               for e in [*self.events[-4:], *out]):
            # One hand punches at a time: a fist that dipped while the other one was punching
            # was carried by the body's turn under that punch (or lost behind it), not loading.
            why = "flail"
        if why is not None:
            if r.ended:
                self.rejected.append((r.top_t_s, hand, f"rise: {why}"))
            return None
        tracker.take()
        if any(e.hand == hand and e.complete and e.t_s >= r.low_t_s for e in [*self.events[-4:], *out]):
            return None
        self._rise_spans[hand] = (r.low_t_s, r.top_t_s)
        return PunchEvent(
            t_s=r.top_t_s,
            hand=hand,
            lead=hand == ("left" if self._is_orthodox() else "right"),
            kind="uppercut",
            speed_mps=r.speed_mps,
            extension=r.extension,
            complete=True,
            onset_s=r.low_t_s,
            detected_s=s.t_s,
            kind_source="rules",
            confidence=1.0,
        )

    def _follow_through(self, hand: Hand, s: BodySample) -> PunchEvent | None:
        """The complete hook of a half hook whose sweep came after its measured peak
        (``_FollowThrough``), once it has swept; None meanwhile, and when it did not."""
        f = self._follows[hand]
        if f is None:
            return None
        opt = self.options
        arm = s.arm(hand)
        if (s.t_s > f.until_s + 1e-6 or self._hands[hand].state == "out" or not arm.is_valid
                or self._arm_m <= 0 or (arm.elbow_m[1] - arm.shoulder_m[1]) / self._arm_m < opt.hook_elbow_up):
            self._follows[hand] = None  # its time is up, it left again, or the elbow dropped: coming home
            return None
        sweep = float(np.dot(arm.wrist_m / self._arm_m, f.line)) - f.peak_across
        if sweep < opt.hook_sweep or sweep < opt.min_bent_peak_speed * (s.t_s - f.event.t_s):
            return None
        self._follows[hand] = None
        return dataclasses.replace(f.event, complete=True, t_s=s.t_s, detected_s=s.t_s)

    def _is_rise_reported(self, e: PunchEvent) -> bool:
        """The state machine's punch is the uppercut already reported from the fist's rise: the
        same hand, moving during that rise."""
        span = self._rise_spans[e.hand]
        return span is not None and e.onset_s <= span[1] and e.t_s >= span[0]

    @staticmethod
    def _across(h: _Hand, w: np.ndarray) -> float:
        """Position along the shoulder line (horizontal, at the onset), towards the other side."""
        if h.onset_shoulder is None or h.onset_other_shoulder is None:
            return 0.0
        line = h.onset_other_shoulder - h.onset_shoulder
        line = np.array([line[0], 0.0, line[2]])
        n = float(np.linalg.norm(line))
        return float(np.dot(w, line / n)) if n > 1e-9 else 0.0

    def _up_speed(self, h: _Hand) -> float:
        """The wrist's upward speed over its own shoulder (arm lengths / s, over ``SPEED_WINDOW_S``)."""
        if h.rel_velocity is None or self._arm_m <= 0:
            return 0.0
        return float(h.rel_velocity[1]) / self._arm_m

    def _dt(self, s: BodySample) -> float:
        if len(self._samples) < 2:
            return 1.0 / 30.0
        return max(1e-3, s.t_s - self._samples[-2].t_s)

    def _conclude(self, hand: Hand, h: _Hand, s: BodySample) -> PunchEvent | None:
        other = self._hands["right" if hand == "left" else "left"]
        # Boxing keeps the other hand home (or bringing it home) while one punches; two hands
        # leaving together, or the other hand loose far from its guard, is flailing.
        opt = self.options
        # A hidden arm is drawn by BlazePose as a guess that often mirrors the punching one (the
        # rear arm behind a cross seen side-on). The MediaPipe Tasks model marks such a guess 0.5-0.9
        # visible, above any fixed gate, but clearly less visible than the arm that punches (real
        # two-handed moves, clapping and waving: within 0.03 of each other): it cannot flail.
        guessed = (_median_since(other.visibility, h.onset_s)
                   < _median_since(h.visibility, h.onset_s) - opt.guessed_arm_margin)
        flail = not guessed and (
            (other.state in ("out", "back") and abs(other.onset_s - h.onset_s) <= opt.flail_window_s
             and min(other.max_exc, other.max_loose) >= opt.loose_hand)
            or (other.state == "guard" and other.loose > opt.loose_hand)
            # The other hand still on its way out and already far from its guard: both arms
            # reaching out together (clapping, raising both arms), however far apart their onsets
            # read. An onset is where the speed first passes ``onset_speed``, and landmark noise
            # moves that by a frame or more on a hand that starts slowly (1 cm of jitter made a clap
            # read as two onsets 0.2 s apart). In a combination the hand that punched before is on
            # its way back ("back") by the time the next punch peaks.
            or (other.state == "out" and other.loose > opt.loose_hand)
            or (other.state == "guard" and other.loose > opt.onset_excursion
                and other.loose_speed > opt.loose_speed)
        )
        assert h.guard is not None and h.peak_wrist is not None and h.peak_elbow is not None
        assert h.peak_shoulder is not None and h.onset_shoulder is not None and h.onset_other_shoulder is not None
        c = Candidate(
            hand=hand,
            onset_s=h.onset_s,
            t_peak_s=min(h.peak_s, h.impact_s) if h.impact_s is not None else h.peak_s,
            detected_s=s.t_s,
            guard=h.guard.copy(),
            start=(h.anchor if h.anchor is not None else h.guard).copy(),
            peak_wrist=h.peak_wrist,
            peak_elbow=h.peak_elbow,
            peak_shoulder=h.peak_shoulder,
            peak_other_shoulder=h.peak_other_shoulder if h.peak_other_shoulder is not None else h.onset_other_shoulder,
            onset_shoulder=h.onset_shoulder,
            onset_other_shoulder=h.onset_other_shoulder,
            nose=s.nose_m / self._arm_m,
            travel=max(h.max_exc, self.options.path_weight * h.path),
            peak_speed=h.peak_speed,
            peak_speed_mps=h.peak_speed_mps,
            extension=max(h.peak_extension, interpolated_peak(h.ext_trace)),
            start_extension=h.start_extension,
            arm_m=self._arm_m,
            flail=flail,
            home_s=h.home_before_s,
            onset_gap_s=h.onset_gap_s,
            rise=float(h.peak_wrist[1] - min(h.low_y, h.guard[1])),
            sweep=float(self._across(h, h.peak_wrist) - h.out_across),
            onset_wrist=h.onset_wrist,
            feet=h.onset_feet,
            is_3d=s.is_3d,
            swing_deg=image_swing_deg(h.start_own, h.peak_own, opt.min_swing_radius),
        )
        self.candidates.append(c)
        if not self._was_seen(h):
            # Not seen yet: the far arm comes into view about as its straight locks out. It is
            # out in front about as long after the peak as it took to get there (a straight comes
            # back about as fast as it went out): seen by then, it is reported (``_step_hand``).
            h.unseen = (c, c.t_peak_s + (c.t_peak_s - c.onset_s))
            return None
        return self._verdict(hand, c)

    def _verdict(self, hand: Hand, c: Candidate) -> PunchEvent | None:
        """The candidate judged (by the judge model, or the rules and the kind classifier) and
        named: its event, or None (refused, the reason kept in ``rejected``)."""
        if self.judge is not None:
            got_judge = self._judged(c)
            if got_judge is None:
                return None
            family, complete, source, confidence = got_judge
            return self._event(hand, c, family, complete, source, confidence)
        why = judge_candidate(c, self.options)
        if why is not None:
            self.rejected.append((c.t_peak_s, hand, why))
            return None
        family, complete = rule_kind(c, self.options)
        if family == "none":
            self.rejected.append((c.t_peak_s, hand, "arm did not extend"))
            return None
        source, confidence = "rules", 1.0
        if self.kind_classifier is not None:
            got = self.kind_classifier(c, tuple(self._samples))
            if got is not None:
                if got[0] == "none":
                    self.rejected.append((c.t_peak_s, hand, "model: not a punch"))
                    return None
                if got[0] != family:
                    complete = self._complete_for(family=got[0], c=c)
                family, confidence = got
                source = "model"
        why = judge_family(family, c, self.options)
        if why is not None:
            self.rejected.append((c.t_peak_s, hand, why))
            return None
        event = self._event(hand, c, family, complete, source, confidence)
        if family == "hook" and not complete:
            self._follows[hand] = _FollowThrough.of(event, c, self.options.half_hold_s)
        return event

    def _judged(self, c: Candidate) -> tuple[str, bool, str, float] | None:
        """(family, complete, source, confidence) as the judge model decides, or None (refused,
        the reason kept in ``rejected``). The model sees the rules' verdict among its inputs; a
        candidate it calls "none" that the rules took for a punch is reported as a half punch
        (shown to the player, never counted)."""
        assert self.judge is not None
        refused, rule_family, rule_complete = rules_verdict(c, self.options)
        family, confidence = self.judge(excursion_features(c, refused, rule_family, rule_complete))
        if family != "none":
            return family, True, "judge", confidence
        if refused:
            self.rejected.append((c.t_peak_s, c.hand, "judge: not a punch"))
            return None
        return rule_family, False, "judge", confidence

    def _event(self, hand: Hand, c: Candidate, family: str, complete: bool, source: str,
               confidence: float) -> PunchEvent:
        is_lead = self._is_lead(hand, c, family)
        kind: PunchKind
        if family == "straight":
            kind = "jab" if is_lead else "cross"
        else:
            kind = "hook" if family == "hook" else "uppercut"
        return PunchEvent(
            t_s=c.t_peak_s,
            hand=hand,
            lead=is_lead,
            kind=kind,
            speed_mps=c.peak_speed_mps,
            extension=c.extension,
            complete=complete,
            onset_s=c.onset_s,
            detected_s=c.detected_s,
            kind_source=source,
            confidence=confidence,
        )

    def _complete_for(self, family: str, c: Candidate) -> bool:
        if family == "straight":
            return straight_is_complete(c, self.options)
        if family == "uppercut":
            return bool(c.peak_wrist[1] >= c.peak_shoulder[1] + self.options.uppercut_top)
        return hook_is_complete(c, self.options)

    def _is_lead(self, hand: Hand, c: Candidate, family: str) -> bool:
        """Lead or rear hand, from the stance, never from which hand punched last: the lead foot
        is the one ahead along "forward", the mean direction of the straight punches seen so far
        (both hands: one hand's punches alone lean towards its own side). Each complete straight
        with both feet in view adds a vote, whichever hand threw it; with the feet level (square,
        or facing the camera where depth is weakest) the calibrated or orthodox stance stands."""
        opt = self.options
        if family == "straight" and c.onset_wrist is not None:
            d = (c.peak_wrist - c.onset_wrist) * np.array([1.0, 0.0, 1.0])
            n = float(np.linalg.norm(d))
            if n > 1e-6:
                self._forward = self._forward + d / n
            fn = float(np.linalg.norm(self._forward))
            if c.feet is not None and fn > 1e-6:
                ahead = float(np.dot(c.feet, self._forward / fn))  # > 0: the left foot leads
                if abs(ahead) >= opt.stance_feet_apart:
                    self._stance_evidence = float(np.clip(self._stance_evidence + np.sign(ahead), -5, 5))
        lead_hand = "left" if self._is_orthodox() else "right"
        return hand == lead_hand
