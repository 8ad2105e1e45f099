"""The one synthetic body: proportions, two-link inverse kinematics, a camera, BlazePose's habits.

Three generators build on it: the exercise demos and demo players (:mod:`game.moves`), the rep
engine's test bodies (:mod:`game.reps.synthetic`) and the punch-model generator
(``models/punch_synth.py``). Each poses the body its own way (key poses, rep cycles, key-framed
punches); the body, the limb solver, the projection and the tracker errors are these.

Body frame: x to the person's left, y up, z forward (where they face); metres; floor at y = 0.
Camera axes: x image right, y image down, z away from the camera.

Pure: numpy only, randomness from a passed ``numpy.random.Generator``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from game.pose.types import LM, NUM_LANDMARKS, FloatArray

# Segment lengths as fractions of standing height (Drillis & Contini 1966; Winter, "Biomechanics
# and Motor Control of Human Movement", table 4.1): thigh .245, shank .246, upper arm .186,
# forearm .146, shoulder width .23 (half .115), hip width .116 (half .058), hip to shoulder .29,
# shoulder line to the middle of the head .105, ankle height .039 (rounded to 8 cm at 1.75 m).
UPPER_ARM_FRAC = 0.186
FOREARM_FRAC = 0.146
SHOULDER_HALF_FRAC = 0.115
HIP_HALF_FRAC = 0.058
TORSO_FRAC = 0.29
NECK_FRAC = 0.105
THIGH_FRAC = 0.245
SHIN_FRAC = 0.246
ANKLE_H_M = 0.08
STANDARD_HEIGHT_M = 1.75


@dataclass(frozen=True, slots=True)
class Proportions:
    """Segment lengths of one body, metres."""

    height_m: float
    upper_arm_m: float
    forearm_m: float
    shoulder_half_m: float
    hip_half_m: float
    torso_m: float
    neck_m: float
    thigh_m: float
    shin_m: float
    ankle_h_m: float = ANKLE_H_M

    @property
    def arm_m(self) -> float:
        return self.upper_arm_m + self.forearm_m

    @property
    def leg_m(self) -> float:
        return self.thigh_m + self.shin_m

    @staticmethod
    def of_height(height_m: float = STANDARD_HEIGHT_M) -> Proportions:
        """The table's body at ``height_m``."""
        h = height_m
        return Proportions(h, UPPER_ARM_FRAC * h, FOREARM_FRAC * h, SHOULDER_HALF_FRAC * h,
                           HIP_HALF_FRAC * h, TORSO_FRAC * h, NECK_FRAC * h, THIGH_FRAC * h,
                           SHIN_FRAC * h, ANKLE_H_M * h / STANDARD_HEIGHT_M)

    @staticmethod
    def sample(rng: np.random.Generator, *, neck_frac: tuple[float, float] | None = None,
               spread: float = 0.08) -> Proportions:
        """A random adult: height 1.50-1.95 m, each segment within +-``spread`` of the table;
        ``neck_frac`` draws the head carriage from a range instead of the table's."""
        h = float(rng.uniform(1.50, 1.95))

        def seg(frac: float) -> float:
            return frac * h * float(rng.uniform(1.0 - spread, 1.0 + spread))

        upper_arm, forearm = seg(UPPER_ARM_FRAC), seg(FOREARM_FRAC)
        shoulder_half, hip_half, torso = seg(SHOULDER_HALF_FRAC), seg(HIP_HALF_FRAC), seg(TORSO_FRAC)
        neck = seg(float(rng.uniform(*neck_frac)) if neck_frac is not None else NECK_FRAC)
        thigh, shin = seg(THIGH_FRAC), seg(SHIN_FRAC)
        return Proportions(h, upper_arm, forearm, shoulder_half, hip_half, torso, neck, thigh, shin,
                           ANKLE_H_M * h / STANDARD_HEIGHT_M)

    def scaled(self, k: float) -> Proportions:
        """The same body ``k`` times as big."""
        return Proportions(self.height_m * k, self.upper_arm_m * k, self.forearm_m * k,
                           self.shoulder_half_m * k, self.hip_half_m * k, self.torso_m * k,
                           self.neck_m * k, self.thigh_m * k, self.shin_m * k, self.ankle_h_m * k)


STANDARD = Proportions.of_height()


def _across(v: FloatArray, axis: FloatArray) -> tuple[FloatArray, float]:
    """The part of ``v`` perpendicular to the unit ``axis``, and its length. Projected twice: one
    pass leaves a residue along the axis of about eps*|v|/length (cancellation when ``v`` is nearly
    along the axis); the second pass takes that to rounding level, so the bend keeps the segment
    lengths to float64 precision (Gram-Schmidt "twice is enough")."""
    p = v - axis * float(v @ axis)
    p = p - axis * float(p @ axis)
    return p, float(np.linalg.norm(p))


def two_link(root: FloatArray, target: FloatArray, l1: float, l2: float,
             pole: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Middle joint and end of a two-link chain (thigh-shin, upper arm-forearm) reaching from
    ``root`` for ``target``: the chain bends towards ``pole`` (a direction); a target out of
    reach is approached along the line to it. Segment lengths are kept to float64 rounding."""
    d_vec = target - root
    n = float(np.linalg.norm(d_vec))
    axis = d_vec / n if n > 1e-9 else np.array([0.0, -1.0, 0.0])
    d = min(max(n, abs(l1 - l2) + 1e-4), l1 + l2 - 1e-4)
    a = (l1 * l1 - l2 * l2 + d * d) / (2 * d)  # along the axis to the middle joint
    h = math.sqrt(max(l1 * l1 - a * a, 0.0))  # and away from it
    perp, m = _across(pole, axis)
    if m < 1e-6:  # the pole lies along the chain: bend downwards (or, for a vertical chain, ahead)
        perp, m = _across(np.array([0.0, -1.0, 0.0]), axis)
        if m < 1e-6:
            perp, m = _across(np.array([0.0, 0.0, 1.0]), axis)
    joint: FloatArray = root + axis * a + perp / m * h
    end: FloatArray = root + axis * d
    return joint, end


def unit(v: FloatArray) -> FloatArray:
    """``v`` scaled to length 1 (a zero vector stays zero)."""
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-9 else v


def dress_head(out: FloatArray, forward: FloatArray) -> None:
    """Place the face (nose, eyes, ears, mouth) above the shoulders of ``out`` (33, 3, body
    frame, shoulders and hips set), looking along ``forward`` (squared to the trunk)."""
    sh_mid = 0.5 * (out[LM.LEFT_SHOULDER] + out[LM.RIGHT_SHOULDER])
    t_dir = unit(sh_mid - 0.5 * (out[LM.LEFT_HIP] + out[LM.RIGHT_HIP]))
    left = unit(out[LM.LEFT_SHOULDER] - out[LM.RIGHT_SHOULDER])
    head = sh_mid + t_dir * 0.22
    face = unit(forward - t_dir * float(forward @ t_dir))
    out[LM.NOSE] = head + face * 0.10
    for i, s in ((LM.LEFT_EYE_INNER, 0.015), (LM.LEFT_EYE, 0.03), (LM.LEFT_EYE_OUTER, 0.045)):
        out[i] = head + face * 0.08 + t_dir * 0.03 + left * s
    for i, s in ((LM.RIGHT_EYE_INNER, 0.015), (LM.RIGHT_EYE, 0.03), (LM.RIGHT_EYE_OUTER, 0.045)):
        out[i] = head + face * 0.08 + t_dir * 0.03 - left * s
    out[LM.LEFT_EAR] = head + left * 0.075
    out[LM.RIGHT_EAR] = head - left * 0.075
    out[LM.MOUTH_LEFT] = head + face * 0.085 - t_dir * 0.04 + left * 0.025
    out[LM.MOUTH_RIGHT] = head + face * 0.085 - t_dir * 0.04 - left * 0.025


def dress_hands(out: FloatArray) -> None:
    """Place each hand's pinky, index and thumb along its forearm (elbows and wrists set)."""
    left = unit(out[LM.LEFT_SHOULDER] - out[LM.RIGHT_SHOULDER])
    for side, (e, w, pk, ix, th) in (
        (1.0, (LM.LEFT_ELBOW, LM.LEFT_WRIST, LM.LEFT_PINKY, LM.LEFT_INDEX, LM.LEFT_THUMB)),
        (-1.0, (LM.RIGHT_ELBOW, LM.RIGHT_WRIST, LM.RIGHT_PINKY, LM.RIGHT_INDEX, LM.RIGHT_THUMB)),
    ):
        fa = out[w] - out[e]
        fa /= max(float(np.linalg.norm(fa)), 1e-9)
        out[pk] = out[w] + fa * 0.08 + left * side * 0.02
        out[ix] = out[w] + fa * 0.09 - left * side * 0.01
        out[th] = out[w] + fa * 0.05 - left * side * 0.03


def dress_feet(out: FloatArray, forward: FloatArray, up: FloatArray) -> None:
    """Place each heel and toe around its ankle: the foot points along ``forward``, flat on a
    floor whose normal is ``up``."""
    for a, h, t in ((LM.LEFT_ANKLE, LM.LEFT_HEEL, LM.LEFT_FOOT_INDEX),
                    (LM.RIGHT_ANKLE, LM.RIGHT_HEEL, LM.RIGHT_FOOT_INDEX)):
        out[h] = out[a] - up * 0.06 - forward * 0.05
        out[t] = out[a] - up * 0.07 + forward * 0.16


# -- the camera ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Camera:
    """A camera on a circle around the person, looking at them.

    ``yaw_deg`` 0: the person faces the camera; +90: the camera sees their left side.
    ``look_at_m``: height of the point it looks at (None: it looks level, at its own height).
    ``px_per_m`` set: an orthographic camera with that scale (the demos' framing) instead of a
    pinhole of ``focal_px``. ``principal_px``: where the optical axis meets the image (default the
    centre). ``mirror``: the image and the world x are flipped (a selfie view).
    """

    yaw_deg: float = 0.0
    distance_m: float = 3.5
    height_m: float = 1.0
    focal_px: float = 1000.0
    image_size: tuple[int, int] = (1280, 720)
    look_at_m: float | None = None
    px_per_m: float | None = None
    principal_px: tuple[float, float] | None = None
    mirror: bool = False

    def rotation(self) -> tuple[FloatArray, FloatArray]:
        """(position (3,), rows right/down/forward (3, 3)) in the body frame."""
        yaw = math.radians(self.yaw_deg)
        pos = np.array([math.sin(yaw) * self.distance_m, self.height_m,
                        math.cos(yaw) * self.distance_m])
        look = np.array([0.0, self.height_m if self.look_at_m is None else self.look_at_m, 0.0])
        fwd = look - pos
        fwd /= np.linalg.norm(fwd)
        right = np.cross(fwd, np.array([0.0, 1.0, 0.0]))
        right /= np.linalg.norm(right)
        down = np.cross(fwd, right)
        return pos, np.stack([right, down, fwd])


@dataclass(frozen=True, slots=True)
class Projection:
    """A body seen by a camera, before any tracker error."""

    px: FloatArray  # (33, 3): image x, y (pixels) and BlazePose's z (pixels, hip-relative)
    world_m: FloatArray  # (33, 3): camera axes, metres, centred on the mid-hip
    depth_m: FloatArray  # (33,): distance along the optical axis


def project(points: FloatArray, camera: Camera) -> Projection:
    """Body-frame points (33, 3) through ``camera``."""
    pos, rot = camera.rotation()
    cam = (points - pos) @ rot.T
    w, h = camera.image_size
    cx, cy = camera.principal_px if camera.principal_px is not None else (w / 2, h / 2)
    hip = 0.5 * (cam[LM.LEFT_HIP] + cam[LM.RIGHT_HIP])
    px = np.empty((len(points), 3))
    if camera.px_per_m is not None:
        scale: FloatArray | float = camera.px_per_m
        z_scale = camera.px_per_m
    else:
        scale = camera.focal_px / np.maximum(cam[:, 2], 0.2)
        z_scale = camera.focal_px / max(float(hip[2]), 0.2)
    sign = -1.0 if camera.mirror else 1.0
    px[:, 0] = cx + sign * cam[:, 0] * scale
    px[:, 1] = cy + cam[:, 1] * scale
    px[:, 2] = (cam[:, 2] - hip[2]) * z_scale
    world = cam - hip
    if camera.mirror:
        world[:, 0] *= -1.0
    return Projection(px, np.asarray(world, dtype=np.float64), cam[:, 2].copy())


_SIDE = {int(lm): (1 if lm.name.startswith("LEFT") else -1 if lm.name.startswith("RIGHT") else 0)
         for lm in LM}
_ARMS = frozenset(int(x) for x in (
    LM.LEFT_ELBOW, LM.LEFT_WRIST, LM.LEFT_PINKY, LM.LEFT_INDEX, LM.LEFT_THUMB,
    LM.RIGHT_ELBOW, LM.RIGHT_WRIST, LM.RIGHT_PINKY, LM.RIGHT_INDEX, LM.RIGHT_THUMB))


def far_side_mask(yaw_deg: float, *, from_yaw_deg: float, arms_only: bool = False,
                  lateral_m: FloatArray | None = None) -> FloatArray:
    """Landmarks on the side of the body turned away from the camera, which BlazePose guesses
    (and says so with a low visibility): none until the camera is ``from_yaw_deg`` round.

    The side is the landmark's (LEFT_/RIGHT_), or where it lies when ``lateral_m`` (body-frame x
    of each point) is given: a point more than 3 cm to the far side."""
    mask = np.zeros(NUM_LANDMARKS, dtype=bool)
    if abs(yaw_deg) <= from_yaw_deg:
        return mask
    far = -1 if yaw_deg > 0 else 1  # the camera sees the left side: the right is hidden
    for i in range(NUM_LANDMARKS):
        if arms_only and i not in _ARMS:
            continue
        if lateral_m is not None:
            mask[i] = np.sign(lateral_m[i]) == far and abs(lateral_m[i]) > 0.03
        else:
            mask[i] = _SIDE[i] == far
    return mask


# -- what a tracker does to it ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TrackerErrors:
    """How BlazePose-like the output is: jitter, smallish and depth-compressed world landmarks.

    ``px_sigma`` is in pixels, or a fraction of the person's height in pixels when
    ``px_sigma_is_frac``. ``correlation``: each frame keeps this share of the last frame's error
    (0 = white noise; 0.85 is how BlazePose's error wanders over a few frames). Landmarks on the
    far side jitter ``far_gain`` times as much.
    """

    px_sigma: float = 1.0
    world_sigma_m: float = 0.008
    depth_sigma_m: float = 0.008
    depth_gain: float = 1.0  # BlazePose under-estimates depth
    world_scale: float = 1.0  # and reports a smallish body
    correlation: float = 0.0
    px_sigma_is_frac: bool = False
    far_gain: float = 1.0


class TrackerNoise:
    """The running error of one clip: call :meth:`apply` once per frame, in order."""

    def __init__(self, errors: TrackerErrors) -> None:
        self.errors = errors
        self._px = np.zeros((NUM_LANDMARKS, 2))
        self._world = np.zeros((NUM_LANDMARKS, 3))
        # Stationary variance of x' = c x + k e equals that of e: k = sqrt(1 - c^2) (0.53 at 0.85).
        c = errors.correlation
        self._gain = round(math.sqrt(1.0 - c * c), 2) if c else 1.0

    def _gains(self, far: FloatArray | None) -> FloatArray | float:
        return 1.0 if far is None else np.where(far, self.errors.far_gain, 1.0)[:, None]

    def pixel_error(self, rng: np.random.Generator, person_px: float,
                    far: FloatArray | None = None) -> FloatArray:
        """This frame's pixel error (33, 2); ``person_px`` is the person's height in pixels."""
        e = self.errors
        sig = e.px_sigma * person_px if e.px_sigma_is_frac else e.px_sigma
        draw = rng.normal(0, 1, (NUM_LANDMARKS, 2))
        if e.correlation:
            self._px = e.correlation * self._px + self._gain * draw * sig * self._gains(far)
        else:
            self._px = draw * sig * self._gains(far)
        return self._px

    def world(self, rng: np.random.Generator, world_m: FloatArray,
              far: FloatArray | None = None) -> FloatArray:
        """World landmarks as the tracker reports them: scaled, depth-compressed, jittered."""
        e = self.errors
        out = world_m * e.world_scale
        out[:, 2] *= e.depth_gain
        draw = rng.normal(0, 1, (NUM_LANDMARKS, 3)) * np.array(
            [e.world_sigma_m, e.world_sigma_m, e.depth_sigma_m])
        if e.correlation:
            self._world = e.correlation * self._world + self._gain * draw * self._gains(far)
        else:
            self._world = draw * self._gains(far)
        return np.asarray(out + self._world, dtype=np.float64)
