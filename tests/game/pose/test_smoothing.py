from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from game.pose.smoothing import OneEuroFilter, OneEuroParams


def _run(f: OneEuroFilter, xs: np.ndarray, dt_ms: float) -> np.ndarray:
    return np.array([f.filter(x, i * dt_ms) for i, x in enumerate(xs)])


def test_removes_jitter_at_rest() -> None:
    rng = np.random.default_rng(1)
    xs = 300.0 + rng.normal(0, 2.0, (120, 1))
    out = _run(OneEuroFilter(scale=480.0), xs, 33.3)
    assert np.std(np.diff(out[30:, 0])) < 0.35 * np.std(np.diff(xs[30:, 0]))


def test_follows_fast_motion_with_little_lag() -> None:
    # A punch: 120 px in 150 ms, then held. The filter must end on target and lag little.
    t = np.arange(0, 600, 1000 / 30)
    x = (np.clip((t - 100) / 150, 0, 1) * 120.0)[:, None]
    out = _run(OneEuroFilter(scale=480.0), x, 1000 / 30)
    assert np.abs(out - x).max() < 0.25 * 120.0
    assert abs(out[-1, 0] - 120.0) < 2.0


def test_masked_elements_pass_through_raw() -> None:
    f = OneEuroFilter(scale=480.0)
    f.filter(np.array([0.0, 0.0]), 0.0)
    out = f.filter(np.array([100.0, 100.0]), 33.0, mask=np.array([True, False]))
    assert out[1] == 100.0 and out[0] < 100.0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e4, 1e4), min_size=2, max_size=50), st.floats(5.0, 200.0))
def test_deterministic_and_bounded(values: list[float], dt: float) -> None:
    xs = np.array(values)[:, None]
    a = _run(OneEuroFilter(OneEuroParams(), scale=480.0), xs, dt)
    b = _run(OneEuroFilter(OneEuroParams(), scale=480.0), xs, dt)
    assert np.array_equal(a, b)
    # A low-pass never leaves the range of what it has seen.
    assert a.min() >= xs.min() - 1e-6 and a.max() <= xs.max() + 1e-6


def test_one_non_finite_value_does_not_poison_the_filter() -> None:
    # A NaN (or inf) from the backend passes through for that frame only; the next finite values
    # are smoothed again instead of staying NaN for the rest of the session.
    f = OneEuroFilter(scale=480.0)
    f.filter(np.array([10.0, 20.0]), 0.0)
    out = f.filter(np.array([np.nan, 21.0]), 33.0)
    assert np.isnan(out[0]) and np.isfinite(out[1])
    out = f.filter(np.array([11.0, np.inf]), 66.0)
    assert np.isfinite(out[0])
    for i in range(3, 10):
        out = f.filter(np.array([11.0 + i, 22.0]), i * 33.0)
    assert np.isfinite(out).all()
    assert abs(out[1] - 22.0) < 1.0
