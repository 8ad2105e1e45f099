"""Plausibility checks: honest sessions pass whatever their numbers, forged ones never do."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from leaderboard_server.plausibility import DEFAULT_LIMITS, check_progress, check_submission
from tests.leaderboard_server.conftest import T0_MS, boxing_submission, squat_submission


def test_plausible_sessions_pass() -> None:
    assert check_submission(boxing_submission("s-000000001", 12_000), "boxing", T0_MS) == []
    assert check_submission(squat_submission("s-000000002", 25), "squat", T0_MS) == []
    assert check_submission(squat_submission("s-000000003", 0), "squat", T0_MS) == []


def test_forged_boxing_is_caught() -> None:
    too_many = boxing_submission("s-000000001", 1000, punches=1000, duration_ms=30_000)
    assert any("punches/s" in r for r in check_submission(too_many, "boxing", T0_MS))
    greedy = boxing_submission("s-000000002", 10**6, punches=50)
    assert any("can earn" in r for r in check_submission(greedy, "boxing", T0_MS))
    fast = boxing_submission("s-000000003", 100)
    fast["telemetry"]["rounds"][0]["peak_hand_speed_mps"] = 40.0
    assert any("hand speed" in r for r in check_submission(fast, "boxing", T0_MS))
    bare = boxing_submission("s-000000004", 100)
    bare["telemetry"] = {}
    assert check_submission(bare, "boxing", T0_MS) == ["a boxing score needs its telemetry (punches_thrown or rounds)"]


def test_forged_reps_are_caught() -> None:
    mismatch = squat_submission("s-000000001", 10)
    mismatch["score"] = 30
    assert any("30 reps" in r for r in check_submission(mismatch, "squat", T0_MS))
    quick = squat_submission("s-000000002", 20, rep_ms=200)
    reasons = check_submission(quick, "squat", T0_MS)
    assert any("faster than 400 ms" in r for r in reasons)
    rocket = squat_submission("s-000000003", 5)
    rocket["telemetry"]["reps"][2]["peak_velocity_mps"] = 9.0
    assert any("m/s" in r for r in check_submission(rocket, "squat", T0_MS))
    half = squat_submission("s-000000005", 3)
    half["score"] = 2.5
    assert check_submission(half, "squat", T0_MS) == ["a rep score is a whole number of reps"]


@settings(max_examples=200, deadline=None)
@given(reps=st.integers(0, 150), rep_ms=st.integers(800, 6000), exercise=st.sampled_from(["squat", "pushup", "lunge"]))
def test_any_honest_rep_set_passes(reps: int, rep_ms: int, exercise: str) -> None:
    limits = DEFAULT_LIMITS.rep_limits[exercise]
    # An honest set: reps no faster than the exercise's sustained human rate.
    rep_ms = max(rep_ms, int(60_000 / limits.max_reps_per_min) + 1)
    sub = squat_submission("s-000000001", reps, rep_ms=rep_ms, mode=exercise)
    assert check_submission(sub, exercise, T0_MS) == []


@settings(max_examples=200, deadline=None)
@given(punches=st.integers(0, 2000), duration_s=st.integers(30, 3600), landed_frac=st.floats(0, 1),
       points=st.floats(0, 1000))
def test_any_honest_boxing_session_passes(punches: int, duration_s: int, landed_frac: float, points: float) -> None:
    punches = min(punches, int(duration_s * 4))  # an honest, very fast 4 punches/s
    landed = int(punches * landed_frac)
    score = float(int(landed * points))
    sub = boxing_submission("s-000000001", score, punches=punches, duration_ms=duration_s * 1000)
    sub["telemetry"]["punches_landed"] = landed
    sub["telemetry"]["rounds"][0]["punches_landed"] = landed
    assert check_submission(sub, "boxing", T0_MS) == []


def test_progress_limits() -> None:
    assert check_progress("squat", 20, 30_000, 30_000) == []
    assert check_progress("squat", 200, 30_000, 30_000) != []
    assert check_progress("squat", 5, 600_000, 30_000) == ["more time elapsed than since the challenge started"]
    assert check_progress("boxing", 50_000, 60_000, 60_000) == []
    assert check_progress("boxing", 10**7, 10_000, 10_000) != []
