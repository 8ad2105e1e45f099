"""Set-up checks say exactly what is wrong; measuring gives body proportions."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from game.calibration import Calibrator, Check, assess, measure
from game.moves import STAND, Camera, pose_frame
from game.pose.types import LM


def _front(**camera: object) -> object:
    return pose_frame(STAND, Camera(view="front", **camera), 0.0)  # type: ignore[arg-type]


def test_a_well_placed_player_passes() -> None:
    a = assess(_front())
    assert a.ok, [p.message for p in a.problems]
    assert 0.5 <= (a.height_frac or 0) <= 0.9


def test_too_close_says_step_back() -> None:
    a = assess(_front(px_per_m=330.0, floor_y_frac=1.05))
    assert not a.ok
    assert any("step back" in p.message.lower() for p in a.problems)


def test_too_far_says_come_closer() -> None:
    a = assess(_front(px_per_m=110.0))
    assert any(p.check == Check.DISTANCE and "closer" in p.message for p in a.problems)


def test_off_to_the_side_says_which_way_to_move() -> None:
    a = assess(_front(centre_x_frac=0.9))  # on the image's right = the player's left
    msgs = " ".join(p.message for p in a.problems)
    assert "move to your right" in msgs.lower()


def test_dark_room_is_reported_first_after_presence() -> None:
    f = replace(_front(), brightness=30.0)  # type: ignore[type-var]
    a = assess(f)
    assert a.problems[0].check == Check.LIGHT and "dark" in a.problems[0].message.lower()


def test_hidden_joints_are_named() -> None:
    f = _front()
    lm = f.landmarks_px.copy()  # type: ignore[attr-defined]
    lm[[LM.LEFT_WRIST, LM.RIGHT_WRIST], 3] = 0.1
    a = assess(replace(f, landmarks_px=lm))  # type: ignore[type-var]
    assert any(p.check == Check.JOINTS and "wrists" in p.message for p in a.problems)


def test_nobody_in_view() -> None:
    f = replace(_front(), landmarks_px=None, world_m=None)  # type: ignore[type-var]
    assert assess(f).problems[0].check == Check.PERSON


def test_calibrator_measures_after_holding_still() -> None:
    cal = Calibrator()
    rng = np.random.default_rng(1)
    for i in range(90):
        cal.update(pose_frame(STAND, Camera(view="front"), i * 33.3, i, rng, 0.5))
    assert cal.done and cal.profile is not None
    p = cal.profile
    assert p.arm_length_m is not None and abs(p.arm_length_m - 0.60) < 0.02
    assert 0.9 < p.standing_knee_deg / 180 <= 1.0


def test_moving_restarts_the_hold() -> None:
    cal = Calibrator()
    for i in range(30):
        cal.update(pose_frame(STAND, Camera(view="front", centre_x_frac=0.4 + 0.01 * (i % 2)),
                              i * 33.3, i))
    assert not cal.done and cal.held_s < 0.1


def test_measure_needs_a_person() -> None:
    import pytest

    with pytest.raises(ValueError):
        measure([])
