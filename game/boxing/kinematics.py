"""Per-frame arm kinematics from a :class:`PoseFrame`: the quantities the punch detector, the kind
classifiers and the game read. Pure numpy, no state.

Coordinates: BlazePose world landmarks when present (metres, hip-centred, camera-aligned axes, y
down). Without them (a 2-D-only backend, COCO keypoints) the image landmarks are used, scaled so
that the torso (shoulder midpoint to hip midpoint) reads 0.5 m and with depth 0: detection still
works from the side, less well for punches thrown straight at the camera.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from game.pose.types import LM, FloatArray, PoseFrame

# A joint is trusted when BlazePose's visibility is at least this: below it, the far arm in a
# profile view is a guess that mirrors the near one (measured on punches_straight_profile: the
# hidden arm reads 0.0-0.3 while it "punches" along with the visible one).
MIN_VISIBILITY = 0.5
# Torso length assumed for image-only input (BlazePose world torso of an adult: 0.45-0.55 m).
TORSO_M_2D = 0.5

# Speeds are measured over the shortest run of recent frames spanning at least this long: two frame
# intervals of the 30 fps clips every speed threshold was measured on (docs/BOXING.md), so at 24-30
# fps the speed is the same backward difference as before, and at any other frame rate it is still
# the wrist's average speed over about 67 ms. A span in frames would halve at 60 fps (doubling the
# landmark noise in every speed) and triple at 10 fps.
SPEED_WINDOW_S = 2.0 / 30.0
# Timestamps are whole milliseconds: a 30 fps frame two intervals back reads 66 or 67 ms old.
TIME_TOLERANCE_S = 0.002

SIDES = {
    "left": (LM.LEFT_SHOULDER, LM.LEFT_ELBOW, LM.LEFT_WRIST),
    "right": (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW, LM.RIGHT_WRIST),
}


@dataclass(frozen=True, slots=True)
class ArmSample:
    """One arm in one frame. Positions in metres relative to the shoulder midpoint, y up."""

    is_valid: bool
    wrist_m: FloatArray  # (3,)
    elbow_m: FloatArray
    shoulder_m: FloatArray
    straightness: float  # |wrist - shoulder| / (upper arm + forearm), in (0, 1]
    segment_sum_m: float  # upper arm + forearm as seen in this frame
    visibility: float = 1.0  # the least visible of its three joints (BlazePose visibility, 0-1)
    in_view: bool = True  # elbow and wrist inside the image (drawn there, seen or guessed)


@dataclass(frozen=True, slots=True)
class BodySample:
    """Both arms plus the landmarks the rules need, for one frame."""

    t_s: float
    is_3d: bool
    left: ArmSample
    right: ArmSample
    nose_m: FloatArray  # relative to the shoulder midpoint, y up
    other_shoulder: dict[str, FloatArray]
    shoulder_mid_px: FloatArray  # (2,) pixels
    torso_px: float
    feet_m: FloatArray | None = None  # left ankle minus right ankle (metres, y up); None if unseen
    shoulder_width_px: float = 0.0  # distance between the shoulders in the image

    def shoulder_ratio(self) -> float:
        """Shoulder width over torso length, both in the image: about 0.75 facing the camera
        (biacromial breadth ~0.38 m over a ~0.5 m torso), 0.75 cos(yaw) turned by ``yaw``, near 0
        in profile. A view measure that needs no depth."""
        return self.shoulder_width_px / self.torso_px if self.torso_px > 1.0 else 0.75

    def arm(self, hand: str) -> ArmSample:
        return self.left if hand == "left" else self.right


def _points(frame: PoseFrame, use_world: bool = True) -> tuple[FloatArray, bool] | None:
    """(33, 3) positions in metres with y up, and whether they are 3-D."""
    px = frame.landmarks_px
    if px is None:
        return None
    if use_world and frame.world_m is not None and np.all(np.isfinite(frame.world_m)):
        p = np.asarray(frame.world_m, dtype=np.float64).copy()
        p[:, 1] = -p[:, 1]
        return p, True
    sh = (px[LM.LEFT_SHOULDER, :2] + px[LM.RIGHT_SHOULDER, :2]) / 2
    hp = (px[LM.LEFT_HIP, :2] + px[LM.RIGHT_HIP, :2]) / 2
    torso = float(np.linalg.norm(sh - hp))
    if not np.isfinite(torso) or torso < 1.0:
        return None
    p = np.zeros((px.shape[0], 3))
    p[:, 0] = px[:, 0] * (TORSO_M_2D / torso)
    p[:, 1] = -px[:, 1] * (TORSO_M_2D / torso)
    return p, False


def sample_body(frame: PoseFrame, *, use_world: bool = True) -> BodySample | None:
    """The kinematics of one frame, or None when nobody (or nothing usable) is in view.

    ``use_world=False`` reads the image plane only (the image landmarks scaled by the torso, depth
    0) even when world landmarks are present."""
    got = _points(frame, use_world)
    if got is None:
        return None
    p, is_3d = got
    px = frame.landmarks_px
    assert px is not None
    if not np.all(np.isfinite(px[:25])):
        return None
    vis = px[:, 3]
    w, h = frame.image_size
    inside = (px[:, 0] >= 0) & (px[:, 0] < w) & (px[:, 1] >= 0) & (px[:, 1] < h)
    mid = (p[LM.LEFT_SHOULDER] + p[LM.RIGHT_SHOULDER]) / 2
    arms: dict[str, ArmSample] = {}
    for side, (s, e, wr) in SIDES.items():
        S, E, W = p[s] - mid, p[e] - mid, p[wr] - mid
        seg = float(np.linalg.norm(E - S) + np.linalg.norm(W - E))
        straight = float(np.linalg.norm(W - S) / seg) if seg > 1e-6 else 0.0
        in_view = bool(inside[e] and inside[wr] and seg > 1e-6)
        ok = bool(min(vis[s], vis[e], vis[wr]) >= MIN_VISIBILITY and in_view)
        arms[side] = ArmSample(ok, W, E, S, straight, seg, float(min(vis[s], vis[e], vis[wr])), in_view)
    sh_px = (px[LM.LEFT_SHOULDER, :2] + px[LM.RIGHT_SHOULDER, :2]) / 2
    hp_px = (px[LM.LEFT_HIP, :2] + px[LM.RIGHT_HIP, :2]) / 2
    torso_px = float(np.linalg.norm(sh_px - hp_px))
    feet = None
    if all(vis[a] >= MIN_VISIBILITY and inside[a] for a in (LM.LEFT_ANKLE, LM.RIGHT_ANKLE)):
        feet = p[LM.LEFT_ANKLE] - p[LM.RIGHT_ANKLE]
    return BodySample(
        t_s=frame.timestamp_ms / 1000.0,
        is_3d=is_3d,
        left=arms["left"],
        right=arms["right"],
        nose_m=p[LM.NOSE] - mid,
        other_shoulder={"left": p[LM.RIGHT_SHOULDER] - mid, "right": p[LM.LEFT_SHOULDER] - mid},
        shoulder_mid_px=sh_px,
        torso_px=torso_px,
        feet_m=feet,
        shoulder_width_px=float(np.linalg.norm(px[LM.LEFT_SHOULDER, :2] - px[LM.RIGHT_SHOULDER, :2])),
    )


def window_start(times: Sequence[float], span_s: float) -> int:
    """The index of the latest sample at least ``span_s`` older than the last one (within
    ``TIME_TOLERANCE_S``), or 0 when none is: the samples from there on are the shortest run of
    recent frames that spans ``span_s``, whatever the frame rate and however uneven the gaps
    (dropped frames)."""
    t_last = times[-1]
    for i in range(len(times) - 2, -1, -1):
        if t_last - times[i] >= span_s - TIME_TOLERANCE_S:
            return i
    return 0


def velocity(times: Sequence[float], values: Sequence[FloatArray], span_s: float = SPEED_WINDOW_S) -> FloatArray:
    """The rate of change (per second) of ``values`` at the last sample: the least-squares slope
    over the shortest run of recent samples spanning ``span_s`` (:func:`window_start`), at least the
    last two. With three evenly spaced samples the slope is the end-to-end difference over the span
    (the backward difference the thresholds were measured with); with more (a faster camera) it
    averages out landmark noise instead of amplifying it; uneven gaps are weighted by their times.
    Zero with fewer than two samples or no time between them."""
    n = len(times)
    if n < 2 or n != len(values):
        return np.zeros(np.shape(values[-1]) if values else 3)
    i = window_start(times, span_s)
    ts = times[i:]
    mean = sum(ts) / len(ts)
    t = np.array([x - mean for x in ts], dtype=np.float64)
    denom = float(t @ t)
    if denom <= 1e-12:
        return np.zeros(np.shape(values[-1]))
    # The slope sum(dt * (v - mean v)) / sum(dt^2); sum(dt) is 0, so the mean of v drops out.
    return np.asarray(t @ np.array(values[i:], dtype=np.float64)) / denom
