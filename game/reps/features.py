"""Per-frame measurements of one body for one exercise: angles, heights, anchors.

Angles are taken from the world landmarks (metres, 3-D) whenever the frame has them: a knee
bending toward the camera in a front view shortens the thigh in the image, so a 2-D angle reads
20-30 degrees too straight (measured on squat_front_band: 96 degrees in the image vs 76 in 3-D).
Pixel coordinates are used for what only they can tell: where the feet are on the floor, whether
both feet left it, how big the person is in the image, and for angles when no 3-D is available.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from game.pose.types import LM, FloatArray, PoseFrame
from game.reps.definitions import ExerciseDefinition, Triplet

VISIBLE = 0.5  # BlazePose visibility below this is treated as "not seen"

_FEET = ((LM.LEFT_ANKLE, LM.LEFT_HEEL, LM.LEFT_FOOT_INDEX), (LM.RIGHT_ANKLE, LM.RIGHT_HEEL, LM.RIGHT_FOOT_INDEX))


@dataclass(frozen=True, slots=True)
class Features:
    """What one frame says about the body. Angles in degrees, heights in metres or pixels."""

    t_s: float
    primary_deg: float
    primary_left_deg: float | None
    primary_right_deg: float | None
    secondary_deg: float | None
    torso_from_vertical_deg: float
    shin_from_vertical_deg: float
    body_line_deg: float  # shoulder-hip-ankle angle (180 = straight line)
    height_m: float | None  # mid(moving) above mid(anchor), world metres
    height_px: float  # the same in image pixels (scale of the person in the image)
    planted_xy_px: tuple[float, float]
    feet_low_y_px: tuple[float, float]  # lowest image point of each foot (y grows downward)
    moving_xy_px: tuple[float, float]
    knee_ratio: float | None  # knee spread / ankle spread along the hip line (world)
    front_knee_medial: float | None  # front leg's knee toward the midline, in thigh lengths (world)
    heel_minus_toe_px: float  # heel y minus toe y (image); falls when the heels lift
    yaw_deg: float | None  # 0 = facing the camera, 90 = side on
    is_3d: bool


@dataclass(frozen=True, slots=True)
class Missing:
    """The frame has a person but not the joints this exercise needs."""

    t_s: float
    reason: str  # "no_person" | "joints" | "invalid"


def _angle3(p: FloatArray, a: int, b: int, c: int) -> float:
    u = p[a] - p[b]
    v = p[c] - p[b]
    nu = math.sqrt(float(u @ u))
    nv = math.sqrt(float(v @ v))
    if nu < 1e-9 or nv < 1e-9:
        return float("nan")
    cos = float(u @ v) / (nu * nv)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def _incline(p: FloatArray, a: int, b: int) -> float:
    """Inclination of a->b below the horizontal (y down), degrees; 3-D when p has 3 columns."""
    d = p[b] - p[a]
    horiz = math.hypot(float(d[0]), float(d[2])) if p.shape[1] >= 3 else abs(float(d[0]))
    return math.degrees(math.atan2(float(d[1]), horiz))


def _from_vertical(p: FloatArray, lower: tuple[int, int], upper: tuple[int, int]) -> float:
    lo = (p[lower[0]] + p[lower[1]]) * 0.5
    up = (p[upper[0]] + p[upper[1]]) * 0.5
    d = up - lo
    horiz = math.hypot(float(d[0]), float(d[2])) if p.shape[1] >= 3 else abs(float(d[0]))
    return math.degrees(math.atan2(horiz, -float(d[1])))


def _side_visible(vis: FloatArray, idx: tuple[int, ...]) -> bool:
    return bool(len(idx) == 0 or float(vis[list(idx)].min()) >= VISIBLE)


def _combine(left: float, right: float, how: str) -> float:
    if how == "max":
        return max(left, right)
    if how == "min":
        return min(left, right)
    return 0.5 * (left + right)


def _front_knee_medial(w: FloatArray) -> float | None:
    """For the leg with the more level thigh (the front leg of a lunge): how far its knee sits
    toward the body's midline from the hip-ankle line, in thigh lengths (> 0 = caving in)."""
    lateral = w[LM.LEFT_HIP] - w[LM.RIGHT_HIP]
    n = math.sqrt(float(lateral @ lateral))
    if n < 1e-6:
        return None
    lateral = lateral / n  # toward the body's left
    best: tuple[float, float] | None = None
    for hip, knee, ankle, side in (
        (LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE, 1.0),
        (LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE, -1.0),
    ):
        thigh = math.sqrt(float((w[knee] - w[hip]) @ (w[knee] - w[hip])))
        if thigh < 1e-6:
            continue
        incline = _incline(w, hip, knee)
        mid = 0.5 * (w[hip] + w[ankle])
        medial = -side * float((w[knee] - mid) @ lateral) / thigh
        if best is None or incline < best[0]:
            best = (incline, medial)
    return None if best is None else best[1]


def extract(defn: ExerciseDefinition, frame: PoseFrame) -> Features | Missing:
    """Measure one frame. Never raises on bad landmark values: returns :class:`Missing` instead."""
    t_s = frame.timestamp_ms / 1000.0
    lp = frame.landmarks_px
    if lp is None:
        return Missing(t_s, "no_person")
    if lp.shape != (33, 4) or not np.isfinite(lp).all():
        return Missing(t_s, "invalid")
    vis = lp[:, 3]
    left_ok = _side_visible(vis, defn.required[0])
    right_ok = _side_visible(vis, defn.required[1])
    if not (left_ok or right_ok):
        return Missing(t_s, "joints")
    px = lp[:, :2]
    w = frame.world_m
    is_3d = w is not None and w.shape == (33, 3) and bool(np.isfinite(w).all())
    geo = w if is_3d else px
    assert geo is not None

    tl: Triplet = defn.primary.left
    tr: Triplet = defn.primary.right
    # In 3-D the hidden side is still estimated sensibly, so both sides are averaged; in 2-D a
    # hidden limb is a guess, so only the visible side(s) are used.
    left_deg = _angle3(geo, *tl) if (is_3d or left_ok) else float("nan")
    right_deg = _angle3(geo, *tr) if (is_3d or right_ok) else float("nan")
    vals = [v for v in (left_deg, right_deg) if v == v]
    if not vals:
        return Missing(t_s, "invalid")
    primary = sum(vals) / len(vals)

    secondary: float | None = None
    sec = defn.secondary
    if sec is not None and is_3d:
        secondary = _combine(_incline(geo, *sec.left), _incline(geo, *sec.right), sec.combine)

    torso = _from_vertical(geo, (LM.LEFT_HIP, LM.RIGHT_HIP), (LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER))
    shin_l = _from_vertical(geo, (LM.LEFT_ANKLE, LM.LEFT_ANKLE), (LM.LEFT_KNEE, LM.LEFT_KNEE))
    shin_r = _from_vertical(geo, (LM.RIGHT_ANKLE, LM.RIGHT_ANKLE), (LM.RIGHT_KNEE, LM.RIGHT_KNEE))
    body_line = 0.5 * (
        _angle3(geo, LM.LEFT_SHOULDER, LM.LEFT_HIP, LM.LEFT_ANKLE) + _angle3(geo, LM.RIGHT_SHOULDER, LM.RIGHT_HIP, LM.RIGHT_ANKLE)
    )

    m0, m1 = defn.moving
    a0, a1 = defn.anchor
    height_m = None
    if is_3d:
        assert w is not None
        height_m = float(0.5 * (w[a0, 1] + w[a1, 1]) - 0.5 * (w[m0, 1] + w[m1, 1]))
    mx = 0.5 * (float(px[m0, 0]) + float(px[m1, 0]))
    my = 0.5 * (float(px[m0, 1]) + float(px[m1, 1]))
    ax = 0.5 * (float(px[a0, 0]) + float(px[a1, 0]))
    ay = 0.5 * (float(px[a0, 1]) + float(px[a1, 1]))
    height_px = math.hypot(ax - mx, ay - my)
    pl = px[list(defn.planted)]
    planted = (float(pl[:, 0].mean()), float(pl[:, 1].mean()))
    feet_low = (float(px[list(_FEET[0]), 1].max()), float(px[list(_FEET[1]), 1].max()))

    knee_ratio = None
    front_knee_medial = None
    yaw = None
    if is_3d:
        assert w is not None
        # Spreads measured along the body's left-right axis (the hip line): signed, so knees
        # crossing inward read as caving in, and a split stance's fore-aft offset does not count.
        lat = w[LM.LEFT_HIP] - w[LM.RIGHT_HIP]
        lat_n = math.sqrt(float(lat @ lat))
        if lat_n > 1e-6:
            lat = lat / lat_n
            a_spread = float((w[LM.LEFT_ANKLE] - w[LM.RIGHT_ANKLE]) @ lat)
            if a_spread > 0.05:
                knee_ratio = float((w[LM.LEFT_KNEE] - w[LM.RIGHT_KNEE]) @ lat) / a_spread
        front_knee_medial = _front_knee_medial(w)
        sd = w[LM.LEFT_SHOULDER] - w[LM.RIGHT_SHOULDER]
        hd = w[LM.LEFT_HIP] - w[LM.RIGHT_HIP]
        yaw = 0.5 * (
            math.degrees(math.atan2(abs(float(sd[2])), abs(float(sd[0])) + 1e-9))
            + math.degrees(math.atan2(abs(float(hd[2])), abs(float(hd[0])) + 1e-9))
        )
    heel_toe = 0.5 * (
        float(px[LM.LEFT_HEEL, 1] - px[LM.LEFT_FOOT_INDEX, 1]) + float(px[LM.RIGHT_HEEL, 1] - px[LM.RIGHT_FOOT_INDEX, 1])
    )
    return Features(
        t_s=t_s,
        primary_deg=primary,
        primary_left_deg=left_deg if left_deg == left_deg else None,
        primary_right_deg=right_deg if right_deg == right_deg else None,
        secondary_deg=secondary,
        torso_from_vertical_deg=torso,
        shin_from_vertical_deg=0.5 * (shin_l + shin_r),
        body_line_deg=body_line,
        height_m=height_m,
        height_px=height_px,
        planted_xy_px=planted,
        feet_low_y_px=feet_low,
        moving_xy_px=(mx, my),
        knee_ratio=knee_ratio,
        front_knee_medial=front_knee_medial,
        heel_minus_toe_px=heel_toe,
        yaw_deg=yaw,
        is_3d=is_3d,
    )
