"""Plausibility checks: honest sessions pass whatever their numbers, forged ones never do."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaderboard_server.plausibility import DEFAULT_LIMITS, HUMAN_LIMITS, check_progress, check_submission, violations
from ringside_protocol import REP_MODES
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
@given(reps=st.integers(0, 150), rep_ms=st.integers(800, 6000), exercise=st.sampled_from(REP_MODES))
def test_any_honest_rep_set_passes(reps: int, rep_ms: int, exercise: str) -> None:
    per_s = DEFAULT_LIMITS.rate(f"{exercise}.rate")
    # An honest set: reps no faster than the exercise's sustained human rate.
    rep_ms = max(rep_ms, int(1000 / per_s) + 1)
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


def _rules(sub: dict[str, object], exercise: str) -> set[str]:
    return {v.rule for v in violations(sub, exercise, T0_MS)}


def test_a_boxing_score_of_dodges_alone_is_refused() -> None:
    """Issue 13 #1: 25,000 dodges in 60 s ranked #1 on every boxing board."""
    telemetry = {"duration_ms": 60_000, "punches_thrown": 0, "dodges": 25_000}
    sub = {"id": "dodges-00001", "mode": "boxing", "score": 10_000_000, "played_at_ms": T0_MS - 60_000,
           "duration_ms": 60_000, "telemetry": telemetry}
    assert "dodges.rate" in _rules(sub, "boxing")
    # The same session with a human number of dodges (1.5/s at most) but the forged score.
    telemetry["dodges"] = 80
    assert _rules(sub, "boxing") == {"points.per_punch"}
    sub["score"] = 80 * 320
    assert _rules(sub, "boxing") == set()


def test_dodges_per_round_are_bounded_too() -> None:
    sub = boxing_submission("dodges-00002", 1000)
    sub["telemetry"]["rounds"][0]["dodges"] = 500
    sub["telemetry"]["dodges"] = 500
    assert "dodges.rate" in _rules(sub, "boxing")


def test_zero_ms_sessions_are_refused() -> None:
    """Issue 13 #2: 10 punches landed in 0 ms; 3 squats of 600 ms in 0 ms."""
    boxing = {"id": "zero-ms-0001", "mode": "boxing", "score": 10_000, "played_at_ms": T0_MS - 60_000,
              "duration_ms": 0, "telemetry": {"punches_thrown": 10, "punches_landed": 10}}
    assert "punches.rate" in _rules(boxing, "boxing")
    squats = squat_submission("zero-ms-0002", 3, rep_ms=600)
    squats["duration_ms"] = 0
    squats["telemetry"]["duration_ms"] = 0
    assert {"squat.rate", "duration"} <= _rules(squats, "squat")


@pytest.mark.parametrize("exercise", REP_MODES)
def test_small_counts_are_rate_checked(exercise: str) -> None:
    """Rate checks used to skip counts of 3 or less (and 10 punches or less)."""
    per_s = HUMAN_LIMITS[f"{exercise}.rate"].per_s
    assert per_s is not None
    min_ms = HUMAN_LIMITS[f"{exercise}.rep_ms"].min
    assert min_ms is not None
    sub = squat_submission("small-00001", 3, rep_ms=int(min_ms), mode=exercise)
    sub["duration_ms"] = sub["telemetry"]["duration_ms"] = int(2 / per_s * 1000) - 1  # room for 2 reps only
    assert f"{exercise}.rate" in _rules(sub, exercise)
    sub["duration_ms"] = sub["telemetry"]["duration_ms"] = int(2 / per_s * 1000) + 1
    assert f"{exercise}.rate" not in _rules(sub, exercise)


def test_counts_that_cannot_fit_the_duration_are_refused() -> None:
    sub = boxing_submission("fit-000001", 500, punches=20, duration_ms=2_000)
    assert "punches.rate" in _rules(sub, "boxing")  # 6/s over 2 s: 13 at most
    sub = squat_submission("fit-000002", 5)
    sub["telemetry"]["reps"][-1]["t_ms"] = sub["duration_ms"] + 5_000
    assert "duration" in _rules(sub, "squat")
    sub = squat_submission("fit-000003", 5)
    sub["telemetry"]["reps_attempted"] = 400  # shallow attempts take time as well
    assert "squat.rate" in _rules(sub, "squat")


def test_score_must_agree_with_telemetry() -> None:
    sub = boxing_submission("cons-00001", 1000)
    sub["telemetry"]["max_combo"] = 500
    assert "combo" in _rules(sub, "boxing")
    sub = boxing_submission("cons-00002", 1000)
    sub["telemetry"]["rounds"][0]["score"] = 10
    assert "score.rounds" in _rules(sub, "boxing")
    # A round's score is bounded by that round's landed punches and dodges, like the session's.
    sub = boxing_submission("cons-00003", 1000, punches=20)
    sub["telemetry"]["rounds"][0]["punches_landed"] = sub["telemetry"]["punches_landed"] = 1
    sub["telemetry"]["rounds"][0]["score"] = 5000
    assert _rules(sub, "boxing") == {"points.per_punch"}


def test_every_limit_has_a_source_and_a_bound() -> None:
    for rule, bound in HUMAN_LIMITS.items():
        assert bound.source and bound.unit, rule
        assert any(x is not None for x in (bound.per_s, bound.max, bound.min)), rule


def test_the_documented_table_is_the_table() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "PROTOCOL.md").read_text(encoding="utf-8")
    for rule in HUMAN_LIMITS:
        assert f"`{rule}`" in doc, f"docs/PROTOCOL.md does not list {rule}"
