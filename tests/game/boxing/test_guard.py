"""A punch leaves from a guard (game/boxing/guard.py): the arm swing of someone marching in place,
whose hands hang at the sides and swing up past the chin, is no uppercut; punches thrown from a
guard still count."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from game.analysis import make_detector
from game.boxing import DetectorOptions, PunchEvent
from game.boxing.events import Hand
from game.boxing.guard import GuardWatch, is_guard
from game.boxing.kinematics import ArmSample, BodySample, sample_body
from game.pose.types import PoseFrame
from game.reps.synthetic import Move, simulate
from models.punch_synth import (
    Body,
    Noise,
    _Programme,
    _Scalar,
    _Track,
    render,
    sample_camera,
    scheduled_clip,
)
from tests.game.boxing.test_detector import make_punch, seed_of

HANGING = (0.0, -0.97, 0.05)  # wrist over the shoulder, arm lengths (x inward, y up, z forward)
SIDE_POLE = (0.2, -1.0, -0.5)
CHIN = (-0.15, 0.05, 0.45)  # a marcher's fist swung up to the chin, the elbow down and forward
CHIN_POLE = (0.3, -1.0, 0.4)
BACK = (0.0, -0.96, -0.25)  # ... while the other arm swings a little back, still hanging


def march(rng: np.random.Generator, yaw_deg: float, *, hang_s: float) -> list[PoseFrame]:
    """Marching in place: arms hanging for ``hang_s``, then swinging in opposition (one fist up to
    the chin in 0.25-0.35 s while the other swings back), two steps every 1.1-1.4 s, knees lifting."""
    body = Body.sample(rng)
    left, right = _Track(), _Track()
    for track in (left, right):
        track.add(0.0, HANGING, SIDE_POLE)
        track.add(hang_s, HANGING, SIDE_POLE)
    t, up_left = hang_s, True
    cycle = float(rng.uniform(1.1, 1.4))
    while t < hang_s + 4.0:
        up, back = (left, right) if up_left else (right, left)
        rise = float(rng.uniform(0.25, 0.35))
        up.add(t + rise, CHIN, CHIN_POLE)
        back.add(t + rise, BACK, SIDE_POLE)
        up.add(t + cycle / 2, HANGING, SIDE_POLE)
        back.add(t + cycle / 2, HANGING, SIDE_POLE)
        t += cycle / 2
        up_left = not up_left
    yaw, crouch = _Scalar(), _Scalar()
    yaw.add(0.0, 0.0)
    crouch.add(0.0, 0.0)
    prog = _Programme(left, right, yaw, crouch, step_hz=2.0 / cycle, duration_s=t + 0.3)
    noise = Noise(drop_prob=0.0)
    return render(prog, body, sample_camera(rng, yaw_deg), noise, rng)


def complete_punches(frames: list[PoseFrame]) -> list[PunchEvent]:
    det = make_detector("boxing")
    events = [e for f in frames for e in det.update(f)] + list(det.finish())
    return [e for e in events if isinstance(e, PunchEvent) and e.complete]


@pytest.mark.parametrize("yaw", [0.0, 30.0, -30.0])
@pytest.mark.parametrize("seed", range(3))
def test_marching_in_place_throws_no_punch(yaw: float, seed: int) -> None:
    rng = np.random.default_rng(seed_of("march", yaw, seed))
    got = complete_punches(march(rng, yaw, hang_s=float(rng.uniform(0.5, 1.0))))
    assert got == [], [e.to_json() for e in got]


def test_the_march_swings_like_an_uppercut_without_the_guard_test() -> None:
    """What the test above guards against: with no guard required, the same arm swings are
    reported as uppercuts (the phantom of neg_march_in_place in boxing mode)."""
    phantoms = 0
    for seed in range(3):
        for yaw in (0.0, 30.0, -30.0):
            rng = np.random.default_rng(seed_of("march", yaw, seed))
            frames = march(rng, yaw, hang_s=float(rng.uniform(0.5, 1.0)))
            det = make_detector("boxing")
            for channel in (det.world, det.image):  # type: ignore[attr-defined]
                channel._guards = _Permissive()
            phantoms += sum(1 for f in frames for e in det.update(f) if isinstance(e, PunchEvent) and e.complete)
    assert phantoms > 0


class _Permissive(GuardWatch):
    """No guard required: every punch passes."""

    def was_in_guard(self, hand: Hand, onset_s: float) -> bool:
        return True


@pytest.mark.parametrize("seed", range(3))
def test_jumping_jacks_throw_no_punch(seed: int) -> None:
    frames = simulate("jumping_jack", [Move("stand", 1.0)] + [Move("rep", 1.0)] * 8,
                      rng=np.random.default_rng(seed_of("jacks", seed)))
    got = complete_punches(frames)
    assert got == [], [e.to_json() for e in got]


@pytest.mark.parametrize("kind,yaw", [("jab", 0.0), ("cross", 30.0), ("hook", 0.0), ("uppercut", 35.0),
                                      ("jab", 80.0), ("cross", -80.0)])
def test_punches_from_the_guard_still_count(kind: str, yaw: float) -> None:
    clip = make_punch(kind, yaw, seed_of("guarded", kind, yaw))
    got = complete_punches(list(clip.frames))
    assert len(got) == 1 and got[0].hand == clip.truth[0].hand, [e.to_json() for e in got]


def _arm(wrist_y: float) -> ArmSample:
    return ArmSample(True, np.array([0.1, wrist_y, 0.2]), np.array([0.2, -0.25, 0.05]),
                     np.array([0.18, 0.0, 0.0]), 0.5, 0.6)


def test_guard_height_is_between_the_hanging_arm_and_a_raised_hand() -> None:
    opt = DetectorOptions()  # guard_floor -0.7 arm lengths under the shoulder, at most 0.3 over the nose
    nose_y, arm_m = 0.25, 0.6
    assert is_guard(_arm(0.1), nose_y, arm_m, opt)
    assert not is_guard(_arm(-0.5), nose_y, arm_m, opt)  # -0.83 arm lengths: hanging
    assert not is_guard(_arm(0.5), nose_y, arm_m, opt)  # 0.42 over the nose: raised


def test_vet_keeps_punches_whose_hand_was_in_guard_within_the_lookback() -> None:
    frames = simulate("squat", [Move("stand", 3.0)], rng=np.random.default_rng(1))  # arms low: no guard
    watch = GuardWatch()
    opt = DetectorOptions()
    for f in frames:
        s = sample_body(f)
        assert s is not None
        watch.update(s, s.left.segment_sum_m, opt)
    e = PunchEvent(t_s=2.5, hand="left", lead=True, kind="uppercut", speed_mps=3.0, extension=0.7,
                   complete=True, onset_s=2.3, detected_s=2.5)
    rejected: list[tuple[float, Hand, str]] = []
    assert watch.vet([e], rejected) == [] and rejected == [(2.5, "left", "not thrown from a guard")]


def _body(t_s: float, wrist_y: float, foot_up_m: float) -> BodySample:
    arm = _arm(wrist_y)
    return BodySample(t_s=t_s, is_3d=True, left=arm, right=arm, nose_m=np.array([0.0, 0.25, 0.1]),
                      other_shoulder={"left": np.array([-0.18, 0.0, 0.0]), "right": np.array([0.18, 0.0, 0.0])},
                      shoulder_mid_px=np.array([320.0, 200.0]), torso_px=150.0,
                      feet_m=np.array([0.3, foot_up_m, 0.0]))


@pytest.mark.parametrize("foot_up_m,kept", [(0.0, True), (0.3, True), (0.66, False)])
def test_a_punch_with_a_foot_raised_is_a_knee_coming_up(foot_up_m: float, kept: bool) -> None:
    """Guard held, then a drive from 1.0 s to 1.2 s with one ankle ``foot_up_m`` over the other
    (arm 0.6 m: 0.3 m is half an arm, a stance seen from above; 0.66 m is 1.1 arms, a knee at hip
    height)."""
    watch, opt = GuardWatch(), DetectorOptions()
    for i in range(40):
        t = i / 30
        watch.update(_body(t, 0.1, foot_up_m if t >= 1.0 else 0.0), 0.6, opt)
    e = PunchEvent(t_s=1.2, hand="left", lead=True, kind="jab", speed_mps=3.0, extension=0.95,
                   complete=True, onset_s=1.0, detected_s=1.25)
    rejected: list[tuple[float, Hand, str]] = []
    assert (watch.vet([e], rejected) == [e]) is kept, rejected


def _boxer_then_marcher(seed: int, yaw: float) -> list[PoseFrame]:
    """A boxer standing in guard for a second, then (a cut, or the tracker switching people)
    someone else a step to the side, whose arms hang for a moment and then swing as they march."""
    boxer = list(scheduled_clip([], 1.0, np.random.default_rng(seed)).frames)
    t0 = boxer[-1].timestamp_ms + 33.0
    out = list(boxer)
    for f in march(np.random.default_rng(seed_of("march", yaw, seed)), yaw, hang_s=0.05):
        lm = None if f.landmarks_px is None else f.landmarks_px + np.array([250.0, 0.0, 0.0, 0.0])
        out.append(replace(f, timestamp_ms=f.timestamp_ms + t0, landmarks_px=lm, index=len(out)))
    return out


@pytest.mark.parametrize("yaw", [0.0, 30.0, -30.0])
@pytest.mark.parametrize("seed", range(4))
def test_the_last_persons_guard_is_not_the_next_ones(yaw: float, seed: int) -> None:
    """The guard a punch must leave from is the puncher's own: when the detector sees a new
    person, the guards of the one before are forgotten (else the marcher's first swings, within
    the look-back of the boxer's guard, counted as uppercuts)."""
    got = complete_punches(_boxer_then_marcher(seed, yaw))
    assert got == [], [e.to_json() for e in got]


def test_a_longer_lookback_keeps_the_frames_it_needs() -> None:
    """The guard held at the start, then the hand raised over the nose (neither guard nor
    hanging) until a punch leaves 4.5 s later: a 5 s lookback finds the guard (the history is
    kept for the lookback, not only for the default 3 s), the default 1 s does not."""
    opt = DetectorOptions()
    e = PunchEvent(t_s=4.7, hand="left", lead=True, kind="jab", speed_mps=3.0, extension=0.95,
                   complete=True, onset_s=4.5, detected_s=4.75)
    for lookback_s, kept in ((5.0, True), (1.0, False)):
        watch = GuardWatch(lookback_s=lookback_s)
        for i in range(150):
            t = i / 30
            watch.update(_body(t, 0.1 if t < 0.2 else 0.5, 0.0), 0.6, opt)
        rejected: list[tuple[float, Hand, str]] = []
        assert (watch.vet([e], rejected) == [e]) is kept, (lookback_s, rejected)
