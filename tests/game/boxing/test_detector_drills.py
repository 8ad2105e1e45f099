"""Hooks named from the image alone, and a slow press up above the head is not a punch.

Both are streams of 2-D keypoints (no world landmarks), as the COCO-17 hook drills and the image
plane of a side-on view give them:
- a hook whose wind-up drops the fist out wide below the shoulder, then swings it across the body at
  shoulder height: the fist swings around the shoulder, mostly sideways. Its keypoints at the peak
  can read like an uppercut's (the elbow low, the forearm tilted up, a big rise from the dropped
  wind-up: the COCO drill `hook0` at 1.5 s and 2.6 s); the swing tells it apart;
- an uppercut, whose fist is driven mostly up, stays an uppercut;
- an arm pushed slowly up above the nose (a landmine press) is not a straight; the same slow push
  at head height still is one (the slow demonstration punches of ``punches_straight_profile``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pytest

from game.boxing import make_punch_detector
from game.boxing.detector import Candidate, DetectorOptions, rule_kind
from game.boxing.events import PunchEvent
from game.pose.types import LM, PoseFrame

FPS = 30.0
OPT = DetectorOptions()
# A boxer facing the camera (pixels): torso 160 px (0.5 m), upper arm 95 px, forearm 85 px.
FRONT = {
    LM.NOSE: (300, 140), LM.LEFT_EYE: (308, 132), LM.RIGHT_EYE: (292, 132), LM.LEFT_EAR: (315, 138),
    LM.RIGHT_EAR: (285, 138), LM.LEFT_SHOULDER: (345, 200), LM.RIGHT_SHOULDER: (255, 200),
    LM.LEFT_ELBOW: (350, 290), LM.LEFT_WRIST: (325, 215), LM.RIGHT_ELBOW: (250, 290), LM.RIGHT_WRIST: (275, 215),
    LM.LEFT_HIP: (330, 360), LM.RIGHT_HIP: (270, 360), LM.LEFT_KNEE: (330, 460), LM.RIGHT_KNEE: (270, 460),
    LM.LEFT_ANKLE: (330, 560), LM.RIGHT_ANKLE: (270, 560),
}
# The same boxer side-on, facing the image's right (the left arm near the camera). The far arm is
# hidden behind the body (low visibility).
SIDE = {
    LM.NOSE: (318, 140), LM.LEFT_EYE: (312, 132), LM.RIGHT_EYE: (310, 132), LM.LEFT_EAR: (296, 138),
    LM.RIGHT_EAR: (294, 138), LM.LEFT_SHOULDER: (305, 200), LM.RIGHT_SHOULDER: (295, 200),
    LM.LEFT_ELBOW: (300, 290), LM.LEFT_WRIST: (340, 220), LM.RIGHT_ELBOW: (292, 290),
    LM.RIGHT_WRIST: (330, 222), LM.LEFT_HIP: (303, 360), LM.RIGHT_HIP: (297, 360), LM.LEFT_KNEE: (310, 460),
    LM.RIGHT_KNEE: (290, 460), LM.LEFT_ANKLE: (330, 560), LM.RIGHT_ANKLE: (270, 560),
}
Key = tuple[float, tuple[float, float], tuple[float, float]]  # (t, elbow, wrist)


def _smooth(u: float) -> float:
    u = min(1.0, max(0.0, u))
    return u * u * u * (10 - 15 * u + 6 * u * u)  # minimum jerk


def stream(body: dict[LM, tuple[int, int]], hand: str, keys: Sequence[Key], duration_s: float,
           hidden: Sequence[LM] = ()) -> list[PoseFrame]:
    """2-D keypoints only (no world landmarks); ``hand``'s elbow and wrist move between the key
    frames (minimum jerk), everything else holds still."""
    elbow_lm, wrist_lm = (LM.LEFT_ELBOW, LM.LEFT_WRIST) if hand == "left" else (LM.RIGHT_ELBOW, LM.RIGHT_WRIST)
    frames = []
    for i in range(int(duration_s * FPS)):
        t = i / FPS
        px = np.zeros((33, 4))
        for lm, (x, y) in body.items():
            px[lm] = (x, y, 0.0, 0.1 if lm in hidden else 0.9)
        e0, w0 = np.array(body[elbow_lm], float), np.array(body[wrist_lm], float)
        for (ta, ea, wa), (tb, eb, wb) in zip(keys, keys[1:], strict=False):
            if t >= ta:
                s = _smooth((t - ta) / (tb - ta))
                e0 = np.array(ea) + s * (np.array(eb) - np.array(ea))
                w0 = np.array(wa) + s * (np.array(wb) - np.array(wa))
        px[elbow_lm, :2], px[wrist_lm, :2] = e0, w0
        for a, b in ((LM.LEFT_INDEX, LM.LEFT_WRIST), (LM.RIGHT_INDEX, LM.RIGHT_WRIST),
                     (LM.LEFT_HEEL, LM.LEFT_ANKLE), (LM.RIGHT_HEEL, LM.RIGHT_ANKLE)):
            px[a] = px[b]
        frames.append(PoseFrame(t * 1000.0, (640, 640), px, None, index=i))
    return frames


def punches(frames: list[PoseFrame]) -> list[PunchEvent]:
    det = make_punch_detector(orthodox=True)
    got = [e for f in frames for e in det.update(f)]
    return [e for e in got + det.finish() if e.complete]


GUARD_R = ((250.0, 290.0), (275.0, 215.0))


def test_a_wide_hook_from_a_dropped_wind_up_is_a_hook() -> None:
    keys: list[Key] = [
        (1.0, *GUARD_R),
        (1.25, (189.0, 269.0), (130.0, 330.0)),  # wind-up: the arm flung out wide and low
        (1.4, (189.0, 269.0), (130.0, 330.0)),
        (1.55, (245.0, 250.0), (320.0, 205.0)),  # swung across at shoulder height, past the chin
        (1.8, (245.0, 250.0), (320.0, 205.0)),
        (2.3, *GUARD_R),
    ]
    got = punches(stream(FRONT, "right", keys, 3.0))
    assert [(e.hand, e.kind) for e in got] == [("right", "hook")], got


def test_an_uppercut_driven_up_stays_an_uppercut() -> None:
    """The same swing around the shoulder driven mostly up (the front uppercut of
    punch_uppercuts_front_boxinggym, measured in 2-D): the fist rose from the hip, not across."""
    shoulder = np.array([-0.25, 0.0, 0.0])
    c = Candidate(
        hand="right", onset_s=1.0, t_peak_s=1.4, detected_s=1.45,
        guard=np.array([-0.15, -0.1, 0.0]), start=np.array([-0.3, -0.9, 0.0]),
        peak_wrist=np.array([-0.15, 0.0, 0.0]), peak_elbow=np.array([-0.3, -0.44, 0.0]),
        peak_shoulder=shoulder, peak_other_shoulder=-shoulder, onset_shoulder=shoulder,
        onset_other_shoulder=-shoulder, nose=np.array([0.0, 0.25, 0.0]), travel=0.95, peak_speed=8.0,
        peak_speed_mps=4.0, extension=0.6, start_extension=0.5, arm_m=0.6, flail=False, home_s=0.5,
        onset_gap_s=1 / 30, rise=0.92, sweep=0.3, is_3d=False, swing_deg=150.0,
    )
    assert rule_kind(c, OPT) == ("uppercut", True)
    across = dataclasses.replace(c, start=np.array([-0.9, -0.45, 0.0]))  # the same end, swung in from the side
    assert rule_kind(across, OPT)[0] == "hook"


GUARD_SIDE = ((300.0, 290.0), (340.0, 220.0))
FAR_ARM = (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW, LM.RIGHT_WRIST)


@pytest.mark.parametrize(("peak", "is_punch"), [
    (((385.0, 170.0), (465.0, 120.0)), False),  # pushed up and out above the nose: a press
    (((395.0, 200.0), (480.0, 195.0)), True),  # the same slow push at head height: a slow straight
])
def test_a_slow_push_above_the_nose_is_a_press(peak: tuple[tuple[float, float], tuple[float, float]],
                                               is_punch: bool) -> None:
    keys: list[Key] = [(1.0, *GUARD_SIDE), (1.45, *peak), (1.9, *peak), (2.6, *GUARD_SIDE)]
    got = punches(stream(SIDE, "left", keys, 3.2, hidden=FAR_ARM))
    assert [(e.hand, e.kind) for e in got] == ([("left", "jab")] if is_punch else []), got


@pytest.mark.shared_data
def test_the_coco_hook_drills_are_named_hook() -> None:
    """The COCO-17 hook drills (2-D keypoints, every punch a hook): 3 of the 7 complete punches were
    named hook before the swing rule (two hooks swung from a dropped wind-up read as uppercuts)."""
    from game.evaluation.runner import hook_drills
    from tests.support.recordings import SHARED

    got = hook_drills(SHARED / "landmarks" / "shadowboxer_coco17" / "hook")
    if got is None:
        pytest.skip("shared COCO-17 hook drills not found")
    assert got["hooks"] >= 6 and got["hooks"] >= 0.75 * got["punches"], got
