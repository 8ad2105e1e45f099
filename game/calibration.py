"""Setup checks and body measurement: pure functions of PoseFrames (no clock, no I/O).

:func:`assess` looks at one frame and lists what is wrong, most important first, each with a
sentence telling the player exactly what to do. :class:`Calibrator` accumulates frames while
everything is right and, after the player has held still long enough, measures body proportions
and stance (:class:`BodyProfile`): the one profile the games take their calibration from (the rep
engine its start position, ``game.reps.calibration.from_profile``; the boxing round the stance and
the arm length, ``game.boxing.rules.BodyCalibration.from_frames(..., profile=)``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from game.errors import CalibrationError
from game.pose.types import LM, FloatArray, PoseFrame

KEY_JOINTS: dict[str, tuple[int, ...]] = {
    "head": (LM.NOSE,),
    "shoulders": (LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER),
    "elbows": (LM.LEFT_ELBOW, LM.RIGHT_ELBOW),
    "wrists": (LM.LEFT_WRIST, LM.RIGHT_WRIST),
    "hips": (LM.LEFT_HIP, LM.RIGHT_HIP),
    "knees": (LM.LEFT_KNEE, LM.RIGHT_KNEE),
    "ankles": (LM.LEFT_ANKLE, LM.RIGHT_ANKLE),
}
# BlazePose's visibility is a probability; 0.5 is its own "visible" threshold.
VISIBLE = 0.5
# Mean image brightness (0-255 luma) below which BlazePose loses joints in our tests of the
# low-light enhancer; above ~235 the image is washed out (backlight, window behind the player).
DARK_LUMA = 60.0
BRIGHT_LUMA = 235.0
# The body (nose to ankles) should fill 55-90 % of the frame height: smaller and the wrists are a
# few pixels wide; larger and a squat or a raised arm leaves the frame.
MIN_HEIGHT_FRAC = 0.50
MAX_HEIGHT_FRAC = 0.90
EDGE_FRAC = 0.02  # joints closer than this to the image edge are about to leave it
CENTRE_TOL_FRAC = 0.22  # how far (fraction of width) the hips may sit off centre
HOLD_S = 1.5  # stand still this long with everything right to finish calibration


class Check(Enum):
    PERSON = "person"
    LIGHT = "light"
    IN_FRAME = "in_frame"
    DISTANCE = "distance"
    CENTRED = "centred"
    JOINTS = "joints"
    STILL = "still"


CHECK_LABELS = {
    Check.PERSON: "Player found",
    Check.LIGHT: "Lighting",
    Check.IN_FRAME: "Whole body in frame",
    Check.DISTANCE: "Distance",
    Check.CENTRED: "Centred",
    Check.JOINTS: "Joints visible",
    Check.STILL: "Holding still",
}


@dataclass(frozen=True, slots=True)
class Problem:
    check: Check
    message: str  # an instruction: what to do
    cue: str = ""  # key of a spoken phrase (game.audio.PHRASES)


@dataclass(frozen=True, slots=True)
class Assessment:
    problems: tuple[Problem, ...]
    passed: frozenset[Check]
    height_frac: float | None = None
    # Where the player should stand: a box in image pixels (x, y, w, h).
    guide_box: tuple[float, float, float, float] = (0, 0, 0, 0)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        return self.problems[0] if self.problems else None


def guide_box(image_size: tuple[int, int]) -> tuple[float, float, float, float]:
    w, h = image_size
    bw, bh = w * 0.42, h * 0.9
    return ((w - bw) / 2, h * 0.05, bw, bh)


def assess(frame: PoseFrame, *, mirror: bool = True, need_feet: bool = True) -> Assessment:
    """What is wrong with the set-up in this frame, most important first.

    ``mirror``: the player sees a mirrored image, so "move left" means image-right.
    """
    w, h = frame.image_size
    box = guide_box(frame.image_size)
    problems: list[Problem] = []
    passed: set[Check] = set()
    if frame.brightness is not None and frame.brightness < DARK_LUMA:
        problems.append(Problem(Check.LIGHT, "Too dark: turn on a light or face a window.",
                                "too_dark"))
    elif frame.brightness is not None and frame.brightness > BRIGHT_LUMA:
        problems.append(Problem(Check.LIGHT, "Too bright behind you: close the curtains or turn "
                                "so the window is in front of you.", ""))
    else:
        passed.add(Check.LIGHT)
    if frame.landmarks_px is None:
        problems.insert(0, Problem(Check.PERSON, "Nobody in view: step in front of the camera, "
                                   "2 to 3 metres away.", "show_body"))
        return Assessment(tuple(problems), frozenset(passed), None, box)
    passed.add(Check.PERSON)
    lm = frame.landmarks_px
    vis = lm[:, 3]

    hidden = [name for name, idx in KEY_JOINTS.items()
              if (name != "ankles" or need_feet) and min(vis[i] for i in idx) < VISIBLE]
    xs, ys = lm[:, 0], lm[:, 1]
    body = [i for i in (LM.NOSE, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER, LM.LEFT_WRIST,
                        LM.RIGHT_WRIST, LM.LEFT_HIP, LM.RIGHT_HIP, LM.LEFT_KNEE, LM.RIGHT_KNEE,
                        LM.LEFT_ANKLE, LM.RIGHT_ANKLE) if vis[i] >= VISIBLE]
    top = float(min(ys[LM.NOSE], ys[LM.LEFT_EYE], ys[LM.RIGHT_EYE]))
    feet_seen = min(vis[LM.LEFT_ANKLE], vis[LM.RIGHT_ANKLE]) >= VISIBLE
    bottom = float(max(ys[LM.LEFT_ANKLE], ys[LM.RIGHT_ANKLE])) if feet_seen else None
    # Head-to-ankle is ~87 % of standing height (Winter): scale a partial body to judge distance.
    if bottom is not None:
        height_frac = (bottom - top) / h
    else:
        hip_y = float((ys[LM.LEFT_HIP] + ys[LM.RIGHT_HIP]) / 2)
        height_frac = (hip_y - top) / h / 0.48

    out_edges: list[str] = []
    margin_x, margin_y = w * EDGE_FRAC, h * EDGE_FRAC
    for i in body:
        if ys[i] < margin_y:
            out_edges.append("top")
        if ys[i] > h - margin_y:
            out_edges.append("bottom")
        if xs[i] < margin_x:
            out_edges.append("left")
        if xs[i] > w - margin_x:
            out_edges.append("right")
    feet_cut = need_feet and not feet_seen and float(max(ys[LM.LEFT_KNEE], ys[LM.RIGHT_KNEE])) > h * 0.7

    if out_edges or feet_cut:
        if "bottom" in out_edges or feet_cut or "top" in out_edges:
            msg = ("Your feet are out of the picture: step back about a metre." if feet_cut or
                   "bottom" in out_edges else
                   "Your head is cut off: step back, or tilt the camera up.")
            problems.append(Problem(Check.IN_FRAME, msg, "step_back"))
        else:
            side = out_edges[0]
            go = _player_side(side, mirror, towards=False)
            problems.append(Problem(Check.IN_FRAME, f"You are off the {side} edge: move to your "
                                    f"{go}.", f"move_{go}"))
    else:
        passed.add(Check.IN_FRAME)

    if height_frac > MAX_HEIGHT_FRAC:
        metres = 0.5 + (height_frac - MAX_HEIGHT_FRAC) * 3
        problems.append(Problem(Check.DISTANCE, f"Too close: step back about {metres:.1f} m.",
                                "step_back"))
    elif height_frac < MIN_HEIGHT_FRAC:
        metres = 0.5 + (MIN_HEIGHT_FRAC - height_frac) * 4
        problems.append(Problem(Check.DISTANCE, f"Too far away: come about {metres:.1f} m "
                                "closer.", "come_closer"))
    else:
        passed.add(Check.DISTANCE)

    hip_x = float((xs[LM.LEFT_HIP] + xs[LM.RIGHT_HIP]) / 2)
    off = hip_x / w - 0.5
    if abs(off) > CENTRE_TOL_FRAC:
        go = _player_side("right" if off > 0 else "left", mirror, towards=False)
        problems.append(Problem(Check.CENTRED, f"Move to your {go}, into the box.", f"move_{go}"))
    else:
        passed.add(Check.CENTRED)

    if hidden:
        problems.append(Problem(Check.JOINTS, f"I can't see your {_join(hidden)}: keep them "
                                "clear of furniture and in the light.", "show_body"))
    else:
        passed.add(Check.JOINTS)
    order = [Check.PERSON, Check.LIGHT, Check.IN_FRAME, Check.DISTANCE, Check.CENTRED, Check.JOINTS]
    problems.sort(key=lambda p: order.index(p.check))
    return Assessment(tuple(problems), frozenset(passed), height_frac, box)


def _player_side(image_edge: str, mirror: bool, *, towards: bool) -> str:
    """Which way (the player's left/right) moves them away from an image edge.

    Facing the camera, the player's left is image-right. In a mirrored view the player sees the
    image flipped, but their own left is the same: instructions are always about their body.
    """
    away = "left" if image_edge == "right" else "right"  # direction in image coordinates
    # image-left is the player's right when they face the camera
    player = "right" if away == "left" else "left"
    return player if not towards else ("left" if player == "right" else "right")


def _join(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


# -- measuring ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BodyProfile:
    """Measured at calibration, in image pixels (and metres when the backend gives world points)."""

    height_px: float
    shoulder_width_px: float
    hip_width_px: float
    arm_length_px: float  # shoulder -> wrist, mean of both arms
    leg_length_px: float  # hip -> ankle
    torso_px: float
    stance_width_ratio: float  # ankle spacing / shoulder width
    standing_knee_deg: float
    arm_length_m: float | None = None
    leg_length_m: float | None = None
    shoulder_width_m: float | None = None
    stance: str = "neutral"  # "orthodox" (left foot forward), "southpaw", or "neutral"
    # The frames the player held still in: the rep engine finds its start position in them
    # (game.reps.calibration.from_profile); never saved with the profile.
    frames: tuple[PoseFrame, ...] = field(default=(), repr=False, compare=False)

    def to_json(self) -> dict[str, float | str | None]:
        return {k: (round(v, 3) if isinstance(v, float) else v)
                for k, v in ((f, getattr(self, f)) for f in self.__slots__ if f != "frames")}

    @property
    def is_orthodox(self) -> bool:
        """Left foot forward, or no lead foot seen (the game's default)."""
        return self.stance != "southpaw"


def _dist(a: FloatArray, b: FloatArray) -> float:
    return float(np.linalg.norm(a - b))


def _angle(a: FloatArray, b: FloatArray, c: FloatArray) -> float:
    v1, v2 = a - b, c - b
    cos = float(np.dot(v1, v2) / (np.linalg.norm(v1) * np.linalg.norm(v2) + 1e-9))
    return float(np.degrees(np.arccos(np.clip(cos, -1, 1))))


def measure(frames: list[PoseFrame]) -> BodyProfile:
    """Median body measurements over frames that all have a person.

    Raises :class:`~game.errors.CalibrationError` when none has."""
    rows = [f for f in frames if f.landmarks_px is not None]
    points = [f.landmarks_px[:, :2] for f in rows if f.landmarks_px is not None]
    if not points:
        raise CalibrationError("Nobody was seen while measuring: stand 2 to 3 metres from the "
                               "camera, whole body in view, and hold still.")

    def med(fn: Callable[[FloatArray], float]) -> float:
        return float(np.median([fn(p) for p in points]))

    L = LM
    arm = med(lambda p: (_dist(p[L.LEFT_SHOULDER], p[L.LEFT_ELBOW]) + _dist(p[L.LEFT_ELBOW],
              p[L.LEFT_WRIST]) + _dist(p[L.RIGHT_SHOULDER], p[L.RIGHT_ELBOW]) +
              _dist(p[L.RIGHT_ELBOW], p[L.RIGHT_WRIST])) / 2)
    leg = med(lambda p: (_dist(p[L.LEFT_HIP], p[L.LEFT_KNEE]) + _dist(p[L.LEFT_KNEE],
              p[L.LEFT_ANKLE]) + _dist(p[L.RIGHT_HIP], p[L.RIGHT_KNEE]) +
              _dist(p[L.RIGHT_KNEE], p[L.RIGHT_ANKLE])) / 2)
    shoulder = med(lambda p: _dist(p[L.LEFT_SHOULDER], p[L.RIGHT_SHOULDER]))
    hip = med(lambda p: _dist(p[L.LEFT_HIP], p[L.RIGHT_HIP]))
    torso = med(lambda p: _dist((p[L.LEFT_SHOULDER] + p[L.RIGHT_SHOULDER]) / 2,
                                (p[L.LEFT_HIP] + p[L.RIGHT_HIP]) / 2))
    height = med(lambda p: max(p[L.LEFT_ANKLE, 1], p[L.RIGHT_ANKLE, 1]) - p[L.NOSE, 1]) / 0.87
    stance_w = med(lambda p: abs(p[L.LEFT_ANKLE, 0] - p[L.RIGHT_ANKLE, 0]))
    knee = med(lambda p: (_angle(p[L.LEFT_HIP], p[L.LEFT_KNEE], p[L.LEFT_ANKLE]) +
                          _angle(p[L.RIGHT_HIP], p[L.RIGHT_KNEE], p[L.RIGHT_ANKLE])) / 2)
    arm_m = leg_m = shoulder_m = None
    worlds = [f.world_m for f in rows if f.world_m is not None]
    if worlds:
        arm_m = float(np.median([(_dist(w[L.LEFT_SHOULDER], w[L.LEFT_ELBOW]) +
                                  _dist(w[L.LEFT_ELBOW], w[L.LEFT_WRIST])) for w in worlds]))
        leg_m = float(np.median([(_dist(w[L.LEFT_HIP], w[L.LEFT_KNEE]) +
                                  _dist(w[L.LEFT_KNEE], w[L.LEFT_ANKLE])) for w in worlds]))
        shoulder_m = float(np.median([_dist(w[L.LEFT_SHOULDER], w[L.RIGHT_SHOULDER])
                                      for w in worlds]))
    stance = "neutral"
    if worlds:
        # Depth of the feet (z, towards the camera is negative): the nearer foot leads.
        dz = float(np.median([w[L.LEFT_ANKLE, 2] - w[L.RIGHT_ANKLE, 2] for w in worlds]))
        if dz < -0.08:
            stance = "orthodox"
        elif dz > 0.08:
            stance = "southpaw"
    return BodyProfile(height_px=height, shoulder_width_px=shoulder, hip_width_px=hip,
                       arm_length_px=arm, leg_length_px=leg, torso_px=torso,
                       stance_width_ratio=stance_w / max(shoulder, 1e-6),
                       standing_knee_deg=knee, arm_length_m=arm_m, leg_length_m=leg_m,
                       shoulder_width_m=shoulder_m, stance=stance, frames=tuple(rows))


def _motion(a: PoseFrame, b: PoseFrame) -> float:
    """Mean displacement of the torso and limbs between two frames, as a fraction of height."""
    if a.landmarks_px is None or b.landmarks_px is None:
        return 1.0
    idx = [LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER, LM.LEFT_HIP, LM.RIGHT_HIP, LM.LEFT_KNEE,
           LM.RIGHT_KNEE, LM.LEFT_WRIST, LM.RIGHT_WRIST]
    d = np.linalg.norm(a.landmarks_px[idx, :2] - b.landmarks_px[idx, :2], axis=1)
    return float(np.mean(d)) / max(a.image_size[1], 1)


@dataclass
class Calibrator:
    """Feed frames; once every check has passed for :data:`HOLD_S` of steady frames, ``profile``
    is set. Any problem restarts the hold (the progress is shown as a filling ring).
    """

    mirror: bool = True
    need_feet: bool = True
    hold_s: float = HOLD_S
    # Moving more than 0.6 % of the frame height per frame on average is not "still".
    still_frac: float = 0.006
    last: Assessment | None = None
    profile: BodyProfile | None = None
    _held: list[PoseFrame] = field(default_factory=list)
    _is_still: bool = False

    def update(self, frame: PoseFrame) -> Assessment:
        a = assess(frame, mirror=self.mirror, need_feet=self.need_feet)
        if a.ok and self._held:
            self._is_still = _motion(self._held[-1], frame) < self.still_frac
            if not self._is_still:
                self._held = []
        if not a.ok:
            self._held = []
        else:
            self._held.append(frame)
            if self.profile is None and self.held_s >= self.hold_s:
                self.profile = measure(self._held)
        passed = set(a.passed)
        if a.ok and len(self._held) > 1:
            passed.add(Check.STILL)
        self.last = Assessment(a.problems, frozenset(passed), a.height_frac, a.guide_box)
        return self.last

    @property
    def held_s(self) -> float:
        if len(self._held) < 2:
            return 0.0
        return (self._held[-1].timestamp_ms - self._held[0].timestamp_ms) / 1000.0

    @property
    def progress(self) -> float:
        return 1.0 if self.profile else min(1.0, self.held_s / self.hold_s)

    @property
    def done(self) -> bool:
        return self.profile is not None
