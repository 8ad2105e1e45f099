"""Jumping jacks: an exercise whose measured joint opens (arms raised sideways) and whose feet jump
apart, counted by the same engine as squats, from generated bodies at several views and speeds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.moves import SyntheticSession
from game.pose.types import LM, PoseFrame
from game.reps import DEFINITIONS, RepEvent, make_rep_detector
from game.reps.synthetic import Camera, Move, jumping_jack_pose, render, simulate

JACKS_CLIP = "neg_jumping_jacks_gym_60fps"

JACK = "jumping_jack"
LEGS = (LM.LEFT_HIP, LM.RIGHT_HIP, LM.LEFT_KNEE, LM.RIGHT_KNEE, LM.LEFT_ANKLE, LM.RIGHT_ANKLE,
        LM.LEFT_HEEL, LM.RIGHT_HEEL, LM.LEFT_FOOT_INDEX, LM.RIGHT_FOOT_INDEX)


def run(frames: list[PoseFrame], exercise: str = JACK) -> tuple[Any, list[RepEvent]]:
    det = make_rep_detector(exercise)
    events: list[Any] = []
    for f in frames:
        events += det.update(f)
    events += det.finish()
    return det, [e for e in events if isinstance(e, RepEvent)]


@pytest.mark.parametrize("yaw", [0.0, 30.0, 60.0, 90.0])
@pytest.mark.parametrize("rep_s", [0.6, 1.0, 1.6])
def test_full_jacks_count_and_half_ones_do_not(yaw: float, rep_s: float) -> None:
    """Six full jacks (feet out, hands overhead, back) then one with the arms only to shoulder
    height: six counted, the seventh paused as not deep enough, at any view and cadence."""
    script = [Move("stand", 1.5)] + [Move("rep", rep_s), Move("stand", 0.1)] * 6
    script += [Move("partial", rep_s, depth=0.5), Move("stand", 1.0)]
    frames = simulate(JACK, script, rng=np.random.default_rng(int(yaw) + int(10 * rep_s)), camera=Camera(yaw_deg=yaw))
    det, reps = run(frames)
    assert det.count == 6
    assert [r.counted for r in reps] == [True] * 6 + [False]
    assert reps[-1].reason == "not_deep_enough"
    assert all(r.score is not None and r.score >= 80 for r in reps[:6])


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 5), rep_s=st.floats(0.5, 1.8), yaw=st.floats(0.0, 90.0), stature=st.floats(0.85, 1.15),
       noise_px=st.floats(0.3, 2.5), seed=st.integers(0, 10_000), partial=st.floats(0.2, 0.6))
def test_any_set_counts_its_full_jacks_once_and_a_partial_never(
        n: int, rep_s: float, yaw: float, stature: float, noise_px: float, seed: int, partial: float) -> None:
    """Whatever the body's size, the view, the cadence and the tracker noise: n full jacks count
    n, and a jack with the arms short of overhead (at most 110 degrees) never counts."""
    script = [Move("stand", 1.2)] + [Move("rep", rep_s), Move("stand", 0.15)] * n
    script += [Move("partial", rep_s, depth=partial), Move("stand", 0.8)]
    frames = simulate(JACK, script, rng=np.random.default_rng(seed), camera=Camera(yaw_deg=yaw), stature=stature,
                      noise_px=noise_px)
    det, _ = run(frames)
    assert det.count == n


def test_jacks_count_at_a_low_frame_rate_and_with_dropped_frames() -> None:
    script = [Move("stand", 1.5)] + [Move("rep", 0.8), Move("stand", 0.1)] * 8 + [Move("stand", 1.0)]
    frames = simulate(JACK, script, rng=np.random.default_rng(9), fps=15.0, drop_p=0.1)
    det, _ = run(frames)
    assert det.count == 8


def test_the_opening_joint_is_reported_as_the_angle_itself() -> None:
    """The engine works on the angle turned around (180 - angle); the metrics give the real one."""
    assert DEFINITIONS[JACK].primary.opens and not DEFINITIONS["squat"].primary.opens
    script = [Move("stand", 1.5), Move("rep", 1.0), Move("stand", 1.0)]
    _, reps = run(simulate(JACK, script, rng=np.random.default_rng(1), camera=Camera(yaw_deg=0.0)))
    m = reps[0].metrics
    assert 160.0 <= m["max_arm_raise_deg"] <= 180.0  # generated arms reach 172 degrees
    assert m["arm_raise_opening_deg"] >= 125.0
    assert m["spread_gain"] >= 0.5  # the feet went out by more than half a leg (generated: 0.57)
    assert set(reps[0].score_parts) == {"depth", "spread", "symmetry"}


@pytest.mark.parametrize("exercise", ["squat", "lunge", "pushup"])
@pytest.mark.parametrize("yaw", [0.0, 45.0, 90.0])
def test_other_exercises_never_count_as_jacks(exercise: str, yaw: float) -> None:
    """Squats raise the arms forward (shoulder-high) and keep the feet planted; lunges step
    forward and back, not apart; push-ups are not upright."""
    script = [Move("stand", 1.5)] + [Move("rep", 1.6), Move("stand", 0.4)] * 5
    frames = simulate(exercise, script, rng=np.random.default_rng(5), camera=Camera(yaw_deg=yaw))
    det, _ = run(frames)
    assert det.count == 0


@pytest.mark.parametrize("yaw", [0.0, 45.0, 90.0])
def test_walking_never_counts(yaw: float) -> None:
    frames = simulate("squat", [Move("stand", 1.0), Move("walk", 6.0, speed_mps=0.8)], rng=np.random.default_rng(4),
                      camera=Camera(yaw_deg=yaw))
    det, _ = run(frames)
    assert det.count == 0


def _half_jacks(part: str, n: int = 5, fps: float = 30.0, seed: int = 2) -> list[PoseFrame]:
    """Jacks with only the arms (feet stay together) or only the legs (arms stay down)."""
    rng = np.random.default_rng(seed)
    cam = Camera(yaw_deg=0.0)
    rest = jumping_jack_pose(0.0)
    depths = [0.0] * int(1.5 * fps)
    for _ in range(n):
        depths += list(np.sin(np.linspace(0.0, np.pi, int(0.9 * fps))))
    depths += [0.0] * int(fps)
    frames = []
    for i, d in enumerate(depths):
        pts = jumping_jack_pose(float(d))
        if part == "arms":
            pts[list(LEGS)] = rest[list(LEGS)]
        else:
            keep = [i for i in range(33) if i not in LEGS]
            pts[keep] = rest[keep]
        px, w = render(pts, cam)
        px[:, :2] += rng.normal(0.0, 1.0, size=(33, 2))
        frames.append(PoseFrame(1000.0 * i / fps, cam.image_size, px, w + rng.normal(0.0, 0.008, size=(33, 3)), i))
    return frames


@pytest.mark.parametrize("part", ["arms", "legs"])
def test_arms_alone_or_legs_alone_are_not_a_jack(part: str) -> None:
    """Both conditions make a jack (the progress is the lesser of the arms' and the feet's)."""
    det, reps = run(_half_jacks(part))
    assert det.count == 0
    assert not any(r.counted for r in reps)


def test_the_demo_player_counts_its_full_jacks_only() -> None:
    """The demo generator (game.moves, front view) at 30 and 15 fps: the full jacks count, the
    shallow one (arms to about 60 degrees) does not."""
    for fps in (30.0, 15.0):
        session = SyntheticSession(exercise=JACK, depths=(1.0, 1.0, 0.3, 1.0, 1.0), fps=fps)
        det, reps = run(list(session.frames()))
        assert det.count == 4, fps
        assert all(r.counted for r in reps)


@pytest.mark.shared_data
def test_a_real_set_of_jacks(shared_recording: Callable[[str], Path]) -> None:
    """The shared clip of a man doing jumping jacks (labelled as a squat negative, no jack count):
    6 complete jacks by eye on a 0.15 s frame sheet (the clip opens on a half one). Not used to
    choose any threshold: they were set from the standard and the generated body first."""
    from game.pose.recording import read_recording

    recording = shared_recording(JACKS_CLIP)
    det, reps = run(list(read_recording(recording)))
    assert det.count == 6
    assert all(r.counted for r in reps)


@pytest.mark.shared_data
def test_no_other_shared_clip_counts_a_jack(shared_recording: Callable[[str], Path], labels: dict[str, Any]) -> None:
    """Every other labelled clip (squats, push-ups, lunges, punches, walking, waving both arms
    overhead, clapping, high knees): no jumping jack. neg_waving_both_arms found the first
    version's flaw (the feet's spread measured against the shoulders, which BlazePose pulls in
    when the arms go up), so it is no longer an unseen check."""
    from game.pose.recording import read_recording

    stems = sorted(Path(name).stem for name in labels["videos"])
    clips = [shared_recording(stem) for stem in stems if stem != JACKS_CLIP]
    assert len(clips) >= 40
    counted = {}
    for path in clips:
        det, _ = run(list(read_recording(path)))
        if det.count:
            counted[path.stem] = det.count
    assert counted == {}
