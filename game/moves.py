"""Generated skeletons: exercise demos as loop-based micro-clips, and synthetic players.

A move is data: a camera view and a list of phases, each with a name, a duration, a coaching cue
and the key pose reached at its end. A key pose is a handful of numbers (hip position, trunk lean,
where the feet stand and the hands go); knees and elbows are solved by the shared two-link inverse
kinematics on the standard body of :mod:`game.pose.synthetic`, so every generated skeleton has
fixed bone lengths, and the demo camera is that module's orthographic camera. Adding a move means adding a
definition to :data:`MOVES`, not code.

Everything here is pure: time is an argument, randomness comes from a passed ``numpy`` Generator.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from game.pose import synthetic as body
from game.pose.synthetic import STANDARD, two_link, unit
from game.pose.types import LM, NUM_LANDMARKS, FloatArray, PoseFrame

Vec = FloatArray


@dataclass(frozen=True, slots=True)
class KeyPose:
    """A pose as a few numbers, in a floor frame: f forward, u up, l to the subject's left (m).

    ``hands_world``: hand targets are floor-frame points (push-ups) instead of offsets from the
    shoulders. ``pitch_deg`` tips the whole body forward about the ankles (push-ups).
    """

    hip_f: float = 0.0
    hip_u: float = 0.95
    trunk_deg: float = 2.0
    side_deg: float = 0.0
    twist_deg: float = 0.0
    foot_l: tuple[float, float] = (0.0, 0.14)
    foot_r: tuple[float, float] = (0.0, -0.14)
    hand_l: tuple[float, float, float] = (0.05, -0.58, 0.03)
    hand_r: tuple[float, float, float] = (0.05, -0.58, -0.03)
    hands_world: bool = False
    pitch_deg: float = 0.0


_FLOAT_FIELDS = ("hip_f", "hip_u", "trunk_deg", "side_deg", "twist_deg", "pitch_deg")
_TUPLE_FIELDS = ("foot_l", "foot_r", "hand_l", "hand_r")


def blend(a: KeyPose, b: KeyPose, s: float) -> KeyPose:
    """Linear blend of two key poses (s=0 -> a, s=1 -> b)."""
    out = {k: getattr(a, k) + (getattr(b, k) - getattr(a, k)) * s for k in _FLOAT_FIELDS}
    for k in _TUPLE_FIELDS:
        va, vb = getattr(a, k), getattr(b, k)
        out[k] = tuple(x + (y - x) * s for x, y in zip(va, vb))
    return KeyPose(**out, hands_world=b.hands_world if s >= 0.5 else a.hands_world)


def _smooth(s: float) -> float:
    s = min(1.0, max(0.0, s))
    return s * s * (3.0 - 2.0 * s)


def _ful(f: float, u: float, lat: float) -> Vec:
    """A key pose's (forward, up, left) numbers as a body-frame point (x left, y up, z forward)."""
    return np.array([lat, u, f])


def _rot_pitch(p: Vec, pivot: Vec, deg: float) -> Vec:
    """Tip point p forward (towards +z) about the lateral axis through ``pivot``."""
    a = math.radians(deg)
    f, u = p[2] - pivot[2], p[1] - pivot[1]
    return np.array([p[0], pivot[1] - f * math.sin(a) + u * math.cos(a),
                     pivot[2] + f * math.cos(a) + u * math.sin(a)])


def skeleton_floor(pose: KeyPose) -> FloatArray:
    """The 33 landmarks of ``pose`` in the body frame of :mod:`game.pose.synthetic` (x left, y up,
    z forward; metres); the key pose's numbers are forward, up, left."""
    out = np.zeros((NUM_LANDMARKS, 3))
    fwd = _ful(1.0, 0.0, 0.0)
    up = _ful(0.0, 1.0, 0.0)
    lat = _ful(0.0, 0.0, 1.0)
    hip = _ful(pose.hip_f, pose.hip_u, 0.0)
    tw = math.radians(pose.twist_deg)
    hip_lat = _ful(-math.sin(tw / 2), 0.0, math.cos(tw / 2))
    sh_lat = _ful(-math.sin(tw), 0.0, math.cos(tw))
    lean, side = math.radians(pose.trunk_deg), math.radians(pose.side_deg)
    trunk = unit(_ful(math.sin(lean), math.cos(lean) * math.cos(side), math.sin(side)))
    shoulder_mid = hip + trunk * STANDARD.torso_m
    face_fwd = unit(_ful(math.cos(tw / 2), 0.0, math.sin(tw / 2)))  # the head turns half as far

    out[LM.LEFT_HIP] = hip + hip_lat * STANDARD.hip_half_m
    out[LM.RIGHT_HIP] = hip - hip_lat * STANDARD.hip_half_m
    out[LM.LEFT_SHOULDER] = shoulder_mid + sh_lat * STANDARD.shoulder_half_m
    out[LM.RIGHT_SHOULDER] = shoulder_mid - sh_lat * STANDARD.shoulder_half_m
    body.dress_head(out, face_fwd)

    # Legs: knees bend forward (and a little outward, as in a good squat).
    for side_sign, hip_lm, knee_lm, ankle_lm, foot in (
            (1.0, LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE, pose.foot_l),
            (-1.0, LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE, pose.foot_r)):
        ankle_target = _ful(foot[0], STANDARD.ankle_h_m, foot[1])
        out[knee_lm], out[ankle_lm] = two_link(out[hip_lm], ankle_target, STANDARD.thigh_m,
                                               STANDARD.shin_m, fwd + lat * 0.15 * side_sign)
    body.dress_feet(out, fwd, up)

    if pose.pitch_deg:
        pivot = (out[LM.LEFT_FOOT_INDEX] + out[LM.RIGHT_FOOT_INDEX]) / 2
        for i in range(NUM_LANDMARKS):
            out[i] = _rot_pitch(out[i], pivot, pose.pitch_deg)

    # Arms: elbows point down and out.
    for side_sign, sh_lm, el_lm, wr_lm, hand in (
            (1.0, LM.LEFT_SHOULDER, LM.LEFT_ELBOW, LM.LEFT_WRIST, pose.hand_l),
            (-1.0, LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW, LM.RIGHT_WRIST, pose.hand_r)):
        offset = _ful(*hand)
        target = offset if pose.hands_world else out[sh_lm] + offset
        pole = -up - fwd * 0.3 + lat * 0.35 * side_sign
        out[el_lm], out[wr_lm] = two_link(out[sh_lm], target, STANDARD.upper_arm_m,
                                          STANDARD.forearm_m, pole)
    body.dress_hands(out)
    return out


# -- moves as data -------------------------------------------------------------------------

STAND = KeyPose()
GUARD = KeyPose(trunk_deg=6.0, foot_l=(0.16, 0.16), foot_r=(-0.14, -0.16),
                hand_l=(0.24, 0.2, -0.12), hand_r=(0.18, 0.18, 0.12))


@dataclass(frozen=True, slots=True)
class Phase:
    name: str
    duration_s: float
    pose: KeyPose  # reached at the end of the phase
    cue: str = ""
    is_depth: bool = False  # reaches the bottom: a generated shallow rep stops short here


@dataclass(frozen=True, slots=True)
class Move:
    key: str
    title: str
    view: str  # "side" or "front"
    start: KeyPose
    phases: tuple[Phase, ...]
    px_per_m: float = 200.0  # framing of the demo camera
    centre_x_frac: float = 0.5
    # A rep exercise's bottom at a given depth (1.0 full, 0.3 a shallow rep that must not count):
    # the synthetic player's reps replace the ``is_depth`` phases' pose with it. None: not reps.
    depth_pose: Callable[[float], KeyPose] | None = None

    def camera(self, image_size: tuple[int, int] = (640, 480)) -> Camera:
        scale = image_size[1] / 480.0
        return Camera(view=self.view, image_size=image_size, px_per_m=self.px_per_m * scale,
                      centre_x_frac=self.centre_x_frac)

    @property
    def duration_s(self) -> float:
        return sum(p.duration_s for p in self.phases)


def _squat_bottom(depth: float) -> KeyPose:
    """Squat bottom; depth 1.0 = thighs a little below parallel."""
    return KeyPose(hip_f=-0.30 * depth, hip_u=0.95 - 0.48 * depth, trunk_deg=8 + 34 * depth,
                   hand_l=(0.60 * min(1.0, depth + 0.2), -0.05, 0.0),
                   hand_r=(0.60 * min(1.0, depth + 0.2), -0.05, 0.0))


PUSHUP_TOP = KeyPose(hip_u=0.95, trunk_deg=0.0, foot_l=(0.0, 0.1), foot_r=(0.0, -0.1),
                     hand_l=(1.33, 0.0, 0.2), hand_r=(1.33, 0.0, -0.2), hands_world=True,
                     pitch_deg=68.0)
PUSHUP_BOTTOM = replace(PUSHUP_TOP, pitch_deg=81.0)
LUNGE_DOWN = KeyPose(hip_f=0.05, hip_u=0.55, trunk_deg=3.0, foot_l=(0.55, 0.12),
                     foot_r=(-0.52, -0.12), hand_l=(0.0, -0.55, 0.06), hand_r=(0.0, -0.55, -0.06))

# Feet wide and hands together overhead, knees soft on landing (front view).
JACK_OUT = KeyPose(hip_u=0.92, foot_l=(0.0, 0.36), foot_r=(0.0, -0.36), hand_l=(0.04, 0.56, 0.16),
                   hand_r=(0.04, 0.56, -0.16))

MOVES: dict[str, Move] = {
    "squat": Move("squat", "Squat", "side", STAND, (
        Phase("Stand tall", 0.7, STAND, "Feet shoulder-width, chest up"),
        Phase("Sit back", 1.3, _squat_bottom(1.0), "Hips back, knees over toes", is_depth=True),
        Phase("Bottom", 0.4, _squat_bottom(1.0), "Thighs at or below parallel", is_depth=True),
        Phase("Drive up", 0.9, STAND, "Push the floor away, squeeze at the top"),
    ), depth_pose=_squat_bottom),
    "pushup": Move("pushup", "Push-up", "side", PUSHUP_TOP, (
        Phase("Plank", 0.6, PUSHUP_TOP, "Body in one straight line"),
        Phase("Lower", 1.2, PUSHUP_BOTTOM, "Elbows at 45 degrees, chest to the floor", is_depth=True),
        Phase("Bottom", 0.3, PUSHUP_BOTTOM, "Chest a fist above the floor", is_depth=True),
        Phase("Press", 0.8, PUSHUP_TOP, "Press up, keep the hips in line"),
    ), px_per_m=165.0, centre_x_frac=0.2, depth_pose=lambda d: replace(PUSHUP_TOP, pitch_deg=68 + 13 * d)),
    "lunge": Move("lunge", "Lunge", "side", STAND, (
        Phase("Stand tall", 0.6, STAND, "Hands on hips or by your sides"),
        Phase("Step and drop", 1.2, LUNGE_DOWN, "Long step, back knee towards the floor", is_depth=True),
        Phase("Bottom", 0.3, LUNGE_DOWN, "Both knees at 90 degrees", is_depth=True),
        Phase("Push back", 0.9, STAND, "Drive through the front heel"),
    ), depth_pose=lambda d: blend(STAND, LUNGE_DOWN, d)),
    "jumping_jack": Move("jumping_jack", "Jumping jack", "front", STAND, (
        Phase("Feet together", 0.3, STAND, "Arms by your sides, weight on the balls of the feet"),
        Phase("Jump out", 0.35, JACK_OUT, "Feet wide, hands meet over your head", is_depth=True),
        Phase("Jump in", 0.35, STAND, "Feet back together, arms down by your sides"),
    ), px_per_m=175.0, depth_pose=lambda d: blend(STAND, JACK_OUT, d)),
    "jab": Move("jab", "Jab", "front", GUARD, (
        Phase("Guard", 0.6, GUARD, "Hands up by the chin, elbows in"),
        Phase("Extend", 0.18, replace(GUARD, hand_l=(0.56, 0.02, -0.16), twist_deg=-12),
              "Snap the lead hand straight out"),
        Phase("Return", 0.3, GUARD, "Bring it straight back to the chin"),
    ), px_per_m=175.0),
    "cross": Move("cross", "Cross", "front", GUARD, (
        Phase("Guard", 0.6, GUARD, "Weight centred, chin down"),
        Phase("Rotate and extend", 0.22,
              replace(GUARD, hand_r=(0.55, 0.02, 0.20), twist_deg=28, trunk_deg=10),
              "Turn the rear hip and shoulder through"),
        Phase("Return", 0.32, GUARD, "Back to guard, left hand stays up"),
    ), px_per_m=175.0),
    "slip": Move("slip", "Slip", "front", GUARD, (
        Phase("Guard", 0.6, GUARD, "Eyes on the target"),
        Phase("Slip", 0.3, replace(GUARD, side_deg=-16, hip_u=0.9), "Bend at the knees and waist"),
        Phase("Recover", 0.35, GUARD, "Come back to centre, hands up"),
    ), px_per_m=175.0),
}


def pose_at(move: Move, t_s: float) -> tuple[KeyPose, int]:
    """The key pose ``t_s`` seconds into one pass of ``move`` and the index of its phase."""
    t = max(0.0, t_s)
    prev = move.start
    for i, phase in enumerate(move.phases):
        if t <= phase.duration_s or i == len(move.phases) - 1:
            s = _smooth(t / phase.duration_s if phase.duration_s > 0 else 1.0)
            return blend(prev, phase.pose, s), i
        t -= phase.duration_s
        prev = phase.pose
    return move.phases[-1].pose, len(move.phases) - 1


# -- projection to a camera ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Camera:
    """The demos' framing: an orthographic camera, ``px_per_m`` pixels per metre, the floor at
    ``floor_y_frac`` of the image height. ``view`` "front": the subject faces the camera; "side":
    the subject faces image right (a mirrored view of their left side)."""

    view: str = "side"
    image_size: tuple[int, int] = (640, 480)
    px_per_m: float = 200.0
    floor_y_frac: float = 0.93
    centre_x_frac: float = 0.5

    def lens(self) -> body.Camera:
        """The same camera as :class:`game.pose.synthetic.Camera`."""
        w, h = self.image_size
        return body.Camera(yaw_deg=0.0 if self.view == "front" else 90.0, height_m=0.0,
                           image_size=self.image_size, px_per_m=self.px_per_m,
                           principal_px=(w * self.centre_x_frac, h * self.floor_y_frac),
                           mirror=self.view != "front")


def project(points: FloatArray, camera: Camera, *, visibility: float = 0.98) -> FloatArray:
    """Body-frame skeleton -> (33, 4) BlazePose-style pixel landmarks (x, y, z, visibility)."""
    out = np.empty((NUM_LANDMARKS, 4))
    out[:, :3] = body.project(points, camera.lens()).px
    out[:, 3] = visibility
    return out


def pose_frame(pose: KeyPose, camera: Camera, t_ms: float, index: int = 0,
               rng: np.random.Generator | None = None, noise_px: float = 0.0) -> PoseFrame:
    """A PoseFrame of ``pose`` as ``camera`` would see it; optional Gaussian pixel noise."""
    seen = body.project(skeleton_floor(pose), camera.lens())
    px = np.empty((NUM_LANDMARKS, 4))
    px[:, :3] = seen.px
    px[:, 3] = 0.98
    if rng is not None and noise_px > 0:
        px[:, :2] += rng.normal(0.0, noise_px, size=(NUM_LANDMARKS, 2))
    return PoseFrame(timestamp_ms=t_ms, image_size=camera.image_size, landmarks_px=px,
                     world_m=seen.world_m, index=index)


# -- the micro-clip player -----------------------------------------------------------------

SPEEDS = (1.0, 0.5, 0.25)


@dataclass
class ClipPlayer:
    """Plays a move as a loop; the player can hold one phase in a loop, slow down or replay.

    Pure: ``step(dt_s)`` advances it. ``loop_phase`` (an index) repeats that phase alone.
    """

    move: Move
    t_s: float = 0.0
    speed: float = 1.0
    loop_phase: int | None = None
    paused: bool = False

    def step(self, dt_s: float) -> None:
        if self.paused:
            return
        self.t_s += dt_s * self.speed
        if self.loop_phase is not None:
            start, end = self.phase_bounds(self.loop_phase)
            if self.t_s >= end or self.t_s < start:
                self.t_s = start + ((self.t_s - start) % max(1e-6, end - start))
        else:
            self.t_s %= self.move.duration_s

    def phase_bounds(self, index: int) -> tuple[float, float]:
        start = sum(p.duration_s for p in self.move.phases[:index])
        return start, start + self.move.phases[index].duration_s

    @property
    def phase_index(self) -> int:
        return pose_at(self.move, self.t_s)[1]

    @property
    def phase(self) -> Phase:
        return self.move.phases[self.phase_index]

    def pose(self) -> KeyPose:
        return pose_at(self.move, self.t_s)[0]

    def cycle_speed(self) -> None:
        i = SPEEDS.index(self.speed) if self.speed in SPEEDS else 0
        self.speed = SPEEDS[(i + 1) % len(SPEEDS)]

    def toggle_loop_phase(self) -> None:
        """Hold the current phase in a loop, or release it."""
        if self.loop_phase is None:
            self.loop_phase = self.phase_index
        else:
            self.loop_phase = None

    def next_phase(self) -> None:
        i = (self.phase_index + 1) % len(self.move.phases)
        self.t_s = self.phase_bounds(i)[0] + 1e-6
        if self.loop_phase is not None:
            self.loop_phase = i

    def replay(self) -> None:
        self.t_s = 0.0 if self.loop_phase is None else self.phase_bounds(self.loop_phase)[0]
        self.paused = False


# -- synthetic players (demo mode, tests, benchmarks) ------------------------------------------

@dataclass(frozen=True, slots=True)
class SyntheticSession:
    """A generated player doing reps or punches, frame by frame at ``fps``.

    ``depths`` gives the depth of each rep (1.0 full, 0.3 a shallow rep that must not count);
    for boxing moves the list is the sequence of punches ("jab", "cross", "slip").
    """

    exercise: str = "squat"  # a move of MOVES with a depth_pose (reps), or any other: punches
    depths: tuple[float, ...] = (1.0, 1.0, 0.3, 1.0, 1.0, 1.0)
    punches: tuple[str, ...] = ("jab", "jab", "cross", "slip", "jab", "cross")
    fps: float = 30.0
    rest_s: float = 0.8
    lead_in_s: float = 1.5
    noise_px: float = 0.8
    seed: int = 7
    camera: Camera = field(default_factory=Camera)

    def frames(self) -> Iterator[PoseFrame]:
        """The whole session, ending after the last rep or punch and a short rest."""
        rng = np.random.default_rng(self.seed)
        schedule: list[tuple[Move, KeyPose | None, float]] = []
        base = MOVES.get(self.exercise)
        if base is not None and base.depth_pose is not None:
            start = base.start
            for d in self.depths:
                low = base.depth_pose(d)
                phases = tuple(replace(p, pose=low) if p.is_depth else p for p in base.phases)
                schedule.append((replace(base, phases=phases), start, d))
            view = base.view
        else:
            for name in self.punches:
                schedule.append((MOVES[name], None, 1.0))
            view = "front"
        camera = replace(self.camera, view=view)
        move = MOVES.get(self.exercise, MOVES["jab"])
        if move is not None:
            camera = replace(camera, px_per_m=move.px_per_m * camera.image_size[1] / 480.0,
                             centre_x_frac=move.centre_x_frac)
        dt_ms = 1000.0 / self.fps
        t_ms = 0.0
        index = 0
        first = schedule[0][0].start if schedule else STAND

        def emit(pose: KeyPose) -> PoseFrame:
            nonlocal t_ms, index
            frame = pose_frame(pose, camera, t_ms, index, rng, self.noise_px)
            t_ms += dt_ms
            index += 1
            return frame

        for _ in range(int(self.lead_in_s * self.fps)):
            yield emit(first)
        for move, _, _ in schedule:
            n = max(1, int(move.duration_s * self.fps * float(rng.uniform(0.9, 1.1))))
            for k in range(n):
                yield emit(pose_at(move, move.duration_s * k / n)[0])
            for _ in range(int(self.rest_s * self.fps)):
                yield emit(move.start)
        for _ in range(int(self.fps)):
            yield emit(first)


# -- a demo boxer that answers the game's cues ----------------------------------------------

JAB_PEAK = replace(GUARD, hand_l=(0.56, 0.02, -0.16), twist_deg=-12)
CROSS_PEAK = replace(GUARD, hand_r=(0.55, 0.02, 0.20), twist_deg=28, trunk_deg=10)
SLIP_LEFT = replace(GUARD, side_deg=16, hip_u=0.9)  # the head moves to the player's left
SLIP_RIGHT = replace(GUARD, side_deg=-16, hip_u=0.9)
DUCK = replace(GUARD, hip_u=0.74, hip_f=-0.12, trunk_deg=22)
EXTEND_S = 0.18  # guard to full extension
RETURN_S = 0.30


@dataclass(frozen=True, slots=True)
class Order:
    """Be at the peak of ``move`` ("left"/"right" straight, "slip_left", "slip_right", "duck")
    at ``t_ms`` on the stream's clock."""

    t_ms: float
    move: str


def boxer_pose(t_ms: float, orders: tuple[Order, ...]) -> KeyPose:
    """The demo boxer's pose at ``t_ms``: guard, blended towards each order's peak around it."""
    bob = 0.012 * math.sin(t_ms / 1000.0 * 2 * math.pi * 1.2)  # a light bounce on the toes
    pose = replace(GUARD, hip_u=GUARD.hip_u + bob)
    peaks = {"left": JAB_PEAK, "right": CROSS_PEAK, "slip_left": SLIP_LEFT,
             "slip_right": SLIP_RIGHT, "duck": DUCK}
    for o in orders:
        dt = (t_ms - o.t_ms) / 1000.0
        lead = EXTEND_S if o.move in ("left", "right") else 0.25
        back = RETURN_S if o.move in ("left", "right") else 0.35
        if -lead <= dt <= 0:
            f = _smooth((dt + lead) / lead)
        elif 0 < dt <= back:
            f = _smooth(1.0 - dt / back)
        else:
            continue
        pose = blend(pose, peaks.get(o.move, GUARD), f)
    return pose


def boxer_frames(orders: Callable[[], tuple[Order, ...]], *, fps: float = 30.0, seed: int = 5,
                 noise_px: float = 0.6, camera: Camera | None = None) -> Iterator[PoseFrame]:
    """An endless generated boxer that throws what ``orders()`` asks, when it asks."""
    rng = np.random.default_rng(seed)
    move = MOVES["jab"]
    cam = camera or Camera(view="front", px_per_m=move.px_per_m)
    i = 0
    while True:
        t_ms = i * 1000.0 / fps
        current = tuple(o for o in orders() if -600 <= t_ms - o.t_ms <= 600)
        yield pose_frame(boxer_pose(t_ms, current), cam, t_ms, i, rng, noise_px)
        i += 1


class OrderBook:
    """Thread-safe list of orders shared by the game (writer) and the demo source (reader)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._orders: tuple[Order, ...] = ()

    def set(self, orders: Iterable[Order]) -> None:
        with self._lock:
            self._orders = tuple(sorted(orders, key=lambda o: o.t_ms))

    def clear(self) -> None:
        self.set(())

    def snapshot(self) -> tuple[Order, ...]:
        with self._lock:
            return self._orders
