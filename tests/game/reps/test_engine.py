"""The rep engine on made-up skeletons: bad input, the view model, calibration, cues, scores."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.analysis import make_detector
from game.pose.types import LM, PoseFrame
from game.reps import (
    SQUAT,
    CalibrationError,
    InputEvent,
    RepDetector,
    RepEvent,
    StatusEvent,
    calibrate,
    make_rep_detector,
)
from game.reps.engine import EngineOptions
from game.reps.features import Features, extract
from game.reps.machine import TABLE, Phase
from game.reps.scoring import Coach, score_parts, total_score
from game.reps.synthetic import Camera, Move, simulate

STAND = Move("stand", 1.0)
REP = Move("rep", 2.0)


def frames(script: list[Move], exercise: str = "squat", seed: int = 3, **kw: Any) -> list[PoseFrame]:
    return simulate(exercise, script, rng=np.random.default_rng(seed), **kw)


def feed(det: RepDetector, fs: list[PoseFrame]) -> list[Any]:
    out: list[Any] = []
    for f in fs:
        out += det.update(f)
    return out


def run(script: list[Move], exercise: str = "squat", **kw: Any) -> tuple[RepDetector, list[Any]]:
    det = make_rep_detector(exercise)
    ev = feed(det, frames(script, exercise, **kw))
    ev += det.finish()
    return det, ev


def kinds(events: list[Any]) -> list[str]:
    return [e.kind for e in events if isinstance(e, InputEvent)]


# ---------------------------------------------------------------- the public contract


def test_analysis_make_detector_gives_the_rep_engine() -> None:
    for ex in ("squat", "pushup", "lunge"):
        det = make_detector(ex)
        assert isinstance(det, RepDetector) and det.defn.name == ex
    with pytest.raises(ValueError):
        make_rep_detector("burpee")


def test_rep_event_json_shape() -> None:
    _, ev = run([STAND, REP, STAND, Move("partial", 1.5, depth=0.3), STAND])
    reps = [e.to_json() for e in ev if isinstance(e, RepEvent)]
    assert [r["counted"] for r in reps] == [True, False]
    for r in reps:
        assert r["type"] == "rep" and isinstance(r["t"], float)
        assert set(r) >= {"counted", "reason", "metrics", "score", "score_parts", "cues"}
        assert all(isinstance(c, str) for c in r["cues"])
    good, shallow = reps
    assert good["reason"] is None and 0 <= good["score"] <= 100
    assert shallow["reason"] == "not_deep_enough" and shallow["score"] is None
    assert shallow["cues"] == [SQUAT.cues["not_deep_enough"]]
    for key in ("rom_pct", "min_knee_deg", "torso_lean_deg", "descent_ms", "ascent_ms", "mean_velocity_mps", "velocity_loss_pct"):
        assert key in good["metrics"]


def test_summary_counts_and_reasons() -> None:
    det, _ = run([STAND, REP, STAND, Move("partial", 1.5, depth=0.3), STAND, REP, STAND])
    s = det.summary()
    assert s["reps"] == 2 and s["attempts"] == 3
    assert s["not_counted"] == {"not_deep_enough": 1}
    assert isinstance(s["mean_score"], int)


def test_every_table_guard_and_action_exists() -> None:
    det = make_rep_detector("squat")
    fs = frames([STAND])
    feat = extract(det.defn, fs[-1])
    assert isinstance(feat, Features)
    det.update(fs[0])
    for _phase, transitions in TABLE.items():
        for tr in transitions:
            det._guard(tr.guard, feat)  # raises KeyError for an unknown guard
            if tr.action:
                assert callable(getattr(det, "_act_" + tr.action)), tr.action
    assert TABLE[Phase.INTERRUPTED] == ()


# ---------------------------------------------------------------- the live view


def test_view_model_follows_the_rep() -> None:
    det = make_rep_detector("squat")
    fs = frames([STAND, Move("partial", 1.6, depth=0.3), Move("stand", 0.8), REP, Move("stand", 0.6)])
    views = []
    for f in fs:
        det.update(f)
        views.append(det.view())
    assert views[0].phase == "getting_ready" and not views[0].is_calibrated
    assert all(0.0 <= v.rom <= 1.0 for v in views)
    # After the shallow attempt: paused with the depth cue, nothing counted.
    after_partial = [v for v in views if v.attempts == 1]
    assert after_partial and all(v.is_paused and v.count == 0 for v in after_partial)
    assert after_partial[0].cue == SQUAT.cues["not_deep_enough"]
    # During the full rep the meter fills and says depth was reached.
    assert any(v.rom == 1.0 and v.is_depth_reached for v in views)
    final = views[-1]
    assert final.count == 1 and not final.is_paused and final.last_counted is True
    assert final.last_score is not None and final.cue_kind == "positive"
    assert {v.phase for v in views} >= {"top", "descent", "bottom", "ascent"}


# ---------------------------------------------------------------- bad input


def test_person_leaving_mid_rep_is_reported_and_not_counted() -> None:
    fs = frames([STAND, Move("rep", 1.0, depth=0.9)])
    half = fs[: len(fs) - 15]  # leaves near the bottom
    t = half[-1].timestamp_ms
    gone = [PoseFrame(t + 33.3 * (i + 1), fs[0].image_size, None, None) for i in range(30)]
    back = frames([STAND, REP, STAND], t0_ms=gone[-1].timestamp_ms + 33.3)
    det = make_rep_detector("squat")
    ev = feed(det, half + gone + back)
    assert "person_lost" in kinds(ev) and "person_reentered" in kinds(ev)
    reps = [e for e in ev if isinstance(e, RepEvent)]
    assert reps[0].counted is False and reps[0].reason == "lost_tracking"
    assert det.count == 1  # the rep after coming back
    assert any(isinstance(e, StatusEvent) and e.state == "paused" for e in ev)
    # Paused while away; the pause lifts once the person stands ready again.
    det2 = make_rep_detector("squat")
    feed(det2, half + gone)
    assert det2.view().is_paused and det2.view().phase == "interrupted"
    feed(det2, back[:25])
    assert det2.view().phase == "top" and not det2.view().is_paused
    assert det2.view().cue == SQUAT.cues["ready"]


def test_short_dropouts_are_tolerated() -> None:
    fs = frames([STAND, REP, STAND, REP, STAND])
    # Every 7th frame the tracker loses the person for one frame.
    holed = [replace(f, landmarks_px=None, world_m=None) if i % 7 == 3 else f for i, f in enumerate(fs)]
    det = make_rep_detector("squat")
    ev = feed(det, holed)
    assert det.count == 2 and not kinds(ev)


def test_frozen_stream_is_reported_and_nothing_counts_from_it() -> None:
    script = [STAND, Move("rep", 2.0, depth=0.9), Move("frozen", 3.0), STAND, REP, STAND]
    det, ev = run(script)
    assert kinds(ev)[:2] == ["frozen_stream", "stream_resumed"]
    assert det.count == 2


def test_frozen_mid_rep_abandons_the_attempt() -> None:
    fs = frames([STAND, REP])
    mid = fs[: 30 + 25]  # the first second of standing, then most of the way down
    last = mid[-1]
    frozen = [replace(last, timestamp_ms=last.timestamp_ms + 33.3 * (i + 1)) for i in range(90)]
    det = make_rep_detector("squat")
    ev = feed(det, mid + frozen)
    assert "frozen_stream" in kinds(ev)
    assert det.count == 0
    assert det.view().is_paused and det.view().phase == "interrupted"


def test_two_people_skeleton_jump_is_reported() -> None:
    script = [STAND, Move("rep", 2.0), Move("teleport", 0.3, offset_m=1.5), STAND, REP, STAND]
    det, ev = run(script)
    assert "two_people_suspected" in kinds(ev)
    assert det.summary()["input_problems"]["two_people_suspected"] >= 1


def test_missing_joints_are_reported_with_what_is_needed() -> None:
    fs = frames([STAND, STAND, STAND])
    out = []
    for i, f in enumerate(fs):
        if 40 <= i < 70:
            assert f.landmarks_px is not None
            lm = f.landmarks_px.copy()
            legs = [LM.LEFT_ANKLE, LM.RIGHT_ANKLE, LM.LEFT_KNEE, LM.RIGHT_KNEE]
            lm[legs, 3] = 0.05  # legs out of frame (below the picture, as the tracker places them)
            lm[legs, 1] = f.image_size[1] + 40.0
            f = replace(f, landmarks_px=lm)
        out.append(f)
    det = make_rep_detector("squat")
    ev = feed(det, out)
    miss = [e for e in ev if isinstance(e, InputEvent) and e.kind == "missing_joints"]
    assert len(miss) == 1 and "knees" in (miss[0].detail or "")
    assert "joints_back" in kinds(ev)


def test_timestamps_going_backwards_are_ignored() -> None:
    fs = frames([STAND, REP, STAND])
    shuffled = fs[:50] + [fs[10], fs[11]] + fs[50:]
    det = make_rep_detector("squat")
    ev = feed(det, shuffled)
    assert kinds(ev).count("bad_timestamps") == 1
    assert det.count == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.lists(
        st.one_of(
            st.none(),
            st.lists(st.floats(allow_nan=True, allow_infinity=True, width=32), min_size=33 * 4, max_size=33 * 4),
            st.lists(st.floats(0, 1000, width=32), min_size=33 * 4, max_size=33 * 4),
        ),
        min_size=1,
        max_size=60,
    ),
    with_world=st.booleans(),
)
def test_garbage_never_crashes_and_never_counts(data: list[list[float] | None], with_world: bool) -> None:
    det = make_rep_detector("squat")
    for i, d in enumerate(data):
        lm = None if d is None else np.asarray(d, dtype=float).reshape(33, 4)
        w = None if (lm is None or not with_world) else lm[:, :3] / 500.0
        det.update(PoseFrame(i * 33.3, (1280, 720), lm, w, i))
        det.view()
    det.finish()
    assert det.summary()["reps"] == 0


# ---------------------------------------------------------------- exercises and views


def test_jump_squat_is_not_counted_and_says_why() -> None:
    det, ev = run([STAND, Move("jump", 1.5, depth=0.9, height_m=0.3), STAND])
    reps = [e for e in ev if isinstance(e, RepEvent)]
    assert det.count == 0 and reps and reps[0].reason == "jump"


def test_overtime_at_the_bottom() -> None:
    det, ev = run([STAND, Move("rep", 36.0, depth=0.9, hold_s=35.0), STAND], fps=10.0)
    reps = [e for e in ev if isinstance(e, RepEvent)]
    assert det.count == 0 and reps[0].reason == "too_slow"


def test_side_view_does_not_claim_knee_tracking_or_asymmetry() -> None:
    det, _ = run([STAND, REP, STAND], camera=Camera(yaw_deg=90.0))
    rep = det.reps[0]
    assert det.summary()["view"] == "side"
    assert rep.metrics["knee_ratio"] is None and rep.metrics["asymmetry_deg"] is None
    assert "knees" not in rep.score_parts and "symmetry" not in rep.score_parts
    det, _ = run([STAND, REP, STAND], camera=Camera(yaw_deg=0.0))
    assert det.summary()["view"] == "front"
    assert det.reps[0].metrics["knee_ratio"] is not None


def test_pushup_and_lunge_score_their_own_parts() -> None:
    det, _ = run([STAND, REP, STAND], exercise="pushup", camera=Camera(yaw_deg=80.0))
    assert det.count == 1 and "body_line" in det.reps[0].score_parts
    assert det.reps[0].metrics["body_line_deg"] > 160
    det, _ = run([STAND, Move("rep", 3.0), STAND, Move("rep", 3.0), STAND], exercise="lunge")
    assert det.count == 2 and "torso" in det.reps[0].score_parts


def test_velocity_loss_and_fatigue_flag_over_a_slowing_set() -> None:
    script = [STAND]
    for d in (1.6, 1.6, 2.2, 2.8, 3.4):
        script += [Move("rep", d), Move("stand", 0.5)]
    det, ev = run(script, noise_m=0.003)
    vl = [r.metrics["velocity_loss_pct"] for r in det.reps]
    assert det.count == 5
    assert vl[0] == 0.0 and vl[-1] >= 30.0
    assert det.summary()["fatigue"] == "stop"
    said = [(c.key, r.metrics["velocity_loss_pct"]) for r in det.reps for c in r.cues if c.key == "fatigue"]
    # Announced when crossing 20 % and again when crossing 30 % (once if both at the same rep).
    levels = {2 if v >= 30 else 1 if v >= 20 else 0 for v in vl}
    assert len(said) == len(levels - {0}) or len(said) == 1
    assert said[0][1] >= 20.0 and f"{said[0][1]:.0f}%" in next(c.text for r in det.reps for c in r.cues if c.key == "fatigue")


def test_form_stability_is_high_for_identical_reps() -> None:
    det, _ = run([STAND] + [REP, Move("stand", 0.5)] * 4, noise_m=0.003)
    assert det.summary()["form_stability"] >= 90


# ---------------------------------------------------------------- calibration


def test_explicit_calibration_relaxes_depth_for_a_short_range_but_not_below_the_floor() -> None:
    cal_frames = frames([Move("stand", 2.0), Move("partial", 3.0, depth=0.3), Move("stand", 0.5)])
    cal = calibrate(SQUAT, cal_frames)
    assert cal.source == "explicit" and cal.own_max_flexion_deg is not None
    assert SQUAT.min_required_flexion_deg <= cal.required_flexion_deg < SQUAT.required_flexion_deg
    det = make_rep_detector("squat", calibration=cal)
    feed(det, frames([STAND, Move("partial", 2.0, depth=0.3), STAND], seed=9))
    assert det.count == 1  # their own full range counts...
    ev = feed(det, frames([Move("partial", 2.0, depth=0.15), STAND], seed=10, t0_ms=20_000))
    assert det.count == 1  # ...a quarter squat still does not
    assert [e.reason for e in ev if isinstance(e, RepEvent)] == ["not_deep_enough"]
    # The standard detector would not have counted the short-range rep.
    plain = make_rep_detector("squat")
    feed(plain, frames([STAND, Move("partial", 2.0, depth=0.3), STAND], seed=9))
    assert plain.count == 0
    # A very short calibration rep cannot lower the bar below the definition's floor.
    tiny = calibrate(SQUAT, frames([Move("stand", 2.0), Move("partial", 3.0, depth=0.25)]))
    assert tiny.required_flexion_deg >= SQUAT.min_required_flexion_deg


def test_calibration_without_the_start_position_says_what_to_do() -> None:
    lying = frames([Move("stand", 1.0)], exercise="pushup")
    with pytest.raises(CalibrationError, match="start position"):
        calibrate(SQUAT, lying)


def test_auto_calibration_waits_for_stillness() -> None:
    det, ev = run([Move("walk", 2.0, speed_mps=0.8), Move("stand", 1.0), REP, STAND], camera=Camera(distance_m=6.0))
    cals = [e for e in ev if e.to_json()["type"] == "calibration"]
    assert cals and cals[0].t_s >= 2.0
    assert det.count == 1


# ---------------------------------------------------------------- scores and cues


def test_total_score_renormalises_over_visible_parts() -> None:
    assert total_score({"depth": 100, "torso": 100}) == 100
    assert total_score({"depth": 100, "torso": 0}) == round(100 * 35 / 55)
    parts = score_parts(SQUAT, {"below_parallel": True, "torso_lean_deg": 80.0, "descent_ms": 1000}, 1.4, True)
    assert parts["depth"] == 100 and parts["torso"] == 0 and parts["control"] == 100


def test_coach_rate_limits_and_praises_fixes() -> None:
    coach = Coach(SQUAT, repeat_s=10.0)
    bad_torso = {"depth": 90, "torso": 10, "control": 100}
    c1 = coach.cues_for(1.0, True, None, bad_torso, 0.0)
    assert [c.key for c in c1] == ["torso"]
    c2 = coach.cues_for(3.0, True, None, bad_torso, 0.0)
    assert all(c.kind == "positive" for c in c2)  # no corrective twice in a row, nor within 10 s
    c3 = coach.cues_for(5.0, False, "not_deep_enough", bad_torso, None)
    assert [c.key for c in c3] == ["not_deep_enough"]  # why a rep did not count is never withheld
    c4 = coach.cues_for(7.0, True, None, {"depth": 80, "torso": 90}, 0.0)
    assert c4[0].key == "improved_depth" and c4[0].kind == "positive"
    c5 = coach.cues_for(20.0, True, None, bad_torso, 0.0)
    assert [c.key for c in c5] == ["torso"]  # allowed again after the quiet period


def test_safety_cue_is_not_rate_limited_by_alternation() -> None:
    coach = Coach(SQUAT, repeat_s=5.0)
    coach.cues_for(1.0, True, None, {"torso": 10}, 0.0)
    c = coach.cues_for(2.0, True, None, {"knees": 10}, 0.0)
    assert [x.key for x in c] == ["knees_in"]


def test_engine_options_are_respected() -> None:
    det = RepDetector(SQUAT, options=EngineOptions(lost_after_s=5.0))
    fs = frames([STAND])
    t = fs[-1].timestamp_ms
    ev = feed(det, fs + [PoseFrame(t + 100.0 * (i + 1), fs[0].image_size, None, None) for i in range(20)])
    assert "person_lost" not in kinds(ev)
    assert not math.isnan(det.view().rom)


def test_stream_starting_mid_set_calibrates_from_repeated_tops() -> None:
    """No still moment at the top at all: the engine calibrates from the tops of the first rep(s)
    and counts the rest; it never counts a rep it could not judge from the top."""
    det, ev = run([Move("stand", 0.1)] + [Move("rep", 1.5)] * 6 + [Move("stand", 0.5)])
    cals = [e for e in ev if e.to_json()["type"] == "calibration"]
    assert len(cals) == 1 and cals[0].t_s < 3.5
    assert 5 <= det.count <= 6
    assert all(r.counted for r in det.reps)


def test_walking_toward_the_camera_does_not_calibrate() -> None:
    det, ev = run([Move("walk", 4.0, speed_mps=0.9)], camera=Camera(distance_m=7.0))
    assert not [e for e in ev if e.to_json()["type"] == "calibration"]
    assert det.count == 0


def test_knees_caving_in_is_scored_and_cued_from_the_front() -> None:
    caving = Move("rep", 2.5, knee_in=0.2)
    det, _ = run([STAND, caving, STAND, caving, STAND], camera=Camera(yaw_deg=0.0))
    assert det.count == 2
    first = det.reps[0]
    assert first.metrics["knee_ratio"] < 0.8 and first.score_parts["knees"] < 60
    assert first.cues[0].key == "knees_in"  # safety first
    good, _ = run([STAND, Move("rep", 2.5), STAND], camera=Camera(yaw_deg=0.0))
    assert good.reps[0].score_parts["knees"] >= 90
    assert good.reps[0].score is not None and first.score is not None and good.reps[0].score > first.score


def test_lunge_front_knee_tracking_is_measured_on_the_front_leg() -> None:
    det, _ = run([STAND, Move("rep", 3.0), STAND], exercise="lunge", camera=Camera(yaw_deg=0.0))
    rep = det.reps[0]
    assert rep.metrics["front_knee_medial"] is not None and abs(rep.metrics["front_knee_medial"]) < 0.1
    assert rep.score_parts["knees"] == 100


# ---------------------------------------------------------------- cheating


def _cycle(pose_at: Any, yaw: float, cycles: int = 5, period_s: float = 1.5, fps: float = 30.0) -> RepDetector:
    """2 s standing, then ``cycles`` smooth cycles of ``pose_at(u, k)`` (u 0 -> 1 -> 0, k = cycle)."""
    from game.reps.synthetic import render

    rng = np.random.default_rng(5)
    cam = Camera(yaw_deg=yaw)
    det = make_rep_detector("squat")
    for i in range(int((2.0 + cycles * period_s) * fps)):
        t = i / fps
        k = max(0, int((t - 2.0) / period_s))
        u = 0.0 if t < 2.0 else 0.5 - 0.5 * math.cos(2 * math.pi * ((t - 2.0) % period_s) / period_s)
        px, w = render(pose_at(u, k), cam)
        px[:, :2] += rng.normal(0.0, 1.0, (33, 2))
        det.update(PoseFrame(t * 1000.0, cam.image_size, px, w + rng.normal(0.0, 0.008, w.shape), i))
    det.finish()
    return det


def _bend_at_the_waist(u: float, k: int) -> Any:
    """A 'good morning': legs straight, the upper body pitches forward to level."""
    from game.reps.synthetic import standing_pose

    p = standing_pose(0.0)
    hip = 0.5 * (p[LM.LEFT_HIP] + p[LM.RIGHT_HIP])
    a = math.radians(90.0 * u)
    upper = [*range(0, 23)]  # face, shoulders, arms, hands
    v = p[upper] - hip
    p[upper] = hip + np.column_stack([v[:, 0], v[:, 1] * math.cos(a) - v[:, 2] * math.sin(a),
                                      v[:, 1] * math.sin(a) + v[:, 2] * math.cos(a)])
    return p


def _head_bob(u: float, k: int) -> Any:
    from game.reps.synthetic import standing_pose

    p = standing_pose(0.0)
    p[0:11, 1] -= 0.25 * u
    return p


def _high_knees(u: float, k: int) -> Any:
    from game.reps.synthetic import standing_pose

    return standing_pose(0.0, knee_lift=(100.0 * u, 0.0) if k % 2 == 0 else (0.0, 100.0 * u))


@pytest.mark.parametrize("yaw", [0.0, 45.0, 90.0])
@pytest.mark.parametrize("move", [_bend_at_the_waist, _head_bob, _high_knees])
def test_moves_that_are_not_squats_never_count(move: Any, yaw: float) -> None:
    det = _cycle(move, yaw)
    assert det.count == 0, [(r.counted, r.reason) for r in det.reps]
    # the same harness does count real squats, so the zero above is not the harness failing
    if move is _head_bob and yaw == 0.0:
        from game.reps.synthetic import standing_pose

        assert _cycle(lambda u, k: standing_pose(0.5 * u), yaw).count == 5


def test_knee_angle_is_continuous_through_the_hidden_bend_check() -> None:
    """A slow head-on squat seen without noise: the knee bends toward the camera, so the image
    reads it nearly straight while 3-D reads it bent, and the hidden-bend check (3-D under 140
    degrees) decides how much the image counts. The blended angle must move with the knee (under
    2 degrees a frame at 60 fps here), not jump where the 3-D angle crosses 140: a switch there
    made tracker jitter read a partial squat as a turn and a rebound (a phantom attempt)."""
    frames = simulate(
        "squat",
        [Move("stand", 0.2), Move("partial", 4.0, depth=0.3), Move("stand", 0.2)],
        rng=np.random.default_rng(0),
        camera=Camera(yaw_deg=0.0, distance_m=2.8, height_m=0.94),
        fps=60.0, noise_px=0.0, noise_m=0.0, drop_p=0.0, stature=0.85,
    )
    knees = []
    for fr in frames:
        f = extract(SQUAT, fr)
        assert isinstance(f, Features)
        knees.append(f.primary_deg)
    assert min(knees) < 130.0  # the 3-D knee crossed the check's range
    steps = np.abs(np.diff(knees))
    assert steps.max() < 5.0, (int(steps.argmax()), knees[int(steps.argmax())], knees[int(steps.argmax()) + 1])
