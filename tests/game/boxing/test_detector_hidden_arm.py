"""A hidden arm that BlazePose draws as a copy of the punching one.

MediaPipe Tasks (pipeline 3) marks such a guessed arm 0.5-0.9 visible, above the fixed visibility
gate, while it moves with the arm that punches (measured on punch_shadowbox_labelled_overlay: the
rear arm behind a cross, median 0.75 against 0.99). It must not make the punch a "flail"; the same
copy seen as well as the punching arm is judged as before.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from game.boxing import DetectorOptions, PunchDetector
from game.pose.types import LM, PoseFrame
from tests.game.boxing.test_detector import complete, detect, make_punch, seed_of

ARMS = {
    "left": (LM.LEFT_SHOULDER, LM.LEFT_ELBOW, LM.LEFT_WRIST),
    "right": (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW, LM.RIGHT_WRIST),
}


def with_copied_arm(frames: tuple[PoseFrame, ...], hand: str, t_peak_s: float, visibility: float) -> list[PoseFrame]:
    """The other arm's elbow and wrist drawn onto the punching arm's around the punch (as the Tasks
    model draws a hidden rear arm: its wrist within a fist of the punching one), blending in over
    the 0.25 s either side of the peak; every joint of the other arm at ``visibility``, of the
    punching arm at 0.99."""
    own, other = ARMS[hand], ARMS["right" if hand == "left" else "left"]
    out = []
    for f in frames:
        if f.landmarks_px is None:
            out.append(f)
            continue
        k = float(np.clip(1.0 - abs(f.t_s - t_peak_s) / 0.25, 0.0, 1.0))
        px = f.landmarks_px.copy()
        world = None if f.world_m is None else f.world_m.copy()
        for a, b in zip(own[1:], other[1:], strict=True):
            px[b, :3] += k * (px[a, :3] - px[b, :3])
            if world is not None:
                world[b] += k * (world[a] - world[b])
        px[list(own), 3] = 0.99
        px[list(other), 3] = visibility
        out.append(dataclasses.replace(f, landmarks_px=px, world_m=world))
    return out


# Views in which the copy travels far enough to void the punch as a flail without the rule.
CASES = [("jab", 60.0), ("jab", -60.0), ("cross", 30.0)]


@pytest.mark.parametrize(("kind", "yaw"), CASES)
def test_a_guessed_copy_of_the_punching_arm_does_not_void_the_punch(kind: str, yaw: float) -> None:
    clip = make_punch(kind, yaw, seed_of("guessed arm", kind))
    truth = clip.truth[0]
    frames = with_copied_arm(clip.frames, truth.hand, truth.t_s, visibility=0.72)
    got = complete(detect(frames, orthodox=not clip.body.southpaw))
    assert (truth.hand, truth.kind) in [(e.hand, e.kind) for e in got]
    # The guess itself may still pass for a punch of its own: on real clips an arm less visible
    # than the other also throws real punches (the lead seen side-on), so it is not refused.


@pytest.mark.parametrize(("kind", "yaw"), CASES)
def test_without_the_visibility_gap_rule_the_guess_voids_the_punch(kind: str, yaw: float) -> None:
    """The failure this guards against, reproduced with the rule switched off."""
    clip = make_punch(kind, yaw, seed_of("guessed arm", kind))
    truth = clip.truth[0]
    frames = with_copied_arm(clip.frames, truth.hand, truth.t_s, visibility=0.72)
    det = PunchDetector(DetectorOptions(guessed_arm_margin=2.0), orthodox=not clip.body.southpaw)
    got = [e for f in frames for e in det.update(f) if e.complete and e.hand == truth.hand]
    assert got == []
    assert any(why == "flail" and hand == truth.hand for _, hand, why in det.rejected)


@pytest.mark.parametrize(("kind", "yaw"), CASES)
def test_a_copy_seen_as_well_as_the_punching_arm_is_judged_as_before(kind: str, yaw: float) -> None:
    """Only a visibility gap marks a guess: two arms seen alike are judged on their motion alone
    (here: both hands thrown together, a flail)."""
    clip = make_punch(kind, yaw, seed_of("guessed arm", kind))
    frames = with_copied_arm(clip.frames, clip.truth[0].hand, clip.truth[0].t_s, visibility=0.97)
    runs = []
    for margin in (DetectorOptions().guessed_arm_margin, 2.0):  # 2.0: never a guess
        det = PunchDetector(DetectorOptions(guessed_arm_margin=margin), orthodox=not clip.body.southpaw)
        runs.append([e.to_json() for f in frames for e in det.update(f)])
    assert runs[0] == runs[1]
    assert clip.truth[0].hand not in [e["hand"] for e in runs[0] if e["complete"]]
