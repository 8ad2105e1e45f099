"""The set-up scene's profile is the one calibration: the rep scene and the boxing round take
theirs from it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from game.calibration import measure
from game.moves import STAND, Camera, pose_frame
from game.scenes.boxing import BoxingScene
from game.scenes.reps import RepScene
from tests.game.scenes.conftest import run_steps


def _profile(view: str) -> Any:
    return measure([pose_frame(STAND, Camera(view=view), i * 33.3, i) for i in range(45)])


def test_the_rep_scene_starts_calibrated_from_the_profile(make_app: Any) -> None:
    app = make_app("menu")
    assert not RepScene(app.services, "squat").detector.view().is_calibrated  # no profile: it finds its own
    app.profile = _profile("side")
    scene = RepScene(app.services, "squat")
    assert scene.detector.view().is_calibrated
    scene.on_start()  # a new set: a new detector, from the same profile
    assert scene.detector.view().is_calibrated
    assert not RepScene(app.services, "pushup").detector.view().is_calibrated  # standing is no plank


def test_the_boxing_round_takes_the_stance_and_reach_from_the_profile(make_app: Any) -> None:
    app = make_app("boxing", demo="boxing", calibrate=False)
    app.profile = replace(_profile("front"), stance="southpaw")
    scene = BoxingScene(app.services, rounds=1, difficulty={"round_s": 12, "rest_s": 6, "bpm": 112})
    app.stack.replace(scene)
    app.stack.apply()
    run_steps(app, 60 * 4, draw_every=60)
    assert scene.rules is not None, "the round should start once the player is seen in guard"
    cal = scene.rules.calibration
    assert not cal.orthodox
    # The demo boxer's camera frames it smaller than the set-up camera: the profile's arm length
    # is scaled by the torso, so the reach stays an arm's length of this body, not a guard's.
    assert 1.0 < cal.reach_px / cal.torso_px < 1.4
