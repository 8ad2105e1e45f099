"""The synthetic body does what the property tests assume it does."""

from __future__ import annotations

import numpy as np

from game.pose.synthetic import STANDARD
from game.pose.types import LM, PoseFrame
from game.reps.definitions import PUSHUP, SQUAT
from game.reps.features import Features, extract
from game.reps.synthetic import Camera, Move, lunge_pose, pushup_pose, render, simulate, standing_pose


def _knee(p: np.ndarray) -> float:
    u = p[LM.LEFT_HIP] - p[LM.LEFT_KNEE]
    v = p[LM.LEFT_ANKLE] - p[LM.LEFT_KNEE]
    return float(np.degrees(np.arccos(u @ v / np.linalg.norm(u) / np.linalg.norm(v))))


def test_segment_lengths_are_kept_by_the_inverse_kinematics() -> None:
    for s in (0.0, 0.2, 0.5):
        p = standing_pose(s)
        assert abs(np.linalg.norm(p[LM.LEFT_KNEE] - p[LM.LEFT_HIP]) - STANDARD.thigh_m) < 1e-6
    p = lunge_pose(1.0, 1.0, True)
    assert abs(np.linalg.norm(p[LM.RIGHT_KNEE] - p[LM.RIGHT_HIP]) - STANDARD.thigh_m) < 1e-6


def test_squat_depths_span_quarter_to_deep() -> None:
    assert _knee(standing_pose(0.0)) > 165
    assert 115 < _knee(standing_pose(0.5 * 0.2)) < 145  # a partial cycle in the property tests
    assert _knee(standing_pose(0.5 * 0.7)) < 95  # the shallowest full cycle
    assert _knee(standing_pose(0.5)) < 75


def test_pushup_elbow_goes_from_straight_to_bent_and_hands_stay_down() -> None:
    top, bottom = pushup_pose(0.0), pushup_pose(0.42)
    for p in (top, bottom):
        assert abs(p[LM.LEFT_WRIST, 1] - 0.03) < 1e-9
    f_top = extract(PUSHUP, _frame(top))
    f_bot = extract(PUSHUP, _frame(bottom))
    assert isinstance(f_top, Features) and isinstance(f_bot, Features)
    assert f_top.primary_deg > 160 and f_bot.primary_deg < 100
    assert f_top.torso_from_vertical_deg > 60


def _frame(points: np.ndarray, cam: Camera = Camera()) -> PoseFrame:
    px, w = render(points, cam)
    return PoseFrame(0.0, cam.image_size, px, w)


def test_camera_yaw_changes_pixels_but_angles_stay_close() -> None:
    # Angles blend the image (exact for a limb in the image plane) and the world landmarks (for a
    # limb pointing into depth): turning the camera moves the reading by a few degrees, never by
    # the 20-30 degrees a pure image angle loses to a knee bending toward the camera.
    for depth in (0.0, 0.3, 0.6, 1.0):
        p = standing_pose(depth)
        angles = []
        for yaw in (0.0, 20.0, 45.0, 70.0, 90.0):
            f = extract(SQUAT, _frame(p, Camera(yaw_deg=yaw)))
            assert isinstance(f, Features)
            angles.append(f.primary_deg)
        assert max(angles) - min(angles) < 14.0, (depth, angles)
    p = standing_pose(0.3)
    px_side, _ = render(p, Camera(yaw_deg=90.0))
    assert min(px_side[LM.LEFT_KNEE, 3], px_side[LM.RIGHT_KNEE, 3]) < 0.5  # far leg hidden side on
    px_front, _ = render(p, Camera(yaw_deg=0.0))
    assert px_front[:, 3].min() > 0.9


def test_jump_leaves_the_floor_and_drops_frames_when_asked() -> None:
    fs = simulate("squat", [Move("stand", 0.5), Move("jump", 1.0, depth=0.6, height_m=0.3)], rng=np.random.default_rng(0), noise_px=0.1)
    ys = [f.landmarks_px[LM.LEFT_ANKLE, 1] for f in fs if f.landmarks_px is not None]
    assert min(ys) < ys[0] - 50  # feet well above where they stood (pixels, y down)
    dropped = simulate("squat", [Move("stand", 10.0)], rng=np.random.default_rng(0), drop_p=0.3)
    assert 180 < len(dropped) < 240
    ts = [f.timestamp_ms for f in dropped]
    assert ts == sorted(ts)
