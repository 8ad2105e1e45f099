"""Readiness rules: an independent recomputation on the real WHOOP export, and generated histories."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.hrv.importers import read_file
from game.hrv.quality import assess_device_value
from game.hrv.readiness import STATES, all_histories, assess, choose_series, daily_values
from game.hrv.records import DeviceValue
from tests.game.hrv.factories import nightly, series

D0 = date(2026, 1, 1)


def _stable(n: int, seed: int = 1, mean: float = 4.0, sd: float = 0.08) -> list[float | None]:
    rng = np.random.default_rng(seed)
    return [float(x) for x in rng.normal(mean, sd, n)]


@pytest.mark.shared_data
def test_whoop_low_days_are_exactly_the_days_below_the_rule(shared_data: Path) -> None:
    path = shared_data / "hrv" / "whoop_physiological_cycles.csv"
    ms = [assess_device_value(v) for v in read_file(path) if isinstance(v, DeviceValue)]
    last = max(m.day for m in ms)
    hist = all_histories(ms, last)["rmssd:whoop"]
    ours_low = {d.day for d in hist if d.state == "low"}
    ours_learning = {d.day for d in hist if d.state == "learning"}

    # Independent recomputation with pandas, straight from the CSV and the written rule.
    df = pd.read_csv(path)
    df = df[df["Heart rate variability (ms)"].notna()].copy()
    df["day"] = pd.to_datetime(df["Wake onset"].str[:10])
    x = np.log(df.groupby("day")["Heart rate variability (ms)"].mean()).asfreq("D")
    rhr = df.groupby("day")["Resting heart rate (bpm)"].mean().reindex(x.index)
    n60 = x.rolling(60, min_periods=1).count()
    n7 = x.rolling(7, min_periods=1).count()
    mean60 = x.rolling(60, min_periods=1).mean()
    sd60 = x.rolling(60, min_periods=2).std()
    roll7 = x.rolling(7, min_periods=3).mean()
    band_low, band_high = mean60 - 0.5 * sd60, mean60 + 0.5 * sd60
    prev10 = x.shift(1).rolling(10, min_periods=7)
    kiv = x < (prev10.mean() - prev10.std())
    decline = (x.shift(2) > x.shift(1)) & (x.shift(1) > x) & ((x.shift(2) - x) > sd60)
    rhr_prev = rhr.shift(1).rolling(60, min_periods=7)
    rhr_up = (rhr > rhr_prev.mean() + rhr_prev.std()) & ((rhr - rhr_prev.mean()) >= 3)
    learning = (n60 < 14) | (n7 < 3)
    low = ~learning & ((roll7 < band_low) | kiv | decline | (rhr_up & (roll7 < mean60)))
    expected_low = {ts.date() for ts, is_low in low.items() if is_low}
    expected_learning = {ts.date() for ts, v in learning.items() if v}

    assert ours_low == expected_low
    assert ours_learning == expected_learning
    assert 10 <= len(ours_low) <= len(hist) // 2  # the rule does fire, and not on everything
    high = {d.day for d in hist if d.state == "high"}
    assert high and all(roll7[pd.Timestamp(d)] > band_high[pd.Timestamp(d)] for d in high)


def test_cold_start_learns_for_14_days() -> None:
    ms = series(D0, _stable(20))
    states = [d.state for d in all_histories(ms, D0 + timedelta(days=19))["rmssd:whoop"]]
    assert states[:13] == ["learning"] * 13
    assert "learning" not in states[13:]


def test_sharp_drop_is_low_by_kiviniemi_and_explained() -> None:
    values = _stable(30) + [3.55]
    r = assess(series(D0, values), D0 + timedelta(days=30))
    assert r.today.state == "low"
    assert "kiviniemi" in r.today.rules
    assert "10-day mean - 1 SD" in r.today.explanation
    assert r.today.kiviniemi_ref_ln is not None and r.today.value_ln is not None
    assert r.today.value_ln < r.today.kiviniemi_ref_ln


def test_sustained_drop_is_low_by_weekly_mean() -> None:
    values = _stable(40, seed=2) + [3.82, 3.8, 3.84, 3.81, 3.83]
    r = assess(series(D0, values), D0 + timedelta(days=44))
    assert r.today.state == "low"
    assert "weekly" in r.today.rules
    assert r.today.rolling7_ln is not None and r.today.band_low_ln is not None
    assert r.today.rolling7_ln < r.today.band_low_ln


def test_two_day_decline_rule() -> None:
    values = _stable(30, seed=4, sd=0.05) + [4.02, 3.97, 3.90]
    r = assess(series(D0, values), D0 + timedelta(days=32))
    assert "two_day_decline" in r.today.rules


def test_high_week_is_high_unless_resting_hr_is_up() -> None:
    values = _stable(40, seed=5) + [4.2, 4.22, 4.19, 4.21, 4.2]
    end = D0 + timedelta(days=44)
    assert assess(series(D0, values), end).today.state == "high"
    ms = series(D0, values, rhr=50.0)
    ms = ms[:-1] + [nightly(end, math.exp(4.2), rhr=60.0)]
    r = assess(ms, end)
    assert r.today.is_rhr_elevated and r.today.state == "normal"
    assert "resting HR" in r.today.explanation


def test_missing_week_goes_back_to_learning() -> None:
    values = _stable(30) + [None] * 6 + [4.0]
    r = assess(series(D0, values), D0 + timedelta(days=36))
    assert r.today.state == "learning"
    assert "1 reading(s) in the last 7 days" in r.today.explanation


def test_metrics_and_families_never_share_a_baseline() -> None:
    rm = series(D0, _stable(20))
    sd = [nightly(D0 + timedelta(days=i), sdnn_ms=80.0, source="apple_health", context="spot") for i in range(30)]
    values = daily_values(rm + sd)
    assert set(values) == {"rmssd:whoop", "sdnn:apple"}
    # SDNN has more days, so it is chosen, and its numbers are SDNN only.
    key = choose_series(values, D0 + timedelta(days=29))
    assert key == "sdnn:apple"
    r = assess(rm + sd, D0 + timedelta(days=29))
    assert r.today.series_key == "sdnn:apple"
    assert r.today.mean60_ln == pytest.approx(math.log(80.0))
    assert r.other_series == {"rmssd:whoop": 20}


def test_exercise_and_rejected_readings_are_ignored() -> None:
    ms = series(D0, _stable(20))
    ms.append(nightly(D0 + timedelta(days=20), 5.0, context="exercise"))
    ms.append(nightly(D0 + timedelta(days=20), 5.0, usable=False, source="whoop"))
    r = assess(ms, D0 + timedelta(days=20))
    assert r.today.value_ln is None


def test_no_data_at_all() -> None:
    r = assess([], D0)
    assert r.today.state == "learning" and "import" in r.today.explanation


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.floats(2.0, 5.5)), min_size=1, max_size=90),
    rhr=st.one_of(st.none(), st.floats(40, 80)),
)
def test_states_always_agree_with_their_numbers(values: list[float | None], rhr: float | None) -> None:
    ms = series(D0, values, rhr=rhr)
    if not ms:
        return
    end = D0 + timedelta(days=len(values) - 1)
    for d in all_histories(ms, end).get("rmssd:whoop", []):
        assert d.state in STATES
        if d.readings_60d < 14 or d.readings_7d < 3:
            assert d.state == "learning"
            continue
        assert d.rolling7_ln is not None and d.band_low_ln is not None and d.band_high_ln is not None
        if d.state == "low":
            assert d.rules
        else:
            assert not d.rules
            assert d.rolling7_ln >= d.band_low_ln
        if d.state == "high":
            assert d.rolling7_ln > d.band_high_ln and not d.is_rhr_elevated
        assert d.to_json()["state"] == d.state


@pytest.mark.shared_data
def test_explanations_show_numbers_that_agree_with_the_verdict(shared_data: Path) -> None:
    """"13 ms is below your normal range 13-21 ms" reads as a contradiction: the printed figures
    keep enough precision that the one said to be below is printed below."""
    import re

    path = shared_data / "hrv" / "whoop_physiological_cycles.csv"
    ms = [assess_device_value(v) for v in read_file(path) if isinstance(v, DeviceValue)]
    hist = all_histories(ms, max(m.day for m in ms))["rmssd:whoop"]
    weekly = [d for d in hist if "weekly" in d.rules]
    assert weekly
    for d in weekly:
        found = re.search(r"7-day average \S+ \(RMSSD\) ([\d.]+) ms is below your normal range ([\d.]+)-", d.explanation)
        assert found is not None, d.explanation
        assert float(found.group(1)) < float(found.group(2)), d.explanation
