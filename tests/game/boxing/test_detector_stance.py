"""Side views: lead and rear hand come from the stance (the lead foot is ahead in the direction the
straights go), never from which hand threw last, so a cross thrown first is still a cross; and the
far arm BlazePose only guesses adds no punch and spoils none."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from models.punch_synth import combo_clip
from tests.game.boxing.test_detector import complete, detect, make_punch, seed_of


# Side views from the rear hand's side: the rear arm and both feet in sight (the far arm is hidden).
@pytest.mark.parametrize(("southpaw", "yaw"), [(False, -60.0), (True, 60.0), (False, -70.0), (True, 70.0)])
def test_side_on_cross_first_is_a_cross(southpaw: bool, yaw: float) -> None:
    named = right = 0
    for rep in range(3):
        rear, lead = ("left", "right") if southpaw else ("right", "left")
        clip = combo_clip([("cross", rear), ("cross", rear), ("jab", lead)],
                          np.random.default_rng(seed_of("stance", southpaw, yaw, rep)), yaw_deg=yaw,
                          southpaw=southpaw)
        got = complete(detect(clip.frames))  # stance unknown: no calibration
        truth = {round(t.t_s, 1): t for t in clip.truth}
        for e in got:
            t = min(clip.truth, key=lambda t: abs(t.t_s - e.t_s))
            if abs(t.t_s - e.t_s) <= 0.3 and t.hand == e.hand:
                named += 1
                right += e.kind == t.kind
        assert truth
    # Before: every straight voted for its own hand as the lead, so both crosses read "jab".
    assert named >= 6 and right >= 2 * named // 3, (right, named)


def test_far_arm_swinging_in_depth_only_adds_no_punch() -> None:
    """BlazePose's guess for the far arm in a side view: its wrist swings 0.35 m in depth, in time
    with the near arm's jab, while its image position and the elbow's stay put (visibility just
    above the cut-off). Only the jab counts; no phantom cross, and the jab is not refused."""
    from game.pose.types import LM

    clip = make_punch("jab", 70.0, seed_of("farswing"))
    truth = clip.truth[0]
    far = "right" if truth.hand == "left" else "left"
    wrist = LM.RIGHT_WRIST if far == "right" else LM.LEFT_WRIST
    arm = (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW, wrist) if far == "right" else (LM.LEFT_SHOULDER, LM.LEFT_ELBOW, wrist)
    frames = []
    for f in clip.frames:
        if f.landmarks_px is not None and f.world_m is not None:
            swing = 0.35 * float(np.exp(-(((f.t_s - truth.t_s) / 0.12) ** 2)))
            world = f.world_m.copy()
            world[wrist, 2] -= swing  # towards the camera, in depth only
            px = f.landmarks_px.copy()
            px[list(arm), 3] = 0.6
            f = dataclasses.replace(f, landmarks_px=px, world_m=world)
        frames.append(f)
    got = complete(detect(frames, orthodox=not clip.body.southpaw))
    assert [(e.hand, e.kind) for e in got] == [(truth.hand, truth.kind)], [e.to_json() for e in got]
