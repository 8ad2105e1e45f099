"""The trend chart's series."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from game.hrv.readiness import assess
from game.hrv.trend import trend_from_measurements, trend_series
from tests.game.hrv.factories import series

D0 = date(2026, 1, 1)


def test_series_are_parallel_daily_and_match_readiness() -> None:
    rng = np.random.default_rng(2)
    values: list[float | None] = [float(v) for v in rng.normal(4.0, 0.1, 50)]
    values[30] = None
    ms = series(D0, values)
    end = D0 + timedelta(days=49)
    t = trend_from_measurements(ms, end, days=28)
    assert len(t) == 28
    assert t.dates[0] == end - timedelta(days=27) and t.dates[-1] == end
    assert all(b - a == timedelta(days=1) for a, b in zip(t.dates, t.dates[1:], strict=False))
    assert t.value_ln[30 - 22] is None  # the day without a reading is a gap, not a zero
    hist = assess(ms, end).history
    assert t.rolling7_ln[-1] == hist[-1].rolling7_ln
    assert t.band_low_ln[-1] == hist[-1].band_low_ln and t.band_high_ln[-1] == hist[-1].band_high_ln
    assert t.states[-1] == hist[-1].state
    for lo, hi in zip(t.band_low_ln, t.band_high_ln, strict=True):
        assert lo is None or hi is None or lo < hi
    js = t.to_json()
    assert js["label"] == "lnRMSSD" and isinstance(js["dates"], list) and len(js["dates"]) == 28


def test_empty_history() -> None:
    t = trend_series([])
    assert len(t) == 0 and t.to_json()["dates"] == []
