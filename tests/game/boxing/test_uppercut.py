"""The rise cue (game/boxing/uppercut.py) on generated fist trajectories: an uppercut driven up
from the hip is found once; the same rise is refused when it is not an uppercut's (the other hand
swinging, a one-frame jump, a fist beside its shoulder, an arm raised overhead, a slow lift)."""

from __future__ import annotations

import numpy as np
import pytest

from game.boxing.detector import DetectorOptions
from game.boxing.kinematics import ArmSample
from game.boxing.uppercut import Rise, RiseTracker, judge_rise

OPT = DetectorOptions()
ARM_M = 0.6  # metres, upper arm + forearm
SHOULDER = np.array([-0.18, 0.0, 0.0])  # the right shoulder, metres over the shoulders' midpoint
NOSE = np.array([0.0, 0.25, -0.08])


def arm_at(fist_y: float, *, fist_x: float = 0.0, elbow_y: float | None = None) -> ArmSample:
    """A right arm with its fist ``fist_y`` arm lengths over the shoulder, ``fist_x`` arm lengths
    inside it (towards the other shoulder), in front of the body; the elbow below, under the fist."""
    wrist = SHOULDER + ARM_M * np.array([-fist_x, fist_y, -0.35])
    ey = min(fist_y, 0.0) - 0.3 if elbow_y is None else elbow_y
    elbow = SHOULDER + ARM_M * np.array([-fist_x * 0.5, ey, -0.2])
    seg = float(np.linalg.norm(elbow - SHOULDER) + np.linalg.norm(wrist - elbow))
    return ArmSample(True, wrist, elbow, SHOULDER, float(np.linalg.norm(wrist - SHOULDER)) / seg, seg)


def drive(heights: list[float], *, other: list[float] | None = None, fps: float = 30.0,
          fist_x: float = 0.2, elbow_y: float | None = None) -> list[tuple[Rise, str | None]]:
    """Feed a fist trajectory (arm lengths over the shoulder, one per frame); the rises the
    tracker reports, each with the judge's verdict, taking the accepted ones as the detector does."""
    tracker = RiseTracker()
    out = []
    for i, y in enumerate(heights):
        o = None if other is None else other[i]
        inside = fist_x
        r = tracker.update("right", i / fps, arm_at(y, fist_x=fist_x, elbow_y=elbow_y), NOSE, ARM_M,
                           0.0 if other is None else o, inside, OPT)
        if r is not None:
            out.append((r, judge_and_take(tracker, r)))
    return out


def judge_and_take(tracker: RiseTracker, r: Rise) -> str | None:
    """The judge's verdict on a reported rise, taking it when accepted as the detector does."""
    why = judge_rise(r, OPT)
    if why is None:
        tracker.take()
    return why


def uppercut_heights(fps: float = 30.0, low: float = -0.85, top: float = 0.15, drive_s: float = 0.25) -> list[float]:
    """Guard at the chin, a dip to the hip, a drive back up to the chin, a return to the guard."""
    def ramp(a: float, b: float, s: float) -> list[float]:
        n = max(2, round(s * fps))
        return list(np.linspace(a, b, n, endpoint=False))
    return ([-0.05] * round(0.5 * fps) + ramp(-0.05, low, 0.2) + ramp(low, top, drive_s)
            + ramp(top, -0.05, 0.25) + [-0.05] * round(0.5 * fps))


def accepted(got: list[tuple[Rise, str | None]]) -> list[Rise]:
    return [r for r, why in got if why is None]


@pytest.mark.parametrize("fps", [24.0, 30.0, 60.0])
def test_an_uppercut_from_the_hip_is_found_once_at_its_top(fps: float) -> None:
    heights = uppercut_heights(fps)
    got = accepted(drive(heights, fps=fps))
    assert len(got) == 1
    t_top = int(np.argmax(heights)) / fps
    assert abs(got[0].top_t_s - t_top) <= 2 / fps
    assert got[0].rise > 0.9


def test_a_small_hitch_in_the_drive_is_the_same_rise() -> None:
    """A frame's tracking slip (or a cable tugging the fist) half way up does not split the rise."""
    heights = uppercut_heights()
    i = heights.index(min(heights)) + 5  # past half way up: what is left rises less than 0.5
    heights[i] = heights[i - 1] - 0.08
    assert len(accepted(drive(heights))) == 1


def test_two_uppercuts_are_two() -> None:
    heights = uppercut_heights() + uppercut_heights()
    assert len(accepted(drive(heights))) == 2


def test_arms_swinging_in_opposition_are_not_an_uppercut() -> None:
    """Running, marching, high knees: the other fist falls as this one rises."""
    heights = uppercut_heights()
    other = [-0.9 - (h + 0.05) * 0.8 for h in heights]
    got = drive(heights, other=other)
    assert not accepted(got) and any(why == "flail" for _, why in got)


def test_without_the_other_hand_in_view_it_is_left_to_the_state_machine() -> None:
    tracker = RiseTracker()
    whys = []
    for i, y in enumerate(uppercut_heights()):
        r = tracker.update("right", i / 30, arm_at(y, fist_x=0.2), NOSE, ARM_M, None, 0.2, OPT)
        if r is not None:
            whys.append(judge_rise(r, OPT))
    assert whys and all(w == "other hand unseen" for w in whys)


def test_a_fist_jumping_up_in_one_frame_is_not_driven() -> None:
    heights = [-0.9] * 10 + [0.1] * 20
    got = drive(heights)
    assert not accepted(got) and any(why == "no extension phase" for _, why in got)


def test_a_fist_raised_beside_its_shoulder_is_a_guard() -> None:
    got = drive(uppercut_heights(), fist_x=-0.4)
    assert not accepted(got) and any(why == "fist beside its shoulder" for _, why in got)


def test_an_arm_raised_overhead_is_not_an_uppercut() -> None:
    got = drive(uppercut_heights(top=0.9), elbow_y=0.2)
    assert not accepted(got)


def test_a_slow_lift_is_not_thrown() -> None:
    got = drive(uppercut_heights(drive_s=1.2))
    assert not accepted(got) and any(why == "too slow for a hook or uppercut" for _, why in got)


def test_a_rise_from_the_chest_is_not_one_from_the_hip() -> None:
    assert not accepted(drive(uppercut_heights(low=-0.3)))


def test_a_fist_that_stopped_part_way_and_crept_on_is_not_an_uppercut() -> None:
    """Up fast to the chest, a pause, then a creep to the shoulder line (a guard raised in two
    goes, tracker jitter): the rise adds up to an uppercut's, its drive does not."""
    heights = ([-0.52] * 15 + list(np.linspace(-0.52, -0.14, 4, endpoint=False)) + [-0.14] * 10
               + list(np.linspace(-0.14, 0.02, 5)) + [0.02] * 10)
    got = drive(heights)
    assert not accepted(got) and any(why == "too slow for a hook or uppercut" for _, why in got)


def arm_with_forearm(fist_y: float, fore_up: float) -> ArmSample:
    """A right arm with its fist ``fist_y`` arm lengths over the shoulder and its forearm pointing
    up by ``fore_up`` of its length (the rest across the body and towards the camera)."""
    wrist = SHOULDER + ARM_M * np.array([-0.2, fist_y, -0.35])
    flat = float(np.sqrt(max(0.0, 1.0 - fore_up * fore_up) / 2.0))
    elbow = wrist - 0.5 * ARM_M * np.array([-flat, fore_up, -flat])
    seg = float(np.linalg.norm(elbow - SHOULDER) + np.linalg.norm(wrist - elbow))
    return ArmSample(True, wrist, elbow, SHOULDER, float(np.linalg.norm(wrist - SHOULDER)) / seg, seg)


def forearm_verdicts(fores_at_top: list[float]) -> list[str | None]:
    """An uppercut driven from the hip whose forearm reads ``fores_at_top`` on its frames at the
    top (the highest one in the middle), 0.3 up on the way there and back."""
    n = len(fores_at_top)
    top = 0.05
    heights = [-0.05] * 15 + list(np.linspace(-0.05, -0.85, 6, endpoint=False)) + list(np.linspace(-0.85, top - 0.02, 7))
    fores = [0.3] * len(heights)
    mid = n // 2
    heights += [top - 0.02 + 0.02 * (1 - abs(i - mid) / max(mid, 1)) for i in range(n)]
    fores += fores_at_top
    heights += list(np.linspace(top - 0.1, -0.05, 6)) + [-0.05] * 15
    fores += [0.3] * 21
    tracker = RiseTracker()
    whys = []
    for i, (y, f) in enumerate(zip(heights, fores, strict=True)):
        r = tracker.update("right", i / 30, arm_with_forearm(y, f), NOSE, ARM_M, 0.0, 0.2, OPT)
        if r is not None:
            whys.append(judge_and_take(tracker, r))
    return whys


def test_the_forearm_is_read_on_every_frame_at_the_top_not_one() -> None:
    """An uppercut thrown across the body ends with the forearm 25-35 degrees up; BlazePose's depth
    turns that reading by 5-10 degrees from frame to frame. The frame where the fist is highest
    reading 0.40 up between two at 0.55 (the cable uppercut at 5.45 s: 0.54, 0.44, 0.46) is still
    an uppercut (refused before: it was judged on that one frame)."""
    assert forearm_verdicts([0.55, 0.40, 0.55]).count(None) == 1


def test_a_forearm_level_at_every_frame_of_the_top_is_not_an_uppercut() -> None:
    whys = forearm_verdicts([0.38, 0.40, 0.36])
    assert None not in whys and "forearm not up" in whys


def turning(heights: list[float], turn_deg: float, *, noise_deg: float = 0.0, seed: int = 0) -> list[str | None]:
    """Feed an uppercut's fist trajectory while the shoulders turn steadily by ``turn_deg`` from
    the fist's low point to its top (positive: the right shoulder comes forward, into the punch),
    each frame's shoulder line read with ``noise_deg`` of Gaussian depth noise; the judge's
    verdicts on the rises reported."""
    rng = np.random.default_rng(seed)
    low, top = int(np.argmin(heights)), int(np.argmax(heights))
    tracker = RiseTracker()
    whys = []
    for i, y in enumerate(heights):
        a = np.radians(turn_deg * min(max((i - low) / (top - low), 0.0), 1.0) + rng.normal(0.0, noise_deg))
        # The right shoulder over the shoulders' midpoint; the camera (and the nose) at -z.
        shoulder = 0.18 * np.array([-np.cos(a), 0.0, -np.sin(a)])
        arm = arm_at(y, fist_x=0.2)
        arm = ArmSample(True, arm.wrist_m + shoulder - SHOULDER, arm.elbow_m + shoulder - SHOULDER, shoulder,
                        arm.straightness, arm.segment_sum_m)
        r = tracker.update("right", i / 30, arm, NOSE, ARM_M, 0.0, 0.2, OPT, -shoulder)
        if r is not None:
            whys.append(judge_and_take(tracker, r))
    return whys


@pytest.mark.parametrize("turn_deg", [35.0, 0.0])
def test_an_uppercut_thrown_with_the_body_turning_into_it_or_with_the_arm_alone_is_found(turn_deg: float) -> None:
    """The real uppercuts turn the punching shoulder 25-51 degrees forward from the low point to
    the top; an arm-only uppercut (a beginner's) does not turn at all and still counts, whatever
    BlazePose's depth noise makes of the shoulder line."""
    for seed in range(5):
        assert turning(uppercut_heights(), turn_deg, noise_deg=5.0, seed=seed).count(None) == 1


def test_a_fist_lifted_while_the_body_turns_away_is_not_an_uppercut() -> None:
    """The cable clip's end (7.07-7.38 s): the right fist rises 0.5 arm lengths to the chin as the
    boxer turns to his right to walk off, his right shoulder going back 37 degrees (refused
    before: a rise, a drive and a forearm like an uppercut's)."""
    whys = turning(uppercut_heights(), -35.0)
    assert None not in whys
    assert "body turned away" in whys
