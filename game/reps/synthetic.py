"""Synthetic skeletons: a parametric body doing squats, lunges and push-ups in front of a camera.

For tests and benchmarks: every trajectory is made from a script of moves and a seeded
``numpy.random.Generator``, so a failing Hypothesis example replays exactly. The body is the
shared synthetic body of :mod:`game.pose.synthetic` (its standard proportions scaled by
``stature``, its camera and its tracker noise); legs and arms are placed by its two-link inverse
kinematics so that the feet stay planted (squats), step (lunges) or
the hands stay on the floor (push-ups). A pinhole camera at any yaw around the person (0 = the
person faces the camera, 90 = side on) renders BlazePose-style pixel landmarks with visibility
(limbs on the far side are less visible side on) and metric world landmarks centred on the hips.

Body frame: x to the person's left, y up, z forward (where they face); metres; floor at y = 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from game.pose.synthetic import (
    STANDARD,
    Camera,
    TrackerErrors,
    TrackerNoise,
    dress_feet,
    dress_hands,
    dress_head,
    far_side_mask,
    project,
    two_link,
)
from game.pose.types import LM, FloatArray, PoseFrame

__all__ = ["Camera", "Move", "jumping_jack_pose", "lunge_pose", "pushup_pose", "render", "simulate", "standing_pose"]

# Side on (the camera more than asin(0.8) = 53 degrees round), BlazePose guesses the far limbs.
SIDE_ON_DEG = math.degrees(math.asin(0.8))


@dataclass(frozen=True, slots=True)
class Move:
    """One piece of a script.

    kind: "stand" (still at the top), "rep" (one full cycle: ``depth`` ~1), "partial" (a cycle
    to ``depth`` < 1 of the full range), "no_lockout" (down to ``depth``, three quarters of the way up, down
    again and all the way up: one counted rep at most), "jump" (counter-movement jump of
    ``height_m``: dip over 0.4 x ``duration_s``, then push-off, flight and landing as long as the
    physics of that height takes), "walk" (toward the camera at ``speed_mps``), "absent" (nobody in view),
    "frozen" (the last frame repeated), "teleport" (the skeleton jumps sideways ``offset_m``).
    """

    kind: str
    duration_s: float
    depth: float = 1.0
    hold_s: float = 0.0
    height_m: float = 0.2
    speed_mps: float = 1.0
    offset_m: float = 1.0
    knee_in: float = 0.0  # squat: 0 = knees track over the toes, 1 = knees cave in hard


def _smooth(u: float) -> float:
    u = max(0.0, min(1.0, u))
    return 0.5 - 0.5 * math.cos(math.pi * u)


def _ik(root: FloatArray, end: FloatArray, l1: float, l2: float, bend: FloatArray) -> FloatArray:
    """Middle joint of a two-link chain root->mid->end, bending toward ``bend`` (a direction)."""
    return two_link(root, end, l1, l2, bend)[0]


def _dress(p: dict[int, FloatArray], forward: FloatArray, up: FloatArray) -> FloatArray:
    """Fill head, hands and feet around the main joints; return (33, 3)."""
    out = np.zeros((33, 3))
    for k, v in p.items():
        out[k] = v
    dress_head(out, forward)
    dress_hands(out)
    dress_feet(out, forward, up)
    return out


_UP = np.array([0.0, 1.0, 0.0])
_FWD = np.array([0.0, 0.0, 1.0])
_LEFT = np.array([1.0, 0.0, 0.0])


def _arms(p: dict[int, FloatArray], raise_deg: float, fwd: FloatArray, up: FloatArray) -> None:
    a = math.radians(raise_deg)
    direction = -up * math.cos(a) + fwd * math.sin(a)
    for s_lm, e_lm, w_lm in ((LM.LEFT_SHOULDER, LM.LEFT_ELBOW, LM.LEFT_WRIST), (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW, LM.RIGHT_WRIST)):
        p[e_lm] = p[s_lm] + direction * STANDARD.upper_arm_m
        p[w_lm] = p[e_lm] + direction * STANDARD.forearm_m


def standing_pose(
    s: float, *, stature: float = 1.0, knee_lift: tuple[float, float] = (0.0, 0.0), knee_in: float = 0.0
) -> FloatArray:
    """Squat pose: ``s`` = hip drop as a fraction of leg length (0 standing, ~0.5 deep squat).
    ``knee_lift`` (per leg, degrees) swings a leg forward as in walking; ``knee_in`` (0..1) makes
    the knees cave in toward each other as they bend."""
    k = stature
    p: dict[int, FloatArray] = {}
    drop = max(0.0, s)
    hip = np.array([0.0, k * (STANDARD.ankle_h_m + 0.995 * STANDARD.leg_m - drop * STANDARD.leg_m), -k * 0.55 * drop * STANDARD.leg_m])
    for side, (h, kn, an) in ((1.0, (LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE)), (-1.0, (LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE))):
        lift = knee_lift[0] if side > 0 else knee_lift[1]
        hp = hip + _LEFT * side * k * STANDARD.hip_half_m
        p[h] = hp
        if lift > 0:
            th = math.radians(lift)
            p[kn] = hp + k * STANDARD.thigh_m * (-_UP * math.cos(th) + _FWD * math.sin(th))
            sh = math.radians(max(0.0, lift * 1.6 - lift))
            p[an] = p[kn] + k * STANDARD.shin_m * (-_UP * math.cos(sh) - _FWD * math.sin(sh))
        else:
            ankle = np.array([side * k * 0.11, k * STANDARD.ankle_h_m, 0.0])
            p[an] = ankle
            p[kn] = _ik(hp, ankle, k * STANDARD.thigh_m, k * STANDARD.shin_m, _FWD + (0.15 - 1.5 * knee_in) * _LEFT * side)
    lean = math.radians(4.0 + 75.0 * drop)
    t_dir = _UP * math.cos(lean) + _FWD * math.sin(lean)
    sh_mid = hip + t_dir * k * STANDARD.torso_m
    p[LM.LEFT_SHOULDER] = sh_mid + _LEFT * k * STANDARD.shoulder_half_m
    p[LM.RIGHT_SHOULDER] = sh_mid - _LEFT * k * STANDARD.shoulder_half_m
    _arms(p, 15.0 + 150.0 * drop, _FWD, _UP)
    return _dress(p, _FWD, _UP)


def lunge_pose(s: float, step: float, lead_left: bool, *, stature: float = 1.0) -> FloatArray:
    """Reverse lunge: the trailing foot steps back ``step`` (0..1 of a stride), hips lower by ``s``
    (0 standing .. 1 full lunge)."""
    k = stature
    stride = k * 0.95 * STANDARD.leg_m
    back_z = -stride * step
    drop = s * 0.47 * STANDARD.leg_m * k
    hip = np.array([0.0, k * (STANDARD.ankle_h_m + 0.995 * STANDARD.leg_m) - drop, 0.42 * back_z])
    p: dict[int, FloatArray] = {}
    lift = 0.06 * k * math.sin(math.pi * step) if 0.0 < step < 1.0 and s < 0.05 else 0.0
    for side, (h, kn, an) in ((1.0, (LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE)), (-1.0, (LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE))):
        hp = hip + _LEFT * side * k * STANDARD.hip_half_m
        p[h] = hp
        is_lead = (side > 0) == lead_left
        ankle = np.array([side * k * 0.11, k * STANDARD.ankle_h_m + (0.0 if is_lead else lift), 0.0 if is_lead else back_z])
        p[an] = ankle
        p[kn] = _ik(hp, ankle, k * STANDARD.thigh_m, k * STANDARD.shin_m, _FWD - 0.3 * _UP * (0.0 if is_lead else 1.0))
    lean = math.radians(4.0 + 8.0 * s)
    t_dir = _UP * math.cos(lean) + _FWD * math.sin(lean)
    sh_mid = hip + t_dir * k * STANDARD.torso_m
    p[LM.LEFT_SHOULDER] = sh_mid + _LEFT * k * STANDARD.shoulder_half_m
    p[LM.RIGHT_SHOULDER] = sh_mid - _LEFT * k * STANDARD.shoulder_half_m
    _arms(p, 10.0, _FWD, _UP)
    return _dress(p, _FWD, _UP)


def jumping_jack_pose(s: float, *, stature: float = 1.0) -> FloatArray:
    """Jumping jack: ``s`` 0 (feet together, arms at the sides) .. 1 (feet wide, hands overhead).
    Arms swing up sideways in the body's frontal plane (12 -> 172 degrees from the sides), the
    feet land out to 0.36 m each side, the knees soften a little on landing."""
    k = stature
    s = max(0.0, s)
    p: dict[int, FloatArray] = {}
    foot = k * (0.11 + 0.25 * s)
    hip = np.array([0.0, k * (STANDARD.ankle_h_m + 0.995 * STANDARD.leg_m) - k * 0.05 * s, 0.0])
    for side, (h, kn, an) in ((1.0, (LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE)), (-1.0, (LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE))):
        hp = hip + _LEFT * side * k * STANDARD.hip_half_m
        p[h] = hp
        ankle = np.array([side * foot, k * STANDARD.ankle_h_m, 0.0])
        p[an] = ankle
        p[kn] = _ik(hp, ankle, k * STANDARD.thigh_m, k * STANDARD.shin_m, _FWD + 0.2 * _LEFT * side)
    t_dir = _UP
    sh_mid = hip + t_dir * k * STANDARD.torso_m
    p[LM.LEFT_SHOULDER] = sh_mid + _LEFT * k * STANDARD.shoulder_half_m
    p[LM.RIGHT_SHOULDER] = sh_mid - _LEFT * k * STANDARD.shoulder_half_m
    a = math.radians(12.0 + 160.0 * min(1.0, s))
    for side, (s_lm, e_lm, w_lm) in ((1.0, (LM.LEFT_SHOULDER, LM.LEFT_ELBOW, LM.LEFT_WRIST)), (-1.0, (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW, LM.RIGHT_WRIST))):
        direction = -_UP * math.cos(a) + _LEFT * side * math.sin(a) + _FWD * 0.05
        direction /= np.linalg.norm(direction)
        p[e_lm] = p[s_lm] + direction * k * STANDARD.upper_arm_m
        p[w_lm] = p[e_lm] + direction * k * STANDARD.forearm_m
    return _dress(p, _FWD, _UP)


def pushup_pose(s: float, *, stature: float = 1.0) -> FloatArray:
    """Push-up: ``s`` = shoulder drop as a fraction of arm length (0 arms straight, ~0.4 bottom).
    The body is a straight plank pivoting on the toes; the hands stay under the shoulders."""
    k = stature
    arm = k * (STANDARD.upper_arm_m + STANDARD.forearm_m)
    body = k * (STANDARD.ankle_h_m + STANDARD.leg_m + STANDARD.torso_m) * 0.95
    top_h = 0.97 * arm + 0.03
    sh_h = top_h - s * arm
    phi_top = math.asin(top_h / body)
    sh_z_top = body * math.cos(phi_top)
    phi = math.asin(max(0.05, sh_h) / body)
    line = np.array([0.0, math.sin(phi), math.cos(phi)])
    toe = np.array([0.0, 0.03, 0.0])
    sh_mid = toe + line * body
    hip_mid = toe + line * body * 0.52
    knee_mid = toe + line * body * 0.26
    ankle_mid = toe + line * 0.12
    p: dict[int, FloatArray] = {}
    for side, (s_lm, e_lm, w_lm, h_lm, k_lm, a_lm) in (
        (1.0, (LM.LEFT_SHOULDER, LM.LEFT_ELBOW, LM.LEFT_WRIST, LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE)),
        (-1.0, (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW, LM.RIGHT_WRIST, LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE)),
    ):
        p[s_lm] = sh_mid + _LEFT * side * k * STANDARD.shoulder_half_m
        p[h_lm] = hip_mid + _LEFT * side * k * STANDARD.hip_half_m
        p[k_lm] = knee_mid + _LEFT * side * k * 0.10
        p[a_lm] = ankle_mid + _LEFT * side * k * 0.10
        wrist = np.array([side * k * (STANDARD.shoulder_half_m + 0.04), 0.03, sh_z_top])
        p[w_lm] = wrist
        p[e_lm] = _ik(p[s_lm], wrist, k * STANDARD.upper_arm_m, k * STANDARD.forearm_m, -_FWD + 0.6 * _LEFT * side + 0.3 * _UP)
    up = np.cross(line, _LEFT)
    return _dress(p, -up, up)


def render(
    points_b: FloatArray, cam: Camera, origin_b: FloatArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """Project body-frame points (33, 3) -> (pixels (33, 4) with visibility, world (33, 3))."""
    pts = points_b if origin_b is None else points_b + origin_b
    seen = project(pts, cam)
    px = np.empty((33, 4))
    px[:, :3] = seen.px
    # Side on, the limbs on the far side are hidden by the body: low visibility, as BlazePose says.
    far = far_side_mask(cam.yaw_deg, from_yaw_deg=SIDE_ON_DEG, lateral_m=points_b[:, 0])
    px[:, 3] = np.where(far, 0.35, 0.97)
    return px, seen.world_m


def simulate(
    exercise: str,
    script: Sequence[Move],
    *,
    rng: np.random.Generator,
    camera: Camera = Camera(),
    fps: float = 30.0,
    noise_px: float = 1.0,
    noise_m: float = 0.008,
    drop_p: float = 0.0,
    stature: float = 1.0,
    t0_ms: float = 0.0,
) -> list[PoseFrame]:
    """Frames of ``exercise`` ("squat" | "lunge" | "pushup" | "jumping_jack") following ``script``.

    Noise is Gaussian per landmark and frame (``noise_px`` pixels, ``noise_m`` metres; keep it
    above zero: a real tracker always jitters, and bit-identical frames read as a frozen stream).
    ``drop_p`` is the chance each frame is missing from the stream (a dropped camera frame).
    """
    frames: list[PoseFrame] = []
    dt = 1.0 / fps
    t = 0.0
    idx = 0
    lead_left = True
    last_px: FloatArray | None = None
    last_w: FloatArray | None = None
    shift = np.zeros(3)
    noise = TrackerNoise(TrackerErrors(px_sigma=noise_px, world_sigma_m=noise_m, depth_sigma_m=noise_m))

    def pose_at(depth: float, step: float = 1.0, knee_in: float = 0.0) -> FloatArray:
        if exercise == "squat":
            return standing_pose(0.5 * depth, stature=stature, knee_in=knee_in)
        if exercise == "lunge":
            return lunge_pose(depth, 1.0 if depth > 0 else 0.0, lead_left, stature=stature)
        if exercise == "jumping_jack":
            return jumping_jack_pose(depth, stature=stature)
        return pushup_pose(0.42 * depth, stature=stature)

    def emit(points: FloatArray | None, origin: FloatArray | None = None, *, frozen: bool = False) -> None:
        nonlocal idx, last_px, last_w
        jitter = float(rng.uniform(-0.1, 0.1)) * dt
        ts_ms = t0_ms + 1000.0 * (t + jitter)
        keep = rng.random() >= drop_p
        if frozen and last_px is not None:
            if keep:
                frames.append(PoseFrame(ts_ms, camera.image_size, last_px.copy(), None if last_w is None else last_w.copy(), idx))
            idx += 1
            return
        if points is None:
            if keep:
                frames.append(PoseFrame(ts_ms, camera.image_size, None, None, idx))
            idx += 1
            return
        px, w = render(points, camera, origin)
        px[:, :2] += noise.pixel_error(rng, person_px=0.0)
        w = noise.world(rng, w)
        last_px, last_w = px, w
        if keep:
            frames.append(PoseFrame(ts_ms, camera.image_size, px, w, idx))
        idx += 1

    def cycle_depth(u: float, depth: float, hold_frac: float) -> float:
        """0 -> depth -> 0 over u in [0, 1] with a hold at the bottom."""
        down = (1.0 - hold_frac) / 2
        if u < down:
            return depth * _smooth(u / down)
        if u < down + hold_frac:
            return depth
        return depth * (1.0 - _smooth((u - down - hold_frac) / max(down, 1e-9)))

    for mv in script:
        n = max(1, int(round(mv.duration_s * fps)))
        if mv.kind == "jump":  # the flight takes as long as physics says, whatever duration_s is
            v_take = math.sqrt(2 * 9.81 * mv.height_m)
            total = 0.4 * mv.duration_s + 2 * 0.5 * mv.depth * STANDARD.leg_m * stature / v_take + 2 * v_take / 9.81 + 0.4
            n = max(n, int(math.ceil(total * fps)) + 1)
        for i in range(n):
            u = i / n
            if mv.kind == "stand":
                emit(pose_at(0.0), shift)
            elif mv.kind in ("rep", "partial"):
                hold = min(0.4, mv.hold_s / mv.duration_s)
                d = cycle_depth(u, mv.depth, hold)
                if exercise == "lunge":
                    step = _smooth(min(1.0, u / 0.2)) if u < 0.5 else _smooth(min(1.0, (1.0 - u) / 0.2))
                    d = cycle_depth(min(1.0, max(0.0, (u - 0.15) / 0.7)), mv.depth, hold)
                    emit(lunge_pose(d, step, lead_left, stature=stature), shift)
                elif exercise == "jumping_jack":
                    # Two hops a rep (out, then in): airborne half-way through each, 6 cm up.
                    hop = 0.06 * stature * math.sin(math.pi * min(1.0, d / max(mv.depth, 1e-9)))
                    emit(pose_at(d), shift + np.array([0.0, hop, 0.0]))
                else:
                    emit(pose_at(d, knee_in=mv.knee_in), shift)
            elif mv.kind == "no_lockout":
                # Down, three quarters of the way up (by hip drop: half-way up a full squat the
                # knee is still at about 98 degrees, deeper than the count needs, so that would be
                # a bob at the bottom, not a stand), down again, all the way up.
                if u < 0.25:
                    d = mv.depth * _smooth(u / 0.25)
                elif u < 0.5:
                    d = mv.depth * (1.0 - 0.75 * _smooth((u - 0.25) / 0.25))
                elif u < 0.75:
                    d = mv.depth * (0.25 + 0.75 * _smooth((u - 0.5) / 0.25))
                else:
                    d = mv.depth * (1.0 - _smooth((u - 0.75) / 0.25))
                emit(pose_at(d), shift)
            elif mv.kind == "jump":
                # Counter-movement jump: dip, push-off accelerating to take-off speed (legs straight
                # at take-off), ballistic flight, landing dip, stand. Times follow from the physics.
                g = 9.81
                v0 = math.sqrt(2 * g * mv.height_m)
                drop = 0.5 * mv.depth * STANDARD.leg_m * stature
                t_dip = 0.4 * mv.duration_s
                t_push = 2 * drop / v0
                t_fly = 2 * v0 / g
                t_land = 0.4
                tt = i * dt
                if tt < t_dip:
                    emit(pose_at(mv.depth * _smooth(tt / t_dip)), shift)
                elif tt < t_dip + t_push:
                    tp = tt - t_dip
                    risen = 0.5 * (v0 / t_push) * tp * tp
                    emit(pose_at(mv.depth * max(0.0, 1.0 - risen / drop)), shift)
                elif tt < t_dip + t_push + t_fly:
                    tf = tt - t_dip - t_push
                    emit(pose_at(0.0), shift + np.array([0.0, max(0.0, v0 * tf - 0.5 * g * tf * tf), 0.0]))
                elif tt < t_dip + t_push + t_fly + t_land:
                    tl = (tt - t_dip - t_push - t_fly) / t_land
                    emit(pose_at(0.3 * mv.depth * math.sin(math.pi * tl)), shift)
                else:
                    emit(pose_at(0.0), shift)
            elif mv.kind == "walk":
                phase = 2 * math.pi * 0.9 * (i * dt)
                lift_l = max(0.0, 35.0 * math.sin(phase))
                lift_r = max(0.0, 35.0 * math.sin(phase + math.pi))
                walked = shift + np.array([0.0, 0.0, mv.speed_mps * i * dt])
                emit(standing_pose(0.02, stature=stature, knee_lift=(lift_l, lift_r)), walked)
                if i == n - 1:
                    shift = walked
            elif mv.kind == "absent":
                emit(None)
            elif mv.kind == "frozen":
                emit(None, frozen=True)
            elif mv.kind == "teleport":
                emit(pose_at(0.0), shift + np.array([mv.offset_m, 0.0, 0.0]))
            else:
                raise ValueError(f"unknown move {mv.kind!r}")
            t += dt
        if mv.kind in ("rep", "partial") and exercise == "lunge":
            lead_left = not lead_left
    return frames
