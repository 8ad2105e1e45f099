"""Lead and rear hand come from the stance (the lead foot is ahead in the direction the straights
go), never from which hand threw last: a cross thrown first is still a cross."""

from __future__ import annotations

import numpy as np
import pytest

from models.punch_synth import combo_clip
from tests.game.boxing.test_detector import complete, detect, seed_of


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
