"""Per-frame measurements of one body for one exercise: angles, heights, anchors.

Joint angles are measured where they can be trusted (docs/REPS.md, "Angles where they are
trustworthy"). BlazePose's world landmarks are weakest in depth: a locked plank reads 149-155
degrees and a chest-to-floor push-up 85-106 degrees in 3-D, while the image shows 170+ and 55-86;
standing knees read 145-165 in 3-D and 165-178 in the image. But the image cannot see a knee
bending toward the camera (96 degrees in the image vs 76 in 3-D on squat_front_band). So each
limb's angle blends the two, weighted by how much of their full length both of its segments show
in the image (image length against metric length, at the body's own pixels-per-metre scale): a
limb lying in the image plane reads its image angle, one pointing into depth its 3-D angle. Pixel
coordinates are also used for what only they can tell: where the feet are on the floor, how big
the person is in the image, and for everything when there is no 3-D.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from game.pose.types import LM, FloatArray, PoseFrame
from game.reps.definitions import ExerciseDefinition, Triplet

VISIBLE = 0.5  # BlazePose visibility below this is treated as "not seen"

# Segments whose pixel length against their metric length gives the body's scale in the image.
_SCALE_SEGMENTS: tuple[tuple[int, int], ...] = (
    (LM.LEFT_SHOULDER, LM.LEFT_ELBOW), (LM.LEFT_ELBOW, LM.LEFT_WRIST),
    (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW), (LM.RIGHT_ELBOW, LM.RIGHT_WRIST),
    (LM.LEFT_HIP, LM.LEFT_KNEE), (LM.LEFT_KNEE, LM.LEFT_ANKLE),
    (LM.RIGHT_HIP, LM.RIGHT_KNEE), (LM.RIGHT_KNEE, LM.RIGHT_ANKLE),
    (LM.LEFT_SHOULDER, LM.LEFT_HIP), (LM.RIGHT_SHOULDER, LM.RIGHT_HIP),
)
# Foreshortening (image length / full length) at or below which the image angle gets no weight, and
# at or above which it gets all of it: cos(45 deg) ~ 0.7, a segment tilted 45 degrees out of the
# image plane; cos(18 deg) ~ 0.95, tilted so little that the image angle is off by a few degrees.
FACING_NONE = 0.7
FACING_FULL = 0.95
# A limb bent this much in 3-D, read this differently in the image, is checked for bending in
# depth (the plane through its three points turned away from the camera). Both are well outside
# the 3-D noise of a straight limb (standing knees read 145-165 in 3-D, 165-178 in the image).
HIDDEN_BEND_DEG = 140.0
HIDDEN_BEND_GAP_DEG = 15.0
# The check fades in over this many degrees either side of both numbers rather than switching at
# them: 3-D angles jitter by a few degrees from frame to frame (BlazePose world landmarks; 2-15 mm
# of tracker noise in the property tests), and a switch there made a knee hovering at 140 degrees
# read 137 on one frame and 165 on the next, a phantom turn and rebound in the middle of a partial
# squat. +-5 keeps a straight limb (3-D 145 and above) out of it entirely.
HIDDEN_BEND_FADE_DEG = 5.0
# Each limb's image-trust weight is followed in time with this time constant rather than read
# afresh each frame. Read afresh it swings with the noise of the bone length it rests on: at the
# bottom of a head-on partial lunge (15 mm of tracker noise, the property tests) the front thigh's
# weight read 0.23 -> 0.73 -> 0.0 on three consecutive frames, and with the image (88 degrees) and
# 3-D (39) 50 degrees apart the blended incline jumped 49.7 -> 74.1 -> 43.3, a phantom rebound
# reported as a second partial. 0.15 s is a third of the fastest real change of a limb's facing (a
# 1 s squat's or a 0.9 s push-up's descent, the property tests' quickest reps), so a real turn is
# followed within a fraction of the movement while frame-to-frame jitter averages over 4-9 frames
# at 15-30 fps. Only the weight is followed: the image and world landmarks of one frame err
# together on real clips (a mislocated knee shortens the thigh in both), so the ratio behind the
# weight is kept per frame (following the bone lengths instead cost a side-on split lunge at 60
# fps two reps). A gap of more than TRUST_GAP_S (the person gone, a stalled camera) starts afresh.
TRUST_TAU_S = 0.15
TRUST_GAP_S = 1.0

_SEG_A = np.array([a for a, _ in _SCALE_SEGMENTS])
_SEG_B = np.array([b for _, b in _SCALE_SEGMENTS])
_SEG_INDEX = {
    **{(a, b): i for i, (a, b) in enumerate(_SCALE_SEGMENTS)},
    **{(b, a): i for i, (a, b) in enumerate(_SCALE_SEGMENTS)},
}

_FEET = ((LM.LEFT_ANKLE, LM.LEFT_HEEL, LM.LEFT_FOOT_INDEX), (LM.RIGHT_ANKLE, LM.RIGHT_HEEL, LM.RIGHT_FOOT_INDEX))


@dataclass(frozen=True, slots=True)
class Features:
    """What one frame says about the body. Angles in degrees, heights in metres or pixels."""

    t_s: float
    # The main joint's angle, oriented to fall toward the bottom of the rep: the angle itself for
    # a joint that bends, 180 minus it for one that opens (``JointAngle.opens``).
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
    # The definition's low points (one per leg): the smaller height of either above its own foot's
    # lowest point, image pixels (a knee down by its foot, whatever the camera and the floor do).
    low_point_gap_px: float | None = None
    # The planted points are inside the picture (else floor contact is not judged). Inside it, a
    # foot hidden behind the other leg is still placed sensibly by the tracker; outside, it is a guess.
    is_planted_in_frame: bool = True
    # The definition's spread (Spread): the two points' distance across the body in lengths of
    # its scale segments (world landmarks; the image's x and lengths without them). None: not measured.
    spread_ratio: float | None = None
    # The planted points of each side (left, right), image pixels: each hand (foot) on its own.
    planted_sides_px: tuple[tuple[float, float], tuple[float, float]] | None = None
    # The image-trust weights used (3-D only): pass them to the next frame's extract().
    trust: ImageTrust | None = None


@dataclass(frozen=True, slots=True)
class ImageTrust:
    """Each limb's image-trust weight (0..1) as of ``t_s``, followed in time (``TRUST_TAU_S``):
    the primary joint's left and right limb, the secondary segment's left and right (nan: not
    seen on that frame, so followed afresh when seen again)."""

    t_s: float
    weights: tuple[float, float, float, float]


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


@dataclass(frozen=True, slots=True)
class Foreshortening:
    """Each scale segment's image length over its metric length (pixels per metre), and the
    body's scale in the image: a segment in the image plane shows its full metric length, one
    tilted toward the camera looks shorter, never longer. So the scale is the largest ratio over
    the visible limb and torso segments, the second largest, so that one mislocated landmark
    cannot inflate it (None with fewer than two visible segments)."""

    ratios: FloatArray
    scale: float | None

    def facing_weight(self, points: tuple[int, ...]) -> float:
        """How far to trust the image geometry of the chain ``points`` (0..1): its most
        foreshortened segment's share of its full length, mapped linearly from ``FACING_NONE``
        (no trust) to ``FACING_FULL`` (full trust)."""
        if self.scale is None or self.scale <= 0:
            return 0.0
        worst = min(float(self.ratios[_SEG_INDEX[(a, b)]]) for a, b in zip(points, points[1:])) / self.scale
        return max(0.0, min(1.0, (worst - FACING_NONE) / (FACING_FULL - FACING_NONE)))


def foreshortening(px: FloatArray, w: FloatArray, vis: FloatArray) -> Foreshortening:
    """Pixel/metre ratios of the scale segments (one vectorised pass) and the body's scale."""
    d_px = px[_SEG_A] - px[_SEG_B]
    d_w = w[_SEG_A] - w[_SEG_B]
    l_px = np.sqrt((d_px * d_px).sum(axis=1))
    l_m = np.sqrt((d_w * d_w).sum(axis=1))
    ratios = np.where(l_m > 1e-6, l_px / np.maximum(l_m, 1e-6), 0.0)
    ok = (vis[_SEG_A] >= VISIBLE) & (vis[_SEG_B] >= VISIBLE) & (l_m > 0.08)
    cand = np.sort(ratios[ok])
    return Foreshortening(ratios, float(cand[-2]) if cand.size >= 2 else None)


def plane_facing(w: FloatArray, t: Triplet) -> float:
    """0..1: how squarely the plane of a bent limb faces the camera (|normal . camera axis|),
    mapped from 0.3 (turned 73 degrees away: nothing) to 0.7 (turned 45 degrees: all)."""
    n = np.cross(w[t[0]] - w[t[1]], w[t[2]] - w[t[1]])
    nn = math.sqrt(float(n @ n))
    if nn < 1e-9:
        return 0.0
    return max(0.0, min(1.0, (abs(float(n[2])) / nn - 0.3) / 0.4))


def hidden_bend_doubt(a3_deg: float, a2_deg: float) -> float:
    """0..1: how strongly a limb reading ``a3_deg`` in 3-D and ``a2_deg`` in the image may be bending
    in depth: 1 when clearly bent (3-D under ``HIDDEN_BEND_DEG``) and read very differently (more
    than ``HIDDEN_BEND_GAP_DEG`` apart), 0 when neither, linear over ``HIDDEN_BEND_FADE_DEG`` either
    side of each, so that frame-to-frame jitter of the 3-D angle moves the blend a little, never
    from one source to the other."""
    fade = 2.0 * HIDDEN_BEND_FADE_DEG
    bent = (HIDDEN_BEND_DEG + HIDDEN_BEND_FADE_DEG - a3_deg) / fade
    gap = (abs(a2_deg - a3_deg) - HIDDEN_BEND_GAP_DEG + HIDDEN_BEND_FADE_DEG) / fade
    return max(0.0, min(1.0, bent)) * max(0.0, min(1.0, gap))


def _in_frame(px: FloatArray, size: tuple[int, int], idx: tuple[int, ...]) -> bool:
    w, h = size
    pts = px[list(idx)]
    return bool((pts[:, 0] >= 0).all() and (pts[:, 0] < w).all() and (pts[:, 1] >= 0).all() and (pts[:, 1] < h).all())


def _side_visible(vis: FloatArray, idx: tuple[int, ...]) -> bool:
    return bool(len(idx) == 0 or float(vis[list(idx)].min()) >= VISIBLE)


def _combine(left: float, right: float, how: str) -> float:
    if how == "max":
        return max(left, right)
    if how == "min":
        return min(left, right)
    return 0.5 * (left + right)


@functools.cache
def _sides_of(points: tuple[int, ...]) -> tuple[list[int], list[int]]:
    """The left and the right landmarks among ``points`` (once per definition)."""
    return [i for i in points if LM(i).name.startswith("LEFT_")], [i for i in points if LM(i).name.startswith("RIGHT_")]


def _planted_sides(px: FloatArray, planted: tuple[int, ...]) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The mean image position of the left and of the right planted points (None unless both sides
    have some)."""
    left, right = _sides_of(planted)
    if not left or not right:
        return None
    lp, rp = px[left], px[right]
    return (float(lp[:, 0].mean()), float(lp[:, 1].mean())), (float(rp[:, 0].mean()), float(rp[:, 1].mean()))


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


def extract(defn: ExerciseDefinition, frame: PoseFrame, trust: ImageTrust | None = None) -> Features | Missing:
    """Measure one frame, following the image-trust weights from the previous frame's
    (``Features.trust``; None: read afresh). Never raises on bad landmark values: returns
    :class:`Missing` instead."""
    t_s = frame.timestamp_ms / 1000.0
    lp = frame.landmarks_px
    if lp is None:
        return Missing(t_s, "no_person")
    if lp.shape != (33, 4) or not np.isfinite(lp).all():
        return Missing(t_s, "invalid")
    vis = lp[:, 3]
    left_ok = _side_visible(vis, defn.required[0])
    right_ok = _side_visible(vis, defn.required[1])
    px = lp[:, :2]
    w = frame.world_m
    is_3d = w is not None and w.shape == (33, 3) and bool(np.isfinite(w).all())
    if not (left_ok or right_ok) and not (is_3d and _in_frame(px, frame.image_size, defn.required[0] + defn.required[1])):
        # Joints out of the picture are missing. Joints inside it but seen poorly (a limb hidden
        # by the body, a weight or the dark) are still placed sensibly by the tracker, in 3-D as
        # the rest of the body implies: judged from the world landmarks alone (see joint() below).
        return Missing(t_s, "joints")
    geo = w if is_3d else px
    assert geo is not None

    tl: Triplet = defn.primary.left
    tr: Triplet = defn.primary.right
    fs = foreshortening(px, w, vis) if is_3d and w is not None else None
    weights = [math.nan] * 4
    dt = t_s - trust.t_s if trust is not None else 0.0
    keep = math.exp(-dt / TRUST_TAU_S) if trust is not None and 0.0 < dt <= TRUST_GAP_S else 0.0

    def steady(i: int, k: float) -> float:
        """Limb ``i``'s image-trust weight ``k`` of this frame, followed from the last frame's
        (a first-order low-pass, time constant TRUST_TAU_S) while the limb stays seen."""
        if trust is not None and keep > 0.0 and not math.isnan(trust.weights[i]):
            k = keep * trust.weights[i] + (1.0 - keep) * k
        weights[i] = k
        return k

    def joint(t: Triplet, ok: bool, i: int) -> float:
        """The angle of one limb. Without 3-D a hidden limb is a guess and is skipped; with 3-D a
        hidden limb is still estimated sensibly, from the world landmarks alone."""
        ok = ok and _side_visible(vis, t)
        if not is_3d or w is None:
            return _angle3(px, *t) if ok else float("nan")
        a3 = _angle3(w, *t)
        k = steady(i, fs.facing_weight(t)) if ok and fs is not None else 0.0
        if k <= 0.0:
            return a3
        a2 = _angle3(px, *t)
        doubt = hidden_bend_doubt(a3, a2)
        if doubt > 0.0:
            # A clearly bent limb that the image reads very differently: it may bend toward the
            # camera, which the image cannot see (or exaggerates, seen at a slant). Trust the
            # image only as far as the limb's plane faces the camera.
            k *= 1.0 - doubt * (1.0 - plane_facing(w, t))
        return k * a2 + (1.0 - k) * a3

    left_deg = joint(tl, left_ok, 0)
    right_deg = joint(tr, right_ok, 1)
    if defn.primary.opens:
        # An opening joint (arms raised sideways) turned around, so that the main angle falls
        # toward the bottom of every rep, whichever way the joint moves (JointAngle.opens).
        left_deg, right_deg = 180.0 - left_deg, 180.0 - right_deg
    vals = [v for v in (left_deg, right_deg) if v == v]
    if not vals:
        return Missing(t_s, "invalid")
    primary = sum(vals) / len(vals)

    secondary: float | None = None
    sec = defn.secondary
    if sec is not None and is_3d and w is not None:
        incl = []
        for i, (pair, ok) in enumerate(((sec.left, left_ok), (sec.right, right_ok)), start=2):
            k = steady(i, fs.facing_weight(pair)) if fs is not None and ok and _side_visible(vis, pair) else 0.0
            incl.append(k * _incline(px, *pair) + (1.0 - k) * _incline(w, *pair))
        secondary = _combine(incl[0], incl[1], sec.combine)
    elif sec is not None:
        # 2-D only: the visible segments' image inclines (exact side on, steep head-on: a thigh
        # pointing at the camera looks upright, so without depth this errs toward "not deep").
        seen = [_incline(px, *pair) for pair, ok in ((sec.left, left_ok), (sec.right, right_ok)) if ok]
        if seen:
            secondary = _combine(seen[0], seen[-1], sec.combine)

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
    sides = _planted_sides(px, defn.planted)
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
    spread_ratio = None
    sp = defn.spread
    if sp is not None:
        pts = w if is_3d and w is not None else px
        ref = 0.5 * sum(math.sqrt(float((pts[a] - pts[b]) @ (pts[a] - pts[b]))) for chain in sp.scale for a, b in chain)
        if is_3d and w is not None:
            lat3 = w[LM.LEFT_HIP] - w[LM.RIGHT_HIP]
            n3 = math.sqrt(float(lat3 @ lat3))
            if n3 > 1e-6 and ref > 1e-6:
                spread_ratio = abs(float((w[sp.left] - w[sp.right]) @ (lat3 / n3))) / ref
        elif ref > 1.0:
            spread_ratio = abs(float(px[sp.left, 0] - px[sp.right, 0])) / ref
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
        low_point_gap_px=None if defn.low_point is None else min(
            feet_low[0] - float(px[defn.low_point[0], 1]), feet_low[1] - float(px[defn.low_point[1], 1])
        ),
        is_planted_in_frame=_in_frame(px, frame.image_size, defn.planted),
        spread_ratio=spread_ratio,
        planted_sides_px=sides,
        trust=None if fs is None else ImageTrust(t_s, (weights[0], weights[1], weights[2], weights[3])),
    )


def extract_all(defn: ExerciseDefinition, frames: Iterable[PoseFrame]) -> list[Features | Missing]:
    """:func:`extract` over consecutive frames, following the image-trust weights from one to the next."""
    out: list[Features | Missing] = []
    trust: ImageTrust | None = None
    for fr in frames:
        f = extract(defn, fr, trust)
        if isinstance(f, Features):
            trust = f.trust
        out.append(f)
    return out
