"""Per-frame measurements (game.reps.features) over consecutive frames."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from game.pose.types import PoseFrame
from game.reps.definitions import LUNGE
from game.reps.features import Features, extract, extract_all
from game.reps.synthetic import Camera, lunge_pose, render


def _still_frames(p: np.ndarray, cam: Camera, rng: np.random.Generator, n: int = 45, fps: float = 15.0) -> list[PoseFrame]:
    """``n`` frames of one held pose, with the property tests' worst tracker noise (1 px, 15 mm)."""
    out = []
    for i in range(n):
        px, w = render(p, cam)
        px, w = px.copy(), w.copy()
        px[:, :2] += rng.normal(0.0, 1.0, (33, 2))
        w += rng.normal(0.0, 0.015, w.shape)
        out.append(PoseFrame(i * 1000.0 / fps, cam.image_size, px, w))
    return out


def _thigh(feats: Sequence[object]) -> np.ndarray:
    return np.array([f.secondary_deg for f in feats if isinstance(f, Features)], dtype=float)


def test_a_held_pose_reads_steadily_when_the_trust_is_followed() -> None:
    # Half way down a lunge head-on the front thigh points toward the camera: the image (about 88
    # degrees) and 3-D (about 40) disagree by some 50 degrees, and the image-trust weight between
    # them rests on the thigh's length in the image against its metric length. Read afresh each
    # frame, that weight swung with the world landmarks' noise and the blended incline with it
    # (standard deviation 7-10 degrees, steps of 20-42 between frames on these seeds); followed
    # in time, 3-6 degrees and steps of 7-22.
    cam = Camera(yaw_deg=0.0, distance_m=3.0, height_m=1.25)
    pose = lunge_pose(0.45, 1.0, True, stature=0.875)
    for seed in range(5):
        frames = _still_frames(pose, cam, np.random.default_rng(seed))
        afresh = _thigh([extract(LUNGE, fr) for fr in frames])
        followed = _thigh(extract_all(LUNGE, frames))[10:]  # after the first second's settling
        assert followed.std() < 0.75 * afresh.std(), (seed, followed.std(), afresh.std())
        assert np.abs(np.diff(followed)).max() < 0.75 * np.abs(np.diff(afresh)).max(), seed


def test_a_gap_starts_the_trust_afresh() -> None:
    cam = Camera(yaw_deg=0.0, distance_m=3.0, height_m=1.25)
    frames = _still_frames(lunge_pose(0.45, 1.0, True), cam, np.random.default_rng(7), n=3)
    first = extract(LUNGE, frames[0])
    assert isinstance(first, Features) and first.trust is not None
    late = PoseFrame(frames[1].timestamp_ms + 5000.0, frames[1].image_size, frames[1].landmarks_px, frames[1].world_m)
    # More than a second later the old weights are dropped: the same as reading the frame alone.
    after_gap, alone_late = extract(LUNGE, late, first.trust), extract(LUNGE, late)
    assert isinstance(after_gap, Features) and isinstance(alone_late, Features)
    assert after_gap.secondary_deg == alone_late.secondary_deg and after_gap.primary_deg == alone_late.primary_deg
    assert after_gap.trust is not None and alone_late.trust is not None
    assert after_gap.trust.weights == alone_late.trust.weights
    # Within it each weight carries on: part of the way from the last frame's to this frame's own.
    on = extract(LUNGE, frames[1], first.trust)
    alone = extract(LUNGE, frames[1])
    assert isinstance(on, Features) and isinstance(alone, Features)
    assert on.trust is not None and alone.trust is not None
    moved = 0
    for was, now, own in zip(first.trust.weights, on.trust.weights, alone.trust.weights, strict=True):
        assert min(was, own) - 1e-12 <= now <= max(was, own) + 1e-12
        moved += was != own and now not in (was, own)
    assert moved >= 1
