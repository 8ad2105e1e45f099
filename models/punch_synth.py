"""Synthetic boxing skeletons: a kinematic body that throws punches (and does things that are not
punches) in front of a virtual camera, rendered to the same :class:`PoseFrame` stream the pose
pipeline produces.

Used three ways: by the tests (a generated jab from a 45-degree camera must be found once, with
the right hand), by ``models/train_punch_model.py`` (the training set of the punch-kind model), and
by the benchmarks. Everything is driven by an explicit ``numpy.random.Generator``: the same seed
gives the same clip, bit for bit.

The model
---------
The body, its IK, the camera and the tracker errors are the shared synthetic body of
``game.pose.synthetic``; the stances, punches and non-punches are here, and so are the boxer's
head (it faces the opponent whatever the torso does), hands and legs (knees half-way to the
staggered feet): the punch-kind model was trained on exactly these, and dressing them the shared
way changes which candidates the detector finds (93 -> 81 on the model test's seed).

- A body with proportions from anthropometric tables (segment lengths as fractions of height,
  Drillis & Contini 1966), varied per clip: height 1.50-1.95 m, +-8 % per segment.
- A boxing stance (orthodox: left foot and shoulder forward, torso turned ~30 deg) or square.
- Each arm is a two-link chain solved by analytic inverse kinematics from a wrist target and an
  elbow "pole" direction; targets are key-framed in the arm's own frame (out, up, forward), in units
  of the arm's length, and interpolated with minimum-jerk profiles (Flash & Hogan 1985), which is
  how ballistic human reaches are shaped.
- A pinhole camera anywhere from straight in front (yaw 0) to the player's profile (yaw +-90), at a
  varied height, distance and focal length.
- MediaPipe-like output: landmarks_px with visibility (low for the far side of the body, as
  BlazePose reports it), world_m hip-centred in camera-aligned axes with BlazePose's habits
  (overall scale 0.75-1.0 of true size, compressed and noisier depth), temporally correlated jitter,
  occasional dropped frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike

from game.pose.smoothing import OneEuroFilter, OneEuroParams
from game.pose.synthetic import Camera, Proportions, TrackerErrors, TrackerNoise, far_side_mask, project, two_link
from game.pose.types import LM, NUM_LANDMARKS, PoseFrame

PUNCH_KINDS = ("jab", "cross", "hook", "uppercut")
NON_PUNCH_MOTIONS = ("idle", "wave", "guard_adjust", "hand_to_face", "walk", "reach_slow")


@dataclass(frozen=True, slots=True)
class Body:
    """The shared synthetic body (``size``: segment lengths in metres) and the boxer's stance."""

    size: Proportions
    southpaw: bool = False
    stance_yaw_deg: float = 30.0
    wide: bool = False  # training variety: bladed stances, varied guards and heads

    @staticmethod
    def sample(rng: np.random.Generator, southpaw: bool | None = None, *, wide: bool = False) -> Body:
        """A random body. ``wide`` widens the styles for training data: stances from square to
        side-on (10-75 degrees), guards from tight to long, a range of head carriage."""
        size = Proportions.sample(rng, neck_frac=(0.085, 0.12) if wide else None)
        return Body(
            size=size,
            southpaw=bool(rng.random() < 0.3) if southpaw is None else southpaw,
            stance_yaw_deg=float(rng.uniform(10.0, 75.0 if wide else 40.0)),
            wide=wide,
        )

    @property
    def height_m(self) -> float:
        return self.size.height_m


# The boxing camera: 2.3-3.6 m away at chest height (it looks at the chest, 1.2 m on a 1.75 m
# player, unless ``look_at_m`` says otherwise), a webcam's field of view.
CAMERA = Camera(distance_m=2.8, height_m=1.2, focal_px=600.0, image_size=(640, 480))


def camera(yaw_deg: float = 0.0, **kw: float) -> Camera:
    """The boxing camera at ``yaw_deg`` (0: the player faces it; +90: it sees their left side)."""
    return replace(CAMERA, yaw_deg=yaw_deg, **kw)  # type: ignore[arg-type]


def sample_camera(rng: np.random.Generator, yaw_deg: float | None = None) -> Camera:
    size = (640, 480) if rng.random() < 0.6 else (1280, 720)
    scale = size[0] / 640.0
    return Camera(
        yaw_deg=float(rng.uniform(-90, 90)) if yaw_deg is None else yaw_deg,
        distance_m=float(rng.uniform(2.3, 3.6)),
        height_m=float(rng.uniform(0.9, 1.5)),
        focal_px=float(rng.uniform(430, 620)) * scale,
        image_size=size,
    )


@dataclass(frozen=True, slots=True)
class Noise:
    """How BlazePose-like the output is."""

    px_sigma_frac: float = 0.004  # jitter as a fraction of the person's height in pixels
    world_sigma_m: float = 0.008
    depth_sigma_m: float = 0.02
    depth_gain: float = 0.8  # BlazePose under-estimates depth
    world_scale: float = 0.85  # and reports a smallish body
    drop_prob: float = 0.02
    fps: float = 30.0
    smooth: bool = False  # pass the output through the pose pipeline's One Euro smoothing

    @staticmethod
    def sample(rng: np.random.Generator, *, smooth: bool | None = None) -> Noise:
        return Noise(
            smooth=bool(rng.random() < 0.5) if smooth is None else smooth,
            px_sigma_frac=float(rng.uniform(0.001, 0.004)),
            world_sigma_m=float(rng.uniform(0.002, 0.006)),
            depth_sigma_m=float(rng.uniform(0.004, 0.015)),
            depth_gain=float(rng.uniform(0.55, 1.0)),
            world_scale=float(rng.uniform(0.75, 1.0)),
            drop_prob=float(rng.uniform(0.0, 0.04)),
            fps=float(rng.choice([24.0, 30.0, 30.0, 30.0, 60.0])),
        )

    def errors(self) -> TrackerErrors:
        """The tracker-error part, for :class:`game.pose.synthetic.TrackerNoise`: jitter that
        wanders over a few frames (correlation 0.85), three times as much on guessed limbs."""
        return TrackerErrors(px_sigma=self.px_sigma_frac, px_sigma_is_frac=True,
                             world_sigma_m=self.world_sigma_m, depth_sigma_m=self.depth_sigma_m,
                             depth_gain=self.depth_gain, world_scale=self.world_scale,
                             correlation=0.85, far_gain=3.0)

    @staticmethod
    def clean() -> Noise:
        return Noise(0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 30.0, False)


@dataclass(frozen=True, slots=True)
class Truth:
    """A punch the generator threw: ``t_s`` is the moment of peak extension."""

    t_s: float
    hand: str  # "left" | "right"
    kind: str  # jab | cross | hook | uppercut
    lead: bool
    complete: bool


@dataclass(frozen=True, slots=True)
class Clip:
    frames: tuple[PoseFrame, ...]
    truth: tuple[Truth, ...]
    body: Body
    camera: Camera
    motion: str


# --------------------------------------------------------------------------------------------
# Key-framed arm programmes. A key is (t_s, target (out, up, fwd) in arm lengths relative to the
# shoulder, pole (out, up, fwd) direction for the elbow).

Vec = tuple[float, float, float]


@dataclass(slots=True)
class _Track:
    keys: list[tuple[float, np.ndarray, np.ndarray]] = field(default_factory=list)

    def add(self, t: float, target: ArrayLike, pole: ArrayLike) -> None:
        self.keys.append((t, np.asarray(target, float), np.asarray(pole, float)))

    def at(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        keys = self.keys
        if t <= keys[0][0]:
            return keys[0][1], keys[0][2]
        for (t0, p0, q0), (t1, p1, q1) in zip(keys, keys[1:]):
            if t < t1:
                u = (t - t0) / max(t1 - t0, 1e-6)
                s = u * u * u * (10 - 15 * u + 6 * u * u)  # minimum jerk
                return p0 + (p1 - p0) * s, q0 + (q1 - q0) * s
        return keys[-1][1], keys[-1][2]


@dataclass(slots=True)
class _Scalar:
    keys: list[tuple[float, float]] = field(default_factory=list)

    def add(self, t: float, v: float) -> None:
        self.keys.append((t, v))

    def at(self, t: float) -> float:
        keys = self.keys
        if not keys:
            return 0.0
        if t <= keys[0][0]:
            return keys[0][1]
        for (t0, v0), (t1, v1) in zip(keys, keys[1:]):
            if t < t1:
                u = (t - t0) / max(t1 - t0, 1e-6)
                s = u * u * u * (10 - 15 * u + 6 * u * u)
                return v0 + (v1 - v0) * s
        return keys[-1][1]


GUARD_POLE: Vec = (0.35, -1.0, -0.1)


def _guard(rng: np.random.Generator, body: Body | None = None) -> np.ndarray:
    if body is not None and body.wide:
        return np.array([rng.uniform(-0.3, 0.0), rng.uniform(-0.2, 0.22), rng.uniform(0.3, 0.72)])
    return np.array(
        [rng.uniform(-0.22, -0.08), rng.uniform(-0.12, 0.2), rng.uniform(0.35, 0.58)]
    )


@dataclass(slots=True)
class _Programme:
    left: _Track
    right: _Track
    torso_yaw: _Scalar  # degrees, added to the stance
    crouch: _Scalar  # metres of hip drop
    walk_speed: tuple[float, float] = (0.0, 0.0)  # m/s along (X, Z) in the facing frame
    sway: _Scalar | None = None  # sideways shift of the upper body (m, +X = the player's left)
    step_hz: float = 0.0
    duration_s: float = 2.0


def _punch_keys(
    kind: str,
    rng: np.random.Generator,
    t0: float,
    speed: float,
    complete: bool,
    guard: np.ndarray,
    slow: bool,
) -> tuple[list[tuple[float, Vec, Vec]], float, float]:
    """Keys for one punch starting at ``t0``; returns (keys, t_peak, t_end)."""
    keys: list[tuple[float, Vec, Vec]] = []
    g = tuple(guard)
    gp = GUARD_POLE
    if kind in ("jab", "cross"):
        d = np.array([rng.uniform(-0.28, -0.08), rng.uniform(0.02, 0.22), 1.0])
        full = d / np.linalg.norm(d) * rng.uniform(0.95, 1.0)
        if complete:
            peak = tuple(full)
        else:
            # Stopped part way: 40-65 % of the way from the guard to full extension.
            peak = tuple(np.asarray(guard) + (full - np.asarray(guard)) * rng.uniform(0.4, 0.65))
        out_s = (0.16 if kind == "jab" else 0.2) / speed
        if slow:
            out_s = rng.uniform(0.35, 0.55)
        if not complete:
            out_s *= 0.7
        t_peak = t0 + out_s
        keys += [(t0, g, gp), (t_peak, peak, (0.25, -1.0, 0.0))]
    elif kind == "hook":
        wind = tuple(np.asarray(guard) + np.array([rng.uniform(0.1, 0.2), rng.uniform(-0.02, 0.06), rng.uniform(-0.05, 0.08)]))
        sweep = rng.uniform(0.3, 0.45) if complete else rng.uniform(-0.1, 0.0)
        peak = (-sweep, rng.uniform(0.12, 0.3), rng.uniform(0.45, 0.6))
        pole = (1.0, rng.uniform(-0.05, 0.25), -0.3)
        t_w = t0 + 0.07 / speed
        t_peak = t_w + 0.17 / speed
        keys += [(t0, g, gp), (t_w, wind, pole), (t_peak, peak, pole)]
    elif kind == "uppercut":
        dip = tuple(np.asarray(guard) + np.array([rng.uniform(-0.03, 0.05), rng.uniform(-0.32, -0.16), rng.uniform(-0.15, -0.04)]))
        top = rng.uniform(0.18, 0.32) if complete else rng.uniform(-0.08, 0.02)
        peak = (rng.uniform(-0.22, -0.08), top, rng.uniform(0.3, 0.45))
        pole = (0.15, -1.0, 0.35)
        t_d = t0 + 0.12 / speed
        t_peak = t_d + 0.17 / speed
        keys += [(t0, g, gp), (t_d, dip, pole), (t_peak, peak, pole)]
    else:
        raise ValueError(f"unknown punch kind {kind!r}")
    hold = rng.uniform(0.2, 0.4) if slow else rng.uniform(0.0, 0.06)
    back = (0.24 / speed) if not slow else rng.uniform(0.3, 0.5)
    keys.append((t_peak + hold, keys[-1][1], keys[-1][2]))
    t_end = t_peak + hold + back
    keys.append((t_end, g, gp))
    return keys, t_peak, t_end


def _lead_is_left(body: Body) -> bool:
    return not body.southpaw


def punch_programme(
    kind: str,
    rng: np.random.Generator,
    body: Body,
    *,
    hand: str | None = None,
    complete: bool = True,
    slow: bool = False,
    lead_in_s: float | None = None,
) -> tuple[_Programme, list[Truth]]:
    """One punch from guard. ``hand`` defaults to the hand a boxer would use: the lead hand for a
    jab, the rear for a cross, either for hooks and uppercuts."""
    lead_left = _lead_is_left(body)
    if hand is None:
        if kind == "jab":
            hand = "left" if lead_left else "right"
        elif kind == "cross":
            hand = "right" if lead_left else "left"
        else:
            hand = "left" if rng.random() < 0.5 else "right"
    is_lead = (hand == "left") == lead_left
    # Hooks and uppercuts are never thrown slowly; straights range from a lazy jab to a snap.
    speed = float(rng.uniform(0.9, 1.5) if kind in ("hook", "uppercut") else rng.uniform(0.75, 1.5))
    t0 = float(rng.uniform(0.5, 0.9)) if lead_in_s is None else lead_in_s
    gl, gr = _guard(rng, body), _guard(rng, body)
    left, right = _Track(), _Track()
    left.add(0.0, gl, GUARD_POLE)
    right.add(0.0, gr, GUARD_POLE)
    keys, t_peak, t_end = _punch_keys(kind, rng, t0, speed, complete, gl if hand == "left" else gr, slow)
    track = left if hand == "left" else right
    for t, p, q in keys:
        track.add(t, p, q)
    # The other hand stays home, with a little guard drift.
    other = right if hand == "left" else left
    go = gr if hand == "left" else gl
    other.add(t_end, go + rng.normal(0, 0.015, 3), GUARD_POLE)
    yaw = _Scalar()
    yaw.add(0.0, 0.0)
    # Body rotation drives rear-hand punches and hooks (sign: towards the punching side's opposite).
    turn = {"jab": 5.0, "cross": 30.0, "hook": 25.0, "uppercut": 12.0}[kind] * float(rng.uniform(0.6, 1.2))
    sign = 1.0 if hand == "right" else -1.0
    yaw.add(t0, 0.0)
    yaw.add(t_peak, sign * turn)
    yaw.add(t_end, 0.0)
    crouch = _Scalar()
    crouch.add(0.0, 0.0)
    if kind == "uppercut":
        crouch.add(t0, 0.0)
        crouch.add(t0 + 0.08 / speed, 0.04)
        crouch.add(t_peak, 0.0)
    duration = t_end + float(rng.uniform(0.4, 0.8))
    truth = [Truth(t_peak, hand, kind if kind in ("hook", "uppercut") else ("jab" if is_lead else "cross"), is_lead, complete)]
    return _Programme(left, right, yaw, crouch, duration_s=duration), truth


def combo_programme(
    kinds: Sequence[tuple[str, str]], rng: np.random.Generator, body: Body, *, gap_s: float = 0.12
) -> tuple[_Programme, list[Truth]]:
    """Several punches in a row: ``kinds`` is a list of (kind, hand)."""
    lead_left = _lead_is_left(body)
    gl, gr = _guard(rng, body), _guard(rng, body)
    left, right = _Track(), _Track()
    left.add(0.0, gl, GUARD_POLE)
    right.add(0.0, gr, GUARD_POLE)
    yaw = _Scalar()
    yaw.add(0.0, 0.0)
    crouch = _Scalar()
    crouch.add(0.0, 0.0)
    t = float(rng.uniform(0.5, 0.8))
    truths: list[Truth] = []
    busy_until = {"left": 0.0, "right": 0.0}
    for kind, hand in kinds:
        speed = float(rng.uniform(0.9, 1.4))
        t0 = max(t, busy_until[hand] + 0.05)
        keys, t_peak, t_end = _punch_keys(kind, rng, t0, speed, True, gl if hand == "left" else gr, False)
        track = left if hand == "left" else right
        if track.keys[-1][0] < t0:
            track.add(t0, track.keys[-1][1], track.keys[-1][2])
        for k in keys[1:]:
            track.add(*k)
        busy_until[hand] = t_end
        sign = 1.0 if hand == "right" else -1.0
        turn = {"jab": 5.0, "cross": 28.0, "hook": 22.0, "uppercut": 10.0}[kind]
        yaw.add(t0, yaw.at(t0))
        yaw.add(t_peak, sign * turn)
        is_lead = (hand == "left") == lead_left
        truths.append(
            Truth(t_peak, hand, kind if kind in ("hook", "uppercut") else ("jab" if is_lead else "cross"), is_lead, True)
        )
        t = t_peak + gap_s
    end = max(busy_until.values())
    yaw.add(end, 0.0)
    return _Programme(left, right, yaw, crouch, duration_s=end + 0.6), truths


def motion_programme(name: str, rng: np.random.Generator, body: Body) -> _Programme:
    """A non-punch movement: idle, wave, guard_adjust, hand_to_face, walk, reach_slow, flail."""
    gl, gr = _guard(rng, body), _guard(rng, body)
    left, right = _Track(), _Track()
    yaw, crouch = _Scalar(), _Scalar()
    yaw.add(0.0, 0.0)
    crouch.add(0.0, 0.0)
    side = (-0.0, -0.97, 0.05)
    side_pole = (0.2, -1.0, -0.5)
    dur = float(rng.uniform(3.0, 4.5))
    walk = (0.0, 0.0)
    step_hz = 0.0
    if name == "idle":
        left.add(0.0, gl, GUARD_POLE)
        right.add(0.0, gr, GUARD_POLE)
        for track, g in ((left, gl), (right, gr)):
            t = 0.3
            while t < dur:
                track.add(t, g + rng.normal(0, 0.02, 3), GUARD_POLE)
                t += float(rng.uniform(0.3, 0.7))
    elif name == "wave":
        hand_track, other, go = (left, right, gr) if rng.random() < 0.5 else (right, left, gl)
        other.add(0.0, go, GUARD_POLE)
        start = side if rng.random() < 0.5 else tuple(gl)
        hand_track.add(0.0, start, side_pole)
        t = float(rng.uniform(0.3, 0.6))
        hand_track.add(t, start, side_pole)
        up = (0.35, 0.95, 0.1)
        pole: ArrayLike = (1.0, 0.0, -0.2)
        t += float(rng.uniform(0.35, 0.6))  # raising the hand is brisk but not ballistic
        hand_track.add(t, up, pole)
        for i in range(int(rng.integers(3, 6))):
            t += float(rng.uniform(0.18, 0.3))
            hand_track.add(t, (0.1 if i % 2 == 0 else 0.55, 0.9, 0.12), pole)
        t += float(rng.uniform(0.4, 0.6))
        hand_track.add(t, start, side_pole)
        dur = t + 0.5
    elif name == "guard_adjust":
        left.add(0.0, gl, GUARD_POLE)
        right.add(0.0, gr, GUARD_POLE)
        t = 0.4
        while t < dur - 0.5:
            track, g = (left, gl) if rng.random() < 0.5 else (right, gr)
            move = rng.choice(["shift", "drop", "tuck"])
            if move == "shift":
                tgt = g + rng.uniform(-0.12, 0.12, 3)
            elif move == "drop":
                tgt = g + np.array([0.05, -0.3, -0.05])
            else:
                tgt = g + np.array([-0.05, 0.08, -0.12])
            t1 = t + float(rng.uniform(0.2, 0.45))
            track.add(t, track.at(t)[0], GUARD_POLE)
            track.add(t1, tgt, GUARD_POLE)
            t2 = t1 + float(rng.uniform(0.2, 0.6))
            track.add(t2, tgt, GUARD_POLE)
            track.add(t2 + float(rng.uniform(0.25, 0.5)), g, GUARD_POLE)
            t = t2 + 0.6
    elif name == "hand_to_face":
        hand_track, other, go, g = (left, right, gr, gl) if rng.random() < 0.5 else (right, left, gl, gr)
        other.add(0.0, go, GUARD_POLE)
        start = side if rng.random() < 0.5 else tuple(g)
        pole = side_pole if start == side else GUARD_POLE
        hand_track.add(0.0, start, pole)
        t = float(rng.uniform(0.4, 0.8))
        hand_track.add(t, start, pole)
        face = (-0.42, 0.38, 0.14)
        t += float(rng.uniform(0.5, 0.9))  # a hand brought to the face, not thrown at it
        hand_track.add(t, face, (0.3, -1.0, 0.4))
        t += float(rng.uniform(0.3, 0.8))
        hand_track.add(t, (-0.35, 0.35, 0.16), (0.3, -1.0, 0.4))
        t += float(rng.uniform(0.35, 0.6))
        hand_track.add(t, start, pole)
        dur = t + 0.5
    elif name == "walk":
        step_hz = float(rng.uniform(1.6, 2.0))
        speed = float(rng.uniform(0.6, 1.3))
        ang = float(rng.uniform(0, 2 * np.pi))
        walk = (speed * np.cos(ang), speed * np.sin(ang) * 0.5)
        amp = float(rng.uniform(0.15, 0.35))
        t = 0.0
        step = 1.0 / (2 * step_hz)
        i = 0
        while t < dur + step:
            ph = 1.0 if i % 2 == 0 else -1.0
            left.add(t, (0.02, -0.95, ph * amp), side_pole)
            right.add(t, (0.02, -0.95, -ph * amp), side_pole)
            t += step
            i += 1
    elif name == "reach_slow":
        hand_track, other, go, g = (left, right, gr, gl) if rng.random() < 0.5 else (right, left, gl, gr)
        other.add(0.0, go, GUARD_POLE)
        hand_track.add(0.0, g, GUARD_POLE)
        t = float(rng.uniform(0.4, 0.8))
        hand_track.add(t, g, GUARD_POLE)
        t += float(rng.uniform(1.2, 1.8))  # a slow reach for something, not a punch
        tgt = np.array((rng.uniform(0.1, 0.5), rng.uniform(-0.4, 0.1), rng.uniform(0.5, 0.8)))
        hand_track.add(t, tgt, (0.4, -1.0, 0.0))
        t += float(rng.uniform(0.3, 0.6))
        hand_track.add(t, tgt, (0.4, -1.0, 0.0))
        t += float(rng.uniform(1.0, 1.5))
        hand_track.add(t, g, GUARD_POLE)
        dur = t + 0.4
    elif name == "flail":
        # Arms thrown about at random: windmills and swats everywhere, never set in a guard.
        for track in (left, right):
            t = 0.0
            while t < dur + 0.2:
                tgt = rng.uniform([-0.6, -0.9, -0.3], [0.9, 1.0, 0.9])
                pole = rng.normal(0, 1, 3)
                track.add(t, tgt, pole)
                t += float(rng.uniform(0.08, 0.22))
        for k in np.arange(0.0, dur, 0.25):
            yaw.add(float(k), float(rng.uniform(-30, 30)))
    else:
        raise ValueError(f"unknown motion {name!r}")
    if not left.keys:
        left.add(0.0, gl, GUARD_POLE)
    if not right.keys:
        right.add(0.0, gr, GUARD_POLE)
    return _Programme(left, right, yaw, crouch, walk_speed=walk, step_hz=step_hz, duration_s=dur)


# --------------------------------------------------------------------------------------------
# Forward kinematics and rendering.


def _rot_y(deg: float) -> np.ndarray:
    """Rotation about the vertical axis; positive turns +X (the player's left) towards -Z."""
    a = np.radians(deg)
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def _pose_at(prog: _Programme, body: Body, t: float) -> np.ndarray:
    """The 33 landmarks (metres, facing frame: X left, Y up, Z forward) at time ``t``."""
    P = np.zeros((NUM_LANDMARKS, 3))
    lead_sign = -1.0 if not body.southpaw else 1.0  # stance turn: orthodox brings the left forward
    stance = lead_sign * body.stance_yaw_deg
    bob = 0.012 * np.sin(2 * np.pi * 1.7 * t)
    crouch = prog.crouch.at(t)
    hip_y = (body.size.thigh_m + body.size.shin_m) * 0.97 - crouch + bob
    hip = np.array([prog.walk_speed[0] * t, hip_y, prog.walk_speed[1] * t])
    yaw_deg = stance + prog.torso_yaw.at(t)
    R_t = _rot_y(yaw_deg)
    R_h = _rot_y(stance * 0.6)
    up = np.array([0.0, 1.0, 0.0])
    P[LM.LEFT_HIP] = hip + R_h @ np.array([body.size.hip_half_m, 0, 0])
    P[LM.RIGHT_HIP] = hip + R_h @ np.array([-body.size.hip_half_m, 0, 0])
    lean = prog.sway.at(t) if prog.sway is not None else 0.0
    sh_mid = hip + up * body.size.torso_m + np.array([lean, 0.0, 0.03])
    P[LM.LEFT_SHOULDER] = sh_mid + R_t @ np.array([body.size.shoulder_half_m, 0, 0])
    P[LM.RIGHT_SHOULDER] = sh_mid + R_t @ np.array([-body.size.shoulder_half_m, 0, 0])
    # Head faces forward (the opponent), whatever the torso does.
    head = sh_mid + up * body.size.neck_m
    face = {
        LM.NOSE: (0.0, 0.0, 0.09),
        LM.LEFT_EYE_INNER: (0.015, 0.035, 0.075),
        LM.LEFT_EYE: (0.032, 0.035, 0.07),
        LM.LEFT_EYE_OUTER: (0.045, 0.035, 0.06),
        LM.RIGHT_EYE_INNER: (-0.015, 0.035, 0.075),
        LM.RIGHT_EYE: (-0.032, 0.035, 0.07),
        LM.RIGHT_EYE_OUTER: (-0.045, 0.035, 0.06),
        LM.LEFT_EAR: (0.075, 0.02, -0.01),
        LM.RIGHT_EAR: (-0.075, 0.02, -0.01),
        LM.MOUTH_LEFT: (0.025, -0.03, 0.075),
        LM.MOUTH_RIGHT: (-0.025, -0.03, 0.075),
    }
    R_head = _rot_y(0.25 * yaw_deg)
    for lm, off in face.items():
        P[lm] = head + R_head @ (np.array(off) * body.height_m / 1.75)
    for side, track in (("left", prog.left), ("right", prog.right)):
        sx = 1.0 if side == "left" else -1.0
        sh = P[LM.LEFT_SHOULDER if side == "left" else LM.RIGHT_SHOULDER]
        tgt, pole = track.at(t)
        arm = body.size.arm_m
        to_body = np.array([sx * tgt[0], tgt[1], tgt[2]])
        pole_b = np.array([sx * pole[0], pole[1], pole[2]])
        elbow, wrist = two_link(sh, sh + to_body * arm, body.size.upper_arm_m, body.size.forearm_m, pole_b)
        fdir = (wrist - elbow) / max(float(np.linalg.norm(wrist - elbow)), 1e-9)
        side_v = np.cross(fdir, up)
        if np.linalg.norm(side_v) < 1e-6:
            side_v = np.array([1.0, 0, 0])
        side_v = side_v / np.linalg.norm(side_v)
        hand = 0.075 * body.height_m / 1.75
        if side == "left":
            P[LM.LEFT_ELBOW], P[LM.LEFT_WRIST] = elbow, wrist
            P[LM.LEFT_PINKY] = wrist + fdir * hand + side_v * 0.02
            P[LM.LEFT_INDEX] = wrist + fdir * hand - side_v * 0.02
            P[LM.LEFT_THUMB] = wrist + fdir * hand * 0.5 - side_v * 0.03
        else:
            P[LM.RIGHT_ELBOW], P[LM.RIGHT_WRIST] = elbow, wrist
            P[LM.RIGHT_PINKY] = wrist + fdir * hand - side_v * 0.02
            P[LM.RIGHT_INDEX] = wrist + fdir * hand + side_v * 0.02
            P[LM.RIGHT_THUMB] = wrist + fdir * hand * 0.5 + side_v * 0.03
    # Legs: staggered stance, or walking steps.
    stagger = 0.22 * body.height_m / 1.75
    for side, hip_lm, knee, ankle, heel, toe in (
        ("left", LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE, LM.LEFT_HEEL, LM.LEFT_FOOT_INDEX),
        ("right", LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE, LM.RIGHT_HEEL, LM.RIGHT_FOOT_INDEX),
    ):
        is_lead = (side == "left") != body.southpaw
        fwd = stagger if is_lead else -stagger
        if prog.step_hz > 0:
            ph = np.sin(2 * np.pi * prog.step_hz * t / 2 + (0 if side == "left" else np.pi))
            fwd = 0.3 * ph
        hp = P[hip_lm]
        foot = np.array([hp[0] * 1.3, 0.0, hp[2] + fwd])
        mid = (hp + foot) / 2 + np.array([0.0, 0.0, 0.04 + crouch])
        P[knee] = mid
        P[ankle] = foot + np.array([0, 0.07, 0])
        P[heel] = foot + np.array([0, 0.03, -0.05])
        P[toe] = foot + np.array([0, 0.0, 0.15])
    return P


def render(
    prog: _Programme,
    body: Body,
    camera: Camera,
    noise: Noise,
    rng: np.random.Generator,
    *,
    t_offset_ms: float = 0.0,
    lost_track_s: tuple[float, float] | None = None,
) -> list[PoseFrame]:
    """Sample the programme at the noise's frame rate and project it through the camera (which
    looks at the player's chest unless its ``look_at_m`` is set)."""
    w, h = camera.image_size
    if camera.look_at_m is None:
        camera = replace(camera, look_at_m=1.2 * body.height_m / 1.75)
    dt = 1.0 / noise.fps
    n = int(prog.duration_s / dt)
    errors = TrackerNoise(noise.errors())
    frames: list[PoseFrame] = []
    px_filter = world_filter = None
    if noise.smooth:
        px_filter = OneEuroFilter(OneEuroParams(), scale=float(h))
        world_filter = OneEuroFilter(OneEuroParams(), scale=1.0)
    far_side = far_side_mask(camera.yaw_deg, from_yaw_deg=55.0, arms_only=True)
    far_vis = float(rng.uniform(0.1, 0.45))
    for i in range(n):
        t = i * dt
        if noise.drop_prob and rng.random() < noise.drop_prob:
            continue
        ts_ms = t_offset_ms + t * 1000.0
        if lost_track_s is not None and lost_track_s[0] <= t < lost_track_s[1]:
            frames.append(PoseFrame(ts_ms, (w, h), None, None, index=i))
            continue
        seen = project(_pose_at(prog, body, t), camera)
        if np.any(seen.depth_m < 0.3):
            continue
        hip_depth = 0.5 * float(seen.depth_m[LM.LEFT_HIP] + seen.depth_m[LM.RIGHT_HIP])
        person_px = camera.focal_px * body.height_m / hip_depth
        lm_px = np.zeros((NUM_LANDMARKS, 4))
        lm_px[:, :3] = seen.px
        lm_px[:, :2] += errors.pixel_error(rng, person_px, far_side)
        vis = np.where(far_side, far_vis + rng.uniform(-0.05, 0.05), rng.uniform(0.9, 0.999))
        inside = (lm_px[:, 0] >= 0) & (lm_px[:, 0] < w) & (lm_px[:, 1] >= 0) & (lm_px[:, 1] < h)
        vis = np.where(inside, vis, vis * 0.2)
        lm_px[:, 3] = vis
        W = errors.world(rng, seen.world_m, far_side)
        if px_filter is not None and world_filter is not None:
            # What the pose pipeline does to every frame (game.pose.pipeline).
            mask = (lm_px[:, 3] >= 0.5)[:, None]
            lm_px[:, :3] = px_filter.filter(lm_px[:, :3], ts_ms, mask)
            W = world_filter.filter(W, ts_ms, mask)
        frames.append(PoseFrame(ts_ms, (w, h), lm_px, W, index=i))
    return frames


# --------------------------------------------------------------------------------------------
# Convenience constructors used by tests, training and benchmarks.


def punch_clip(
    kind: str,
    rng: np.random.Generator,
    *,
    yaw_deg: float | None = None,
    hand: str | None = None,
    complete: bool = True,
    slow: bool = False,
    southpaw: bool | None = None,
    noise: Noise | None = None,
    wide: bool = False,
) -> Clip:
    body = Body.sample(rng, southpaw=southpaw, wide=wide)
    cam = sample_camera(rng, yaw_deg)
    nz = Noise.sample(rng, smooth=None if wide else False) if noise is None else noise
    prog, truth = punch_programme(kind, rng, body, hand=hand, complete=complete, slow=slow)
    return Clip(tuple(render(prog, body, cam, nz, rng)), tuple(truth), body, cam, kind)


def combo_clip(
    kinds: Sequence[tuple[str, str]], rng: np.random.Generator, *, yaw_deg: float | None = None,
    southpaw: bool | None = None, noise: Noise | None = None, wide: bool = False,
) -> Clip:
    body = Body.sample(rng, southpaw=southpaw, wide=wide)
    cam = sample_camera(rng, yaw_deg)
    nz = Noise.sample(rng, smooth=None if wide else False) if noise is None else noise
    prog, truth = combo_programme(kinds, rng, body)
    return Clip(tuple(render(prog, body, cam, nz, rng)), tuple(truth), body, cam, "combo")


def motion_clip(
    name: str, rng: np.random.Generator, *, yaw_deg: float | None = None, noise: Noise | None = None,
    southpaw: bool | None = None, wide: bool = False,
) -> Clip:
    body = Body.sample(rng, southpaw=southpaw, wide=wide)
    cam = sample_camera(rng, yaw_deg)
    nz = Noise.sample(rng, smooth=None if wide else False) if noise is None else noise
    prog = motion_programme(name, rng, body)
    return Clip(tuple(render(prog, body, cam, nz, rng)), (), body, cam, name)


def lead_hand(southpaw: bool) -> str:
    return "right" if southpaw else "left"


def scheduled_clip(
    punches: Sequence[tuple[float, str, str]],
    duration_s: float,
    rng: np.random.Generator,
    *,
    yaw_deg: float = 0.0,
    southpaw: bool = False,
    noise: Noise | None = None,
    ducks: Sequence[float] = (),
    slips: Sequence[tuple[float, str]] = (),
) -> Clip:
    """A player in guard throwing ``punches`` = (t_peak_s, kind, hand) on time, and ducking at the
    times in ``ducks``: the stream a good session of the target game produces."""
    body = Body.sample(rng, southpaw=southpaw)
    cam = sample_camera(rng, yaw_deg)
    gl, gr = _guard(rng, body), _guard(rng, body)
    left, right = _Track(), _Track()
    left.add(0.0, gl, GUARD_POLE)
    right.add(0.0, gr, GUARD_POLE)
    yaw, crouch = _Scalar(), _Scalar()
    yaw.add(0.0, 0.0)
    crouch.add(0.0, 0.0)
    busy = {"left": 0.0, "right": 0.0}
    truths: list[Truth] = []
    lead_left = _lead_is_left(body)
    for t_peak, kind, hand in sorted(punches):
        speed = float(rng.uniform(1.0, 1.4))
        keys, tp, te = _punch_keys(kind, rng, 0.0, speed, True, gl if hand == "left" else gr, False)
        shift = t_peak - tp
        if shift <= busy[hand] + 0.03 or shift < 0.3:
            continue  # that hand is still coming back: a real player would skip it too
        track = left if hand == "left" else right
        track.add(shift, track.at(shift)[0], track.at(shift)[1])
        for t, p, q in keys[1:]:
            track.add(t + shift, p, q)
        busy[hand] = te + shift
        is_lead = (hand == "left") == lead_left
        fam = kind if kind in ("hook", "uppercut") else ("jab" if is_lead else "cross")
        truths.append(Truth(t_peak, hand, fam, is_lead, True))
    for t in ducks:
        crouch.add(t - 0.35, 0.0)
        crouch.add(t, 0.3 * body.height_m / 1.75)
        crouch.add(t + 0.35, 0.0)
    crouch.keys.sort()
    sway = _Scalar()
    sway.add(0.0, 0.0)
    for t, side in sorted(slips):
        d = 0.25 * body.height_m / 1.75 * (1.0 if side == "left" else -1.0)
        sway.add(t - 0.3, 0.0)
        sway.add(t, d)
        sway.add(t + 0.3, 0.0)
    prog = _Programme(left, right, yaw, crouch, duration_s=duration_s, sway=sway)
    nz = Noise.sample(rng, smooth=False) if noise is None else noise
    return Clip(tuple(render(prog, body, cam, nz, rng)), tuple(truths), body, cam, "session")


def flail_clip(duration_s: float, rng: np.random.Generator, *, yaw_deg: float = 0.0) -> Clip:
    """Arms thrown about at random for ``duration_s`` (after a second in guard)."""
    body = Body.sample(rng)
    cam = sample_camera(rng, yaw_deg)
    prog = motion_programme("flail", rng, body)
    for track in (prog.left, prog.right):
        t = track.keys[-1][0]
        while t < duration_s:
            t += float(rng.uniform(0.08, 0.22))
            track.add(t, rng.uniform([-0.6, -0.9, -0.3], [0.9, 1.0, 0.9]), rng.normal(0, 1, 3))
        g = _guard(rng)
        shifted = [(k[0] + 1.0, k[1], k[2]) for k in track.keys]
        track.keys = [(0.0, g, np.asarray(GUARD_POLE, float)), (1.0, g, np.asarray(GUARD_POLE, float))] + shifted
    prog.duration_s = duration_s
    return Clip(tuple(render(prog, body, cam, Noise.sample(rng, smooth=False), rng)), (), body, cam, "flail")
