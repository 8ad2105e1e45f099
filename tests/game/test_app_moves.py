"""Generated skeletons: fixed bone lengths, loopable clips, player controls."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from game.moves import MOVES, ClipPlayer, SyntheticSession, pose_at, skeleton_floor
from game.pose.synthetic import STANDARD
from game.pose.types import LM
from tests.support.arrays import same_or_both_missing


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(MOVES)), st.floats(0.0, 1.0))
def test_bones_keep_their_length_through_every_move(key: str, frac: float) -> None:
    move = MOVES[key]
    pts = skeleton_floor(pose_at(move, move.duration_s * frac)[0])
    for a, b, length in ((LM.LEFT_HIP, LM.LEFT_KNEE, STANDARD.thigh_m),
                         (LM.RIGHT_KNEE, LM.RIGHT_ANKLE, STANDARD.shin_m),
                         (LM.LEFT_SHOULDER, LM.LEFT_ELBOW, STANDARD.upper_arm_m),
                         (LM.RIGHT_ELBOW, LM.RIGHT_WRIST, STANDARD.forearm_m)):
        assert abs(np.linalg.norm(pts[a] - pts[b]) - length) < 1e-6


@given(st.sampled_from(sorted(MOVES)))
def test_clips_loop_seamlessly(key: str) -> None:
    move = MOVES[key]
    start = skeleton_floor(pose_at(move, 0.0)[0])
    end = skeleton_floor(pose_at(move, move.duration_s)[0])
    assert np.allclose(start, end, atol=1e-6)


def test_clip_player_loops_one_phase_slows_and_replays() -> None:
    p = ClipPlayer(MOVES["squat"])
    p.step(1.0)
    phase = p.phase_index
    p.toggle_loop_phase()
    for _ in range(200):
        p.step(1 / 60)
        assert p.phase_index == phase
    p.cycle_speed()
    assert p.speed == 0.5
    t = p.t_s
    p.toggle_loop_phase()
    p.step(0.1)
    assert abs(p.t_s - (t + 0.05)) < 1e-9 or p.t_s < t
    p.replay()
    assert p.t_s == 0.0


def test_synthetic_session_is_seeded_and_timestamped() -> None:
    a = list(SyntheticSession(seed=5).frames())
    b = list(SyntheticSession(seed=5).frames())
    assert len(a) == len(b) > 100
    assert all(same_or_both_missing(x.landmarks_px, y.landmarks_px) for x, y in zip(a, b))
    ts = [f.timestamp_ms for f in a]
    assert all(t2 > t1 for t1, t2 in zip(ts, ts[1:]))
