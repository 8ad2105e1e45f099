"""Set-up checks say exactly what is wrong; measuring gives body proportions."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from game.calibration import BodyProfile, Calibrator, Check, assess, measure
from game.moves import GUARD, STAND, Camera, pose_frame
from game.pose.synthetic import STANDARD
from game.pose.types import LM, PoseFrame

FRONT = Camera(view="front")


def _front(*, px_per_m: float = FRONT.px_per_m, floor_y_frac: float = FRONT.floor_y_frac,
           centre_x_frac: float = FRONT.centre_x_frac) -> PoseFrame:
    """A player standing facing the demo camera, framed as the arguments say."""
    camera = replace(FRONT, px_per_m=px_per_m, floor_y_frac=floor_y_frac, centre_x_frac=centre_x_frac)
    return pose_frame(STAND, camera, 0.0)


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
    f = replace(_front(), brightness=30.0)
    a = assess(f)
    assert a.problems[0].check == Check.LIGHT and "dark" in a.problems[0].message.lower()


def test_hidden_joints_are_named() -> None:
    f = _front()
    assert f.landmarks_px is not None
    lm = f.landmarks_px.copy()
    lm[[LM.LEFT_WRIST, LM.RIGHT_WRIST], 3] = 0.1
    a = assess(replace(f, landmarks_px=lm))
    assert any(p.check == Check.JOINTS and "wrists" in p.message for p in a.problems)


def test_nobody_in_view() -> None:
    f = replace(_front(), landmarks_px=None, world_m=None)
    assert assess(f).problems[0].check == Check.PERSON


def test_calibrator_measures_after_holding_still() -> None:
    cal = Calibrator()
    rng = np.random.default_rng(1)
    for i in range(90):
        cal.update(pose_frame(STAND, Camera(view="front"), i * 33.3, i, rng, 0.5))
    assert cal.done and cal.profile is not None
    p = cal.profile
    assert p.arm_length_m is not None and abs(p.arm_length_m - STANDARD.arm_m) < 0.02
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


# -- one profile feeds the rep engine and the boxing round -------------------------------------

def _held_profile(camera: Camera) -> BodyProfile:
    cal = Calibrator()
    rng = np.random.default_rng(4)
    for i in range(90):
        cal.update(pose_frame(STAND, camera, i * 33.3, i, rng, 0.5))
    assert cal.profile is not None
    return cal.profile


def test_the_profile_gives_the_rep_engine_its_start_position_where_it_shows_it() -> None:
    from game.reps import PUSHUP, SQUAT, from_profile, make_rep_detector
    from game.reps.synthetic import Move, simulate

    profile = _held_profile(Camera(view="side"))
    assert len(profile.frames) >= 40 and "frames" not in profile.to_json()
    cal = from_profile(SQUAT, profile)
    assert cal is not None and cal.source == "explicit"
    assert abs(cal.top_angle_deg - profile.standing_knee_deg) < 5.0
    assert from_profile(PUSHUP, profile) is None  # standing is no plank: the engine finds it
    det = make_rep_detector("squat", profile=profile)
    assert det.view().is_calibrated  # before the first frame of the set
    set_frames = simulate("squat", [Move("stand", 1.0)] + [Move("rep", 2.5)] * 3 + [Move("stand", 1.0)],
                          rng=np.random.default_rng(2))
    for f in set_frames:
        det.update(f)
    det.finish()
    assert det.count == 3  # and it re-anchors on the set's own start position


def test_the_profile_gives_the_boxing_round_the_stance_and_the_true_reach() -> None:
    from game.boxing.rules import BodyCalibration

    cam = Camera(view="front")
    profile = _held_profile(cam)
    guard = [pose_frame(GUARD, cam, i * 33.3, i) for i in range(20)]
    alone = BodyCalibration.from_frames(guard)
    with_profile = BodyCalibration.from_frames(guard, profile=profile)
    assert alone.orthodox and with_profile.orthodox
    # Arms in a guard point at the camera and read short; the profile measured them hanging.
    assert with_profile.reach_px > alone.reach_px
    assert abs(with_profile.reach_px - profile.arm_length_px) < 0.05 * profile.arm_length_px
    southpaw = BodyCalibration.from_frames(guard, profile=replace(profile, stance="southpaw"))
    assert not southpaw.orthodox
    assert BodyCalibration.from_frames(guard, orthodox=True, profile=replace(profile, stance="southpaw")).orthodox


def test_one_calibration_error_for_every_calibration() -> None:
    import pytest

    from game.boxing.rules import BodyCalibration
    from game.errors import CalibrationError
    from game.reps import SQUAT, calibrate

    with pytest.raises(CalibrationError):
        measure([])
    with pytest.raises(CalibrationError):
        BodyCalibration.from_frames([])
    with pytest.raises(CalibrationError):
        calibrate(SQUAT, [])
