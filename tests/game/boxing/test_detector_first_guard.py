"""A guard first seen where no guard can be (the arm hanging) is re-learnt once the hand rests.

On MediaPipe Tasks skeletons (pipeline 3) a wrist resting in its guard swings 10-20 cm in depth from
frame to frame (measured on punch_uppercut_cable_gym), so it never reads "still" in 3-D. A guard
learnt from a first frame with the arm hanging was then kept for good and every later punch of
that hand refused "not from a guard". The hand at rest in the image re-learns it, at once.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from game.boxing import PunchDetector
from game.pose.types import LM, PoseFrame
from tests.game.boxing.test_detector import make_punch, seed_of
from tests.game.boxing.test_detector_hidden_arm import ARMS


def hanging_start_with_depth_jitter(frames: tuple[PoseFrame, ...], hand: str, t_punch_s: float,
                                    depth_sigma_m: float, seed: int) -> list[PoseFrame]:
    """The first frame with ``hand``'s arm hanging straight down by the side; then, until 0.4 s
    before the punch, its wrist's depth jittered frame to frame (the image is left alone)."""
    s, e, w = ARMS[hand]
    rng = np.random.default_rng(seed)
    out = []
    for i, f in enumerate(frames):
        assert f.world_m is not None and f.landmarks_px is not None
        world, px = f.world_m.copy(), f.landmarks_px.copy()
        if i == 0:
            arm = float(np.linalg.norm(world[e] - world[s]) + np.linalg.norm(world[w] - world[e]))
            world[e] = world[s] + np.array([0.0, 0.5 * arm, 0.0])  # world y points down
            world[w] = world[s] + np.array([0.0, arm, 0.0])
            scale = (px[LM.LEFT_HIP, 1] - px[LM.LEFT_SHOULDER, 1]) / (world[LM.LEFT_HIP, 1] - world[LM.LEFT_SHOULDER, 1])
            px[e, :2] = px[s, :2] + np.array([0.0, 0.5 * arm * scale])
            px[w, :2] = px[s, :2] + np.array([0.0, arm * scale])
        elif f.t_s < t_punch_s - 0.4:
            world[w, 2] += rng.normal(0.0, depth_sigma_m)
        out.append(dataclasses.replace(f, world_m=world, landmarks_px=px))
    return out


# Views where the punch was refused "not from a guard" before the guard was re-learnt.
CASES = [("jab", 30.0), ("cross", -30.0), ("cross", 0.0)]


@pytest.mark.parametrize(("kind", "yaw"), CASES)
def test_a_hanging_first_guard_is_relearnt_despite_depth_jitter(kind: str, yaw: float) -> None:
    clip = make_punch(kind, yaw, seed_of("hanging first guard", kind, yaw))
    truth = clip.truth[0]
    frames = hanging_start_with_depth_jitter(clip.frames, truth.hand, truth.t_s, 0.05, seed=1)
    det = PunchDetector(orthodox=not clip.body.southpaw)
    got = [e for f in frames for e in det.update(f)]
    assert [(e.hand, e.kind, e.complete) for e in got] == [(truth.hand, truth.kind, True)]
    assert not any(why == "not from a guard" for _, _, why in det.rejected)


@pytest.mark.parametrize(("kind", "yaw"), CASES)
def test_the_hand_rising_from_the_hanging_start_is_not_a_punch(kind: str, yaw: float) -> None:
    """The guard is taken where the hand comes to rest, not followed there: measured from a guard
    half way up, the rise itself read as an uppercut."""
    clip = make_punch(kind, yaw, seed_of("hanging first guard", kind, yaw))
    truth = clip.truth[0]
    frames = hanging_start_with_depth_jitter(clip.frames, truth.hand, truth.t_s, 0.05, seed=1)
    det = PunchDetector(orthodox=not clip.body.southpaw)
    got = [e for f in frames for e in det.update(f)]
    assert all(abs(e.t_s - truth.t_s) < 0.3 for e in got)
