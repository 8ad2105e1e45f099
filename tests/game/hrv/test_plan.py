"""The plan: a pure function of readiness, load and override."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.hrv.plan import (
    ADJUSTABLE,
    CoachOverride,
    PlanOptions,
    TrainingLoad,
    build_plan,
    session_load_au,
    training_load,
)

DAY = date(2026, 11, 30)
CALM = TrainingLoad(acute_au=1000.0, chronic_weekly_au=1000.0)


def test_normal_day_is_the_standard_interval_session() -> None:
    p = build_plan(DAY, "normal", "Recovery is normal.", CALM)
    o = PlanOptions()
    assert p.boxing == o.normal_boxing and p.squats == o.normal_squats
    assert p.intensity == "normal" and p.volume_change_pct == 0
    assert not p.is_override


def test_low_day_swaps_intervals_for_steady_work_and_states_the_cut() -> None:
    normal = build_plan(DAY, "normal", "", CALM)
    p = build_plan(DAY, "low", "Recovery is low: 7-day lnRMSSD 3.50 is below your normal range 3.60-3.80.", CALM)
    assert p.boxing.style == "steady" and p.intensity == "easy"
    assert p.boxing.bpm < normal.boxing.bpm
    assert p.boxing.density_targets_per_beat < normal.boxing.density_targets_per_beat
    assert p.boxing.window_scale > 1.0 and p.boxing.combo_max_len <= 2
    assert p.squats.sets < normal.squats.sets
    assert p.mobility_min > normal.mobility_min
    assert p.volume_change_pct <= -30
    assert f"Volume cut by {-p.volume_change_pct} %" in p.reason
    assert "below your normal range" in p.reason and "replaces intervals" in p.reason


def test_high_day_adds_work() -> None:
    p = build_plan(DAY, "high", "Recovery is high.", CALM)
    normal = build_plan(DAY, "normal", "", CALM)
    assert p.intensity == "hard"
    assert p.boxing.rounds > normal.boxing.rounds and p.boxing.bpm > normal.boxing.bpm
    assert p.volume_change_pct > 0


def test_learning_adapts_nothing_even_with_a_load_spike() -> None:
    spike = TrainingLoad(3000.0, 1000.0)
    p = build_plan(DAY, "learning", "Learning your baseline: 5 of 14 days.", spike)
    assert p.boxing == PlanOptions().normal_boxing and p.volume_change_pct == 0
    assert "Learning your baseline" in p.reason


def test_low_readiness_with_load_spike_is_a_mobility_day() -> None:
    p = build_plan(DAY, "low", "Recovery is low.", TrainingLoad(3000.0, 1000.0))
    assert p.intensity == "rest" and p.boxing.rounds == 0 and p.squats.sets == 0
    assert p.mobility_min >= 15 and "mobility only" in p.reason


def test_spike_on_a_normal_day_trims_volume() -> None:
    p = build_plan(DAY, "normal", "Recovery is normal.", TrainingLoad(2000.0, 1000.0))
    assert p.volume_change_pct < 0 and "ratio 2.0" in p.reason


def test_coach_override_wins_and_says_so() -> None:
    ov = CoachOverride(DAY, "Sam", preset="hard", adjustments=(("bpm", 140.0), ("rounds", 3.0)),
                       note="sparring prep", origin="server")
    p = build_plan(DAY, "low", "Recovery is low.", CALM, ov)
    assert p.is_override and p.override_by == "Sam" and p.override_origin == "server"
    assert p.intensity == "hard" and p.boxing.bpm == 140 and p.boxing.rounds == 3
    assert p.reason.startswith("Coach override by Sam") and "sparring prep" in p.reason
    assert "Recovery is low." in p.reason  # what readiness alone would have said
    assert p.to_json()["is_override"] is True


def test_override_for_another_day_is_ignored() -> None:
    ov = CoachOverride(date(2026, 12, 1), "Sam", preset="rest")
    assert not build_plan(DAY, "normal", "", CALM, ov).is_override


def test_override_to_zero_rounds_means_no_boxing() -> None:
    p = build_plan(DAY, "normal", "", CALM, CoachOverride(DAY, "Sam", adjustments=(("rounds", 0.0),)))
    assert p.boxing.style == "none"


@pytest.mark.parametrize("adj", [("bpm", 400.0), ("laps", 3.0), ("density", 0.0)])
def test_bad_adjustments_are_refused(adj: tuple[str, float]) -> None:
    with pytest.raises(ValueError):
        build_plan(DAY, "normal", "", CALM, CoachOverride(DAY, "Sam", adjustments=(adj,)))


def test_training_load_windows() -> None:
    daily = [(date(2026, 11, 30), 100.0), (date(2026, 11, 24), 50.0), (date(2026, 11, 23), 400.0),
             (date(2026, 11, 3), 10.0), (date(2026, 11, 2), 999.0)]
    load = training_load(daily, DAY)
    assert load.acute_au == 150.0
    assert load.chronic_weekly_au == pytest.approx((100 + 50 + 400 + 10) / 4)
    assert TrainingLoad(10.0, 0.0).ratio is None
    assert session_load_au(1800, 6) == 180.0


@settings(max_examples=60, deadline=None)
@given(
    state=st.sampled_from(["learning", "normal", "low", "high"]),
    acute=st.floats(0, 5000), chronic=st.floats(0, 3000),
    preset=st.one_of(st.none(), st.sampled_from(["rest", "easy", "normal", "hard"])),
)
def test_every_plan_is_within_bounds(state: str, acute: float, chronic: float, preset: str | None) -> None:
    ov = CoachOverride(DAY, "c", preset=preset) if preset else None
    p = build_plan(DAY, state, "x", TrainingLoad(acute, chronic), ov)
    for name, value in (("rounds", p.boxing.rounds), ("bpm", p.boxing.bpm), ("squat_sets", p.squats.sets),
                        ("density", p.boxing.density_targets_per_beat), ("mobility_min", p.mobility_min),
                        ("window_scale", p.boxing.window_scale), ("combo_max_len", p.boxing.combo_max_len)):
        lo, hi = ADJUSTABLE[name]
        assert lo <= value <= hi, (name, value)
    if state == "low" and not ov:
        assert p.volume_change_pct < 0 and p.boxing.style in ("steady", "none")
    assert p.reason


def test_server_override_mapping() -> None:
    from game.hrv.plan import override_from_server

    payload = {"coach": "Coach K", "note": "taper", "created_at_ms": 1,
               "plan": {"intensity": "low", "volume_pct": 50, "round_length_s": 120, "target_reps": 12,
                        "exercises": ["boxing"], "expires_at_ms": 2_000}}
    ov = override_from_server(payload, DAY, now_ms=1_000)
    assert ov is not None and ov.origin == "server" and ov.coach == "Coach K" and ov.preset == "easy"
    adj = dict(ov.adjustments)
    assert adj["rounds"] == 2 and adj["squat_sets"] == 0 and adj["round_s"] == 120 and adj["squat_reps"] == 12
    p = build_plan(DAY, "high", "Recovery is high.", CALM, ov)
    assert p.is_override and p.squats.sets == 0 and p.boxing.rounds == 2 and "taper" in p.reason
    assert override_from_server(payload, DAY, now_ms=3_000) is None  # expired
    rest = override_from_server({"plan": {"rest_day": True}}, DAY, now_ms=0)
    assert rest is not None and rest.preset == "rest" and rest.coach == "your coach"


_json = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                               st.text(max_size=8)),
                     lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=12), c, max_size=5),
                     max_leaves=12)


@settings(max_examples=80, deadline=None)
@given(plan=st.dictionaries(st.sampled_from(["difficulty", "intensity", "volume_pct", "max_rounds",
                                             "round_length_s", "target_reps", "exercises", "rest_day",
                                             "expires_at_ms", "junk"]), _json, max_size=8),
       coach=_json)
def test_any_server_payload_gives_a_valid_plan_or_none(plan: dict[str, object], coach: object) -> None:
    from game.hrv.plan import override_from_server

    ov = override_from_server({"plan": plan, "coach": coach}, DAY, now_ms=0)
    if ov is not None:
        build_plan(DAY, "normal", "x", CALM, ov)  # never raises: every adjustment is in range
